"""Human-readable output in the manner of Ruff's full format.

::

    train.py:12:5: LR001 Assigning `opt.lr` creates an unused attribute
       |
    12 |     opt.lr = 0.1
       |     ^^^^^^^^^^^^
       |
    help: Set the LR on every param group

    Found 1 error (1 fixable with --fix).

Source lines are shown with tabs expanded to 4-column stops, wide East Asian characters
counted as two columns and control characters drawn as their Unicode control pictures, so the
carets stay under the characters they point at. A range over more than ``MAX_FRAME_LINES``
lines shows its first lines and an ellipsis.
"""

from __future__ import annotations

import os
import unicodedata
from typing import TextIO

from lrlint.diagnostics import Diagnostic
from lrlint.reporting.common import Report

TAB_WIDTH = 4
MAX_FRAME_LINES = 3

_RESET = "\x1b[0m"
_STYLES = {
    "path": "\x1b[1m",
    "code": "\x1b[1;31m",
    "caret": "\x1b[31m",
    "gutter": "\x1b[34m",
    "help": "\x1b[36m",
}


class _Painter:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, style: str, text: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if self.enabled and text else text


def wants_colour(out: TextIO) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty()) and "NO_COLOR" not in os.environ


def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def render_line(line: str) -> tuple[str, list[int]]:
    """The line as displayed, and the display column where each character (and the end) starts."""
    shown: list[str] = []
    starts: list[int] = []
    column = 0
    for char in line:
        starts.append(column)
        if char == "\t":
            width = TAB_WIDTH - column % TAB_WIDTH
            shown.append(" " * width)
        elif char < " " or char == "\x7f":
            width = 1
            shown.append(chr(0x2400 + ord(char)) if char != "\x7f" else "\u2421")
        else:
            width = _char_width(char)
            shown.append(char)
        column += width
    starts.append(column)
    return "".join(shown), starts


def _display_column(starts: list[int], index: int) -> int:
    """Display column of the character at ``index``; past the end, one column per character."""
    if index < len(starts):
        return starts[index]
    return starts[-1] + index - (len(starts) - 1)


def _underline(line: str, first: int | None, last: int | None) -> tuple[str, int, int]:
    """Displayed line and caret span for characters ``first`` to ``last`` (exclusive).

    ``None`` for ``first`` means "from the first non-blank character", for ``last``
    "to the end of the line's text".
    """
    shown, starts = render_line(line)
    if first is None:
        first = len(line) - len(line.lstrip())
    if last is None:
        last = len(line.rstrip())
    begin = _display_column(starts, max(first, 0))
    end = _display_column(starts, max(last, first, 0))
    return shown, begin, max(end - begin, 1)


def frame(diagnostic: Diagnostic, lines: list[str]) -> list[tuple[int | None, str, int, int]]:
    """Rows of ``(line number, displayed text, caret start, caret width)``; number None: "..."."""
    start, end = diagnostic.start, diagnostic.end
    if not 1 <= start.line <= len(lines):
        return []
    last_line = min(max(end.line, start.line), len(lines))
    if last_line > start.line and end.column <= 1:
        last_line -= 1  # the range ends at the start of a line: nothing of that line is in it
    rows: list[tuple[int | None, str, int, int]] = []
    for number in range(start.line, last_line + 1):
        if len(rows) == MAX_FRAME_LINES:
            rows.append((None, "...", 0, 0))
            break
        line = lines[number - 1]
        if start.line == end.line:
            span = (start.column - 1, max(end.column - 1, start.column - 1))
        elif number == start.line:
            span = (start.column - 1, None)
        elif number == end.line:
            span = (None, end.column - 1)
        else:
            span = (None, None)
        shown, caret_start, caret_width = _underline(line, *span)
        if number != start.line and not line.strip():
            caret_width = 0  # a blank line inside the range: nothing to point at
        rows.append((number, shown, caret_start, caret_width))
    return rows


def _header(diagnostic: Diagnostic, report: Report, paint: _Painter) -> str:
    start = diagnostic.start
    where = f"{paint('path', report.display(diagnostic.path))}:{start.line}:{start.column}:"
    if diagnostic.code is None:
        return f"{where} {paint('code', diagnostic.name + ':')} {diagnostic.message}"
    return f"{where} {paint('code', diagnostic.code)} {diagnostic.message}"


def _has_frame(diagnostic: Diagnostic) -> bool:
    # io/decode/internal errors point at 1:1 by convention; a frame there would mislead.
    return diagnostic.code is not None or diagnostic.name == "syntax-error"


def _block(diagnostic: Diagnostic, report: Report, paint: _Painter) -> list[str]:
    out = [_header(diagnostic, report, paint)]
    lines = (
        report.source_lines(diagnostic.path)
        if report.source_lines and _has_frame(diagnostic)
        else None
    )
    rows = frame(diagnostic, lines) if lines is not None else []
    if rows:
        width = max(len(str(number)) for number, *_ in rows if number is not None)
        blank = paint("gutter", f"{'':>{width}} |")
        out.append(blank)
        for number, shown, caret_start, caret_width in rows:
            if number is None:
                out.append(f"{blank} {shown}")
                continue
            out.append(f"{paint('gutter', f'{number:>{width}} |')} {shown}".rstrip())
            if caret_width:
                out.append(f"{blank} {' ' * caret_start}{paint('caret', '^' * caret_width)}")
        out.append(blank)
    fix = diagnostic.fix
    if fix is not None:
        note = " (unsafe fix)" if fix.applicability == "unsafe" else ""
        out.append(f"{paint('help', 'help:')} {fix.message}{note}")
    return out


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def summary(report: Report) -> list[str]:
    """The closing lines: totals, what --fix would do, and fixes hidden behind --unsafe-fixes.

    ``report.diagnostics`` are what remains after this run's fixes; ``report.fixed`` how many
    were fixed, so the total found is their sum.
    """
    remaining = len(report.diagnostics)
    fixes = [d.fix for d in report.diagnostics if d.fix is not None]
    hidden = 0 if report.unsafe_fixes else sum(f.applicability == "unsafe" for f in fixes)
    fixable = len(fixes) - hidden
    if remaining == 0 and report.fixed == 0:
        lines = ["All checks passed!"]
    else:
        found = f"Found {_plural(report.fixed + remaining, 'error', 'errors')}"
        if report.fixed:
            found += f" ({report.fixed} fixed, {remaining} remaining)"
        elif fixable:
            found += f" ({fixable} fixable with --fix)"
        lines = [found + "."]
    if hidden:
        lines.append(
            f"{_plural(hidden, 'hidden fix', 'hidden fixes')} can be enabled"
            " with the --unsafe-fixes option."
        )
    return lines


def write_text(report: Report, out: TextIO) -> None:
    paint = _Painter(wants_colour(out))
    if report.quiet:
        out.writelines(
            _header(diagnostic, report, paint) + "\n" for diagnostic in report.diagnostics
        )
        return
    out.writelines(
        "\n".join(_block(diagnostic, report, paint)) + "\n\n" for diagnostic in report.diagnostics
    )
    out.write("\n".join(summary(report)) + "\n")
