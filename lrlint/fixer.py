"""Applying fixes: text edits, re-parse, repeat until nothing changes.

Each round applies every applicable fix whose edits do not overlap an edit already taken this
round, then re-analyses the new text (fixes may enable or disable each other). A round whose
output does not parse is retried one fix at a time; a fix that breaks the syntax on its own is
dropped and reported as an internal error, never written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lrlint.checks.base import Rule
from lrlint.diagnostics import Diagnostic, Fix, Position
from lrlint.engine import analyse, file_error
from lrlint.source import SourceText, line_starts

if TYPE_CHECKING:
    from lrlint.workspace import Workspace

MAX_ROUNDS = 10


@dataclass
class FixOutcome:
    text: str
    applied: int
    diagnostics: list[Diagnostic] = field(default_factory=list)
    parsed: bool = True


def applicable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    fix = diagnostic.fix
    return fix is not None and (fix.applicability == "safe" or unsafe)


def apply_edits(text: str, fixes: Sequence[Fix]) -> tuple[str, list[Fix]]:
    """Apply non-overlapping fixes (in the given order of preference); return the new text and
    the fixes that were taken."""
    starts = line_starts(text)

    def offset(position: Position) -> int:
        if position.line > len(starts):
            return len(text)
        return min(starts[position.line - 1] + position.column - 1, len(text))

    taken: list[Fix] = []
    spans: list[tuple[int, int, str]] = []
    for fix in fixes:
        candidate = [(offset(e.start), offset(e.end), e.content) for e in fix.edits]
        if any(_overlaps(a, b) for a in candidate for b in spans):
            continue
        spans.extend(candidate)
        taken.append(fix)
    for begin, end, content in sorted(spans, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:begin] + content + text[end:]
    return text, taken


def _overlaps(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    (a0, a1, _), (b0, b1, _) = a, b
    if a0 == a1 or b0 == b1:
        # An insertion clashes with another insertion at the same point (their order would be
        # arbitrary) and with an edit that strictly surrounds it; touching an edit is fine.
        return a0 == a1 == b0 == b1 or b0 < a0 < b1 or a0 < b0 < a1
    return a0 < b1 and b0 < a1


def fix_text(path: str, source: SourceText, rules: Sequence[Rule], unsafe: bool,
             workspace: Workspace | None = None) -> FixOutcome:
    """Fix ``source`` as far as the rules can; return the final text and what remains. With a
    ``workspace``, each version of the text is modelled among the workspace's members."""
    text = source.text
    applied = 0
    broken: list[Diagnostic] = []
    refused: set[tuple] = set()  # fixes known to break the syntax
    analysis = analyse(path, source, text, rules, workspace)
    for _ in range(MAX_ROUNDS):
        if not analysis.parsed:
            break
        fixes = [d for d in sorted(analysis.diagnostics, key=Diagnostic.sort_key)
                 if applicable(d, unsafe) and _identity(d) not in refused]
        if not fixes:
            break
        new_text, taken = apply_edits(text, [d.fix for d in fixes])
        new_analysis = analyse(path, source, new_text, rules, workspace)
        if not new_analysis.parsed:
            # Find the culprits one by one; keep the fixes that are fine alone.
            good: list[Diagnostic] = []
            for diagnostic in fixes:
                alone, _ = apply_edits(text, [diagnostic.fix])
                if analyse(path, source, alone, rules, workspace).parsed:
                    good.append(diagnostic)
                else:
                    refused.add(_identity(diagnostic))
                    broken.append(_broken_fix(path, diagnostic))
            if not good:
                break
            new_text, taken = apply_edits(text, [d.fix for d in good])
            new_analysis = analyse(path, source, new_text, rules, workspace)
            if not new_analysis.parsed:
                break
        if new_text == text:
            break
        text, analysis = new_text, new_analysis
        applied += len(taken)
    return FixOutcome(text, applied, analysis.diagnostics + broken, analysis.parsed)


def _identity(diagnostic: Diagnostic) -> tuple:
    return (diagnostic.code, diagnostic.start, diagnostic.message)


def _broken_fix(path: str, diagnostic: Diagnostic) -> Diagnostic:
    return file_error(
        path, "internal-error",
        f"the fix for {diagnostic.code} at {diagnostic.start.line}:{diagnostic.start.column} "
        "produced invalid Python and was not applied (please report this)",
        diagnostic.start.line, diagnostic.start.column,
    )

