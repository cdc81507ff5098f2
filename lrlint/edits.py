"""Applying text edits: the plain string work behind ``--fix``, ``--diff`` and ``--show-fixes``.

Fixes are applied in the order given; one whose edits overlap an edit already taken is skipped.
*Fences* are offsets the edits must not cross (a notebook's cell boundaries): a fix with an edit
that straddles one is skipped too, and the fences move with the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lrlint.diagnostics import Fix, Position
from lrlint.source import line_starts

Span = tuple[int, int, str]  # start offset, end offset, replacement


@dataclass(frozen=True)
class Applied:
    text: str
    taken: list[Fix]
    fences: tuple[int, ...] = ()


def offset_of(text: str, starts: list[int], position: Position) -> int:
    """The offset of a 1-based line and column in ``text`` (clamped to its end)."""
    if position.line > len(starts):
        return len(text)
    return min(starts[position.line - 1] + position.column - 1, len(text))


def apply_edits(text: str, fixes: Sequence[Fix], fences: Sequence[int] = ()) -> Applied:
    """Apply the non-overlapping fixes that cross no fence; return the new text, the fixes that
    were taken and the fences' new offsets."""
    starts = line_starts(text)
    taken: list[Fix] = []
    spans: list[Span] = []
    for fix in fixes:
        candidate = [
            (offset_of(text, starts, e.start), offset_of(text, starts, e.end), e.content)
            for e in fix.edits
        ]
        if any(_overlaps(a, b) for a in candidate for b in spans):
            continue
        if any(start < fence < end for start, end, _ in candidate for fence in fences):
            continue
        spans.extend(candidate)
        taken.append(fix)
    moved = [fence + _shift(spans, fence) for fence in fences]
    for begin, end, content in sorted(spans, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:begin] + content + text[end:]
    return Applied(text, taken, tuple(moved))


def _shift(spans: list[Span], fence: int) -> int:
    """How far the edits before ``fence`` move it. An insertion exactly at a fence belongs to
    what follows (the start of the next cell)."""
    return sum(len(content) - (end - start) for start, end, content in spans if end <= fence
               and not (start == end == fence))


def _overlaps(a: Span, b: Span) -> bool:
    (a0, a1, _), (b0, b1, _) = a, b
    if a0 == a1 or b0 == b1:
        # An insertion clashes with another insertion at the same point (their order would be
        # arbitrary) and with an edit that strictly surrounds it; touching an edit is fine.
        return a0 == a1 == b0 == b1 or b0 < a0 < b1 or a0 < b0 < a1
    return a0 < b1 and b0 < a1
