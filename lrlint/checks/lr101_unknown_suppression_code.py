"""LR101 unknown-suppression-code: a suppression comment naming a code no lrlint rule has.

Checked with LR100 once every rule has reported (``lrlint.suppression``); it is on by default,
since an unknown code is always a mistake: a typo (``LR01``), a code of another tool in an
``lrlint: ignore[...]``, or a rule that does not exist.
"""

from __future__ import annotations

from lrlint.checks.base import Rule, RuleContext
from lrlint.checks.lr100_unused_suppression import DIRECTIVES


class UnknownSuppressionCode(Rule):
    code = "LR101"
    name = "unknown-suppression-code"
    summary = "a suppression comment names a code no lrlint rule has (a typo suppresses nothing)"
    vocabulary = DIRECTIVES
    needs_tracked_object = False

    def check(self, context: RuleContext) -> None:
        """Nothing to do here: see ``lrlint.suppression.check_directives``."""
