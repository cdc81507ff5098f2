"""LR100 unused-suppression: an ``lrlint: ignore`` (or ``noqa: LR...``) comment that suppresses
nothing (unknown codes are LR101's).

The LR1xx codes check lrlint's own comments, not training code: ``select = ["LR0"]`` takes the
learning-rate rules alone. LR100 is opt-in (Ruff's RUF100 is too): enable it with
``extend-select = ["LR100"]``, or any selector that names it (``LR``, ``LR1``, ``ALL``).
"""

from __future__ import annotations

import re

from lrlint.checks.base import Rule, RuleContext
from lrlint.prefilter import Vocabulary

# A file with an lrlint directive, or a noqa naming an LR code: LR100's and LR101's vocabulary.
DIRECTIVES = (
    Vocabulary(
        gates=(b"lrlint", b"noqa", b"NOQA"),
        pattern=re.compile(rb"lrlint\s*:\s*ignore|noqa\s*:[^\n]*LR[0-9]", re.IGNORECASE),
    ),
)


class UnusedSuppression(Rule):
    code = "LR100"
    name = "unused-suppression"
    summary = "a suppression comment that suppresses nothing"
    fixable = True
    opt_in = True  # only selectors that name it enable it (lrlint.config.OPT_IN)
    vocabulary = DIRECTIVES
    needs_tracked_object = False

    def check(self, context: RuleContext) -> None:
        """Nothing to do here: whether a directive was used is known only once every other
        rule has reported and suppressions are applied (``lrlint.suppression``)."""
