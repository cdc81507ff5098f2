"""Large files: top-level definitions no rule can care about are blanked before libcst, and
nothing a rule says changes (lines, columns, messages, fixes)."""

from __future__ import annotations

from lintkit import findings, fixed

from lrlint.slicing import MIN_LINES, slice_source

HELPER = """\
def helper_{i}(values, scale=2.0):
    total = 0.0
    for value in values:
        total += value * scale
    return total / max(len(values), 1)


"""
HELPERS = "".join(HELPER.format(i=i) for i in range(MIN_LINES // 7 + 10))

TRAINING = """\
import torch
from torch.optim import lr_scheduler


def decay(epoch):
    return 1e-3 * 0.1 ** (epoch // 30)


def train(model, loader):
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    scheduler = lr_scheduler.LambdaLR(optimizer, decay)
    optimizer.lr = 0.01
    for batch in loader:
        scheduler.step()
        optimizer.step()


"""


def test_helpers_are_blanked_with_their_lines_kept():
    text = TRAINING + HELPERS + "print(helper_3([1.0]))\n"
    sliced = slice_source(text)
    assert sliced is not None
    assert sliced.count("\n") == text.count("\n")
    assert "def helper_0(" not in sliced and "def helper_3(" in sliced  # called at the end
    assert "def decay(" in sliced  # no training word, but train() passes it to LambdaLR
    kept = sliced.splitlines()
    assert all(line == original or line == "" for line, original in zip(kept, text.splitlines()))


def test_findings_in_a_large_file_are_those_of_the_whole_file():
    small = findings(TRAINING, ["LR001", "LR003", "LR005"])
    large = findings(HELPERS + TRAINING, ["LR001", "LR003", "LR005"])
    offset = HELPERS.count("\n")
    assert sorted(d.code for d in small) == ["LR001", "LR003", "LR005"]
    assert [(d.code, d.start.line + offset, d.start.column, d.message) for d in small] == \
        [(d.code, d.start.line, d.start.column, d.message) for d in large]


def test_a_fix_in_a_large_file_keeps_every_blanked_line():
    text = HELPERS + TRAINING
    result = fixed(text, "LR001", unsafe=True)
    assert result is not None and "optimizer.lr = 0.01" not in result
    assert result.startswith(HELPERS)  # the helpers are untouched in the written file
    assert result.count("def helper_") == HELPERS.count("def helper_")


def test_nothing_is_sliced_in_small_files_broken_files_or_training_only_files():
    assert slice_source(TRAINING + HELPER.format(i=0)) is None  # below MIN_LINES
    assert slice_source(HELPERS + "def broken(:\n") is None  # CPython cannot parse it
    training_only = "".join(
        f"def train_{i}(opt):\n    opt.step()\n\n\n" for i in range(MIN_LINES // 4 + 10))
    assert slice_source(training_only) is None


def test_a_definition_named_in_a_string_or_spelling_a_training_word_is_kept():
    text = HELPERS + '__all__ = ["helper_1"]\n\n\ndef build(o):\n    return WarmupCosine(o)\n'
    sliced = slice_source(text)
    assert "def helper_1(" in sliced and "def helper_2(" not in sliced
    assert "def build(" in sliced  # "Warmup": a custom scheduler, maybe
    assert "def build(" not in slice_source(text.replace("WarmupCosine", "Cosine"))
