"""The byte scan that decides whether a file is worth parsing.

Every rule declares one or more :class:`Vocabulary` alternatives: text that must occur in a file for the rule to be
able to fire there (a *necessary* condition, checked on the raw bytes). A file that matches no
enabled rule's vocabulary is never decoded or parsed; in a real repository that is nearly every
file, which is where lrlint's speed comes from.

A vocabulary is a few ``gates`` (plain substrings, found with ``bytes.__contains__`` at memory
speed) and an optional ``pattern`` (a regex run only when a gate matched). Python's ``re`` is
slow on alternations without a literal prefix, so the gates do the bulk rejection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Every tracked object comes from torch (the text names ``torch``) or from a Hugging Face
# schedule factory (``get_*_schedule*`` / ``get_scheduler``). A file with neither cannot hold one.
ROOT_GATES = (b"torch", b"schedul")


@dataclass(frozen=True)
class Vocabulary:
    gates: tuple[bytes, ...]
    pattern: re.Pattern[bytes] | None = None

    def matches(self, data: bytes) -> bool:
        if not any(gate in data for gate in self.gates):
            return False
        return self.pattern is None or self.pattern.search(data) is not None


def words(*names: str) -> re.Pattern[bytes]:
    return re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in names) + rb")\b")


# Any torch/HF scheduler by name (construction, subclassing or annotation all spell it): the
# torch classes end in "LR" after a letter (StepLR, SWALR) or are named in full; the Hugging Face
# factories by their distinctive names.
SCHEDULER = Vocabulary(
    gates=(b"LR", b"Restarts", b"Chained", b"schedul"),
    pattern=re.compile(
        rb"[A-Za-z]LR\b|LRScheduler\b|ReduceLROnPlateau|CosineAnnealingWarmRestarts"
        rb"|ChainedScheduler|\bget_(?:constant|linear|cosine|polynomial_decay|inverse_sqrt|wsd)"
        rb"\w*schedule\w*|\bget_scheduler\b"
    ),
)
