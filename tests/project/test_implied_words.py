"""The prefilter's implied words: gates the project says are present in a file."""

from __future__ import annotations

from lrlint.prefilter import SCHEDULER, ScanCache, Vocabulary, passes_root

LOOP = b"def loop(o, s):\n    for x in data:\n        o.step()\n        s.step()\n"


def test_an_implied_gate_stands_for_its_pattern():
    assert not SCHEDULER.matches(LOOP)
    assert SCHEDULER.matches(ScanCache(LOOP, frozenset({b"_schedule"})))
    assert not SCHEDULER.matches(ScanCache(LOOP, frozenset({b"optim"})))  # words, not substrings


def test_required_vocabularies_still_need_the_text():
    stepped = SCHEDULER.also(Vocabulary(gates=(b".step(",)))
    gated = SCHEDULER.also(Vocabulary(gates=(b"%",)))
    implied = frozenset({b"_schedule", b"LambdaLR"})
    assert stepped.matches(ScanCache(LOOP, implied))
    assert not gated.matches(ScanCache(LOOP, implied))


def test_the_root_gates_count_implied_words():
    assert not passes_root(LOOP)
    assert passes_root(LOOP, frozenset({b"optim"}))
