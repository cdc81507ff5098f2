"""The byte scan that decides whether a file is worth parsing.

Every rule declares one or more :class:`Vocabulary` alternatives: text that must occur in a file
for the rule to be able to fire there (a *necessary* condition, checked on the raw bytes). A file
that matches no enabled rule's vocabulary is never decoded or parsed; in a real repository that
is nearly every file, which is where lrlint's speed comes from.

A vocabulary is a few ``gates`` (plain substrings, found with ``bytes.__contains__`` at memory
speed), an optional ``pattern`` (a regex run only when a gate matched; write it literal-first,
since Python's ``re`` scans slowly for alternations without a literal prefix) and optional
``requires`` (further vocabularies that must match too). Each distinct gate and pattern is
checked at most once per file, however many rules share it.

Across modules, a file may see a tracked object whose class its own text never names (a
scheduler built by ``build_scheduler`` in another module): the project index gives such a file
``implied`` words (``lrlint.project``'s ``RunPlan.implied``), gates that count as present
without a scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Every tracked object is built by (or annotated with) a class of ``torch.optim`` — whose import
# path spells "optim" — or comes from a Hugging Face schedule factory, whose name contains
# "_schedule". A file with neither cannot hold one, whatever rules are enabled. The one
# exception: Hugging Face ``TrainingArguments`` describe the schedule the Trainer will build.
ROOT_GATES = (b"optim", b"_schedule", b"TrainingArguments")


def passes_root(data: bytes, implied: frozenset[bytes] = frozenset()) -> bool:
    """Whether any tracked object can be visible: the root gates in the text or implied."""
    return any(gate in data or gate in implied for gate in ROOT_GATES)


class ScanCache:
    """What one file's bytes contain, remembered per gate and per pattern; ``implied``: gates
    the project says are present (exact words: a class name, ``optim``, ``lr_scheduler``)."""

    __slots__ = ("data", "gates", "implied", "patterns")

    def __init__(self, data: bytes, implied: frozenset[bytes] = frozenset()) -> None:
        self.data = data
        self.gates: dict[bytes, bool] = {}
        self.patterns: dict[object, bool] = {}
        self.implied = implied

    def has(self, gate: bytes) -> bool:
        found = self.gates.get(gate)
        if found is None:
            # Scheduler class names all contain "LR": one scan for "LR" rules out all of them.
            if gate != b"LR" and b"LR" in gate and not self.has(b"LR"):
                found = False
            else:
                found = gate in self.data
            self.gates[gate] = found
        return found

    def search(self, pattern: re.Pattern[bytes] | OutsideStrings) -> bool:
        found = self.patterns.get(pattern)
        if found is None:
            found = self.patterns[pattern] = bool(pattern.search(self.data))
        return found


class OutsideStrings:
    """A regex whose match counts only where it can be code.

    Skipped: a match inside a quoted dotted name (``"torch.optim.lr_scheduler.StepLR"`` in a table
    of names), a file name (``optim/lr_scheduler.py``), and a match in a comment (a ``#`` earlier
    on its line, with no quote before that ``#``). Never a false "no": anything else counts.
    """

    __slots__ = ("regex",)
    _NAME_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./")

    def __init__(self, regex: re.Pattern[bytes]) -> None:
        self.regex = regex

    def search(self, data: bytes) -> bool:
        return any(self._is_code(data, match) for match in self.regex.finditer(data))

    def _is_code(self, data: bytes, match: re.Match[bytes]) -> bool:
        if data.startswith(b".py", match.end()):
            return False
        start = match.start()
        while start > 0 and data[start - 1] in self._NAME_CHARS:
            start -= 1
        if start > 0 and data[start - 1] in b"\"'":
            return False
        line = data[data.rfind(b"\n", 0, start) + 1 : start]
        hash_at = line.find(b"#")
        return hash_at < 0 or b'"' in line[:hash_at] or b"'" in line[:hash_at]


@dataclass(frozen=True)
class Vocabulary:
    gates: tuple[bytes, ...]
    pattern: re.Pattern[bytes] | OutsideStrings | None = None
    requires: tuple[Vocabulary, ...] = field(default=())

    def matches(self, data: bytes | ScanCache) -> bool:
        scan = data if isinstance(data, ScanCache) else ScanCache(data)
        # A gate the project implies stands for its pattern too (the object is not spelled here).
        if not (scan.implied and any(gate in scan.implied for gate in self.gates)):
            if not any(scan.has(gate) for gate in self.gates):
                return False
            if self.pattern is not None and not scan.search(self.pattern):
                return False
        return all(required.matches(scan) for required in self.requires)

    def also(self, *required: Vocabulary) -> Vocabulary:
        """This vocabulary and every one of ``required``."""
        return Vocabulary(self.gates, self.pattern, self.requires + required)


# Any torch, Hugging Face or timm scheduler. A torch scheduler is only reachable through the
# module ``torch.optim.lr_scheduler`` (imported or spelled out), or ``swa_utils.SWALR``; the
# Hugging Face factories have distinctive names (``get_linear_schedule_with_warmup``,
# ``get_scheduler``); timm's live in ``timm.scheduler``. ("lr_scheduler" and every Hugging Face
# factory name contain "_schedule": one gate covers them all.)
SCHEDULER = Vocabulary(
    gates=(b"_schedule", b"SWALR", b"timm"),
    pattern=OutsideStrings(re.compile(
        rb"lr_scheduler|SWALR|get_scheduler\b|schedule_with_warmup\b"
        rb"|get_(?:constant|inverse_sqrt|wsd)_schedule\b|timm\.scheduler|create_scheduler"
    )),
)
