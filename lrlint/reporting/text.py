"""Human-readable output in the manner of Ruff's full and concise formats.

::

    train.py:12:5: LR001 [*] `opt.lr = 0.1` sets an attribute SGD never reads ...
       |
    11 | for epoch in range(10):
    12 |     opt.lr = 0.1
       |     ^^^^^^^^^^^^
    13 |     train(opt)
       |
    help: Set the LR of every param group of `opt`

    Found 1 warning (1 fixable with --fix).

``[*]`` marks a finding ``--fix`` would fix. With ``--show-fixes`` the fix follows as the lines it
removes (``-``) and adds (``+``). In a notebook, positions read ``cell N:line:col`` and the lines
shown are the cell's.

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
from lrlint.reporting.common import Report, where

TAB_WIDTH = 4
MAX_FRAME_LINES = 3
CONTEXT_LINES = 1  # lines shown above and below a finding

_RESET = "\x1b[0m"
_STYLES = {
    "path": "\x1b[1m",
    "code": "\x1b[1;31m",
    "caret": "\x1b[31m",
    "gutter": "\x1b[34m",
    "help": "\x1b[36m",
    "removed": "\x1b[31m",
    "added": "\x1b[32m",
    "fixed": "\x1b[1;32m",
}


class Painter:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, style: str, text: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if self.enabled and text else text


def wants_colour(out: TextIO, choice: bool | None = None) -> bool:
    """``--color always``/``never`` decide; otherwise colour only for a terminal, and never
    when NO_COLOR is set (https://no-color.org)."""
    if choice is not None:
        return choice
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


def frame(
    diagnostic: Diagnostic, lines: list[str], context: int = CONTEXT_LINES
) -> list[tuple[int | None, str, int, int]]:
    """Rows of ``(line number, displayed text, caret start, caret width)``; number None: "...".

    ``context`` lines before and after the range are shown without carets.
    """
    start, end = diagnostic.start, diagnostic.end
    if not 1 <= start.line <= len(lines):
        return []
    last_line = min(max(end.line, start.line), len(lines))
    if last_line > start.line and end.column <= 1:
        last_line -= 1  # the range ends at the start of a line: nothing of that line is in it
    rows: list[tuple[int | None, str, int, int]] = []
    for number in range(max(start.line - context, 1), start.line):
        rows.append((number, render_line(lines[number - 1])[0], 0, 0))
    shown_lines = 0
    for number in range(start.line, last_line + 1):
        if shown_lines == MAX_FRAME_LINES:
            rows.append((None, "...", 0, 0))
            return rows
        shown_lines += 1
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
    for number in range(last_line + 1, min(last_line + context, len(lines)) + 1):
        if number == len(lines) and not lines[-1]:
            break  # the empty "line" after the file's last line break
        rows.append((number, render_line(lines[number - 1])[0], 0, 0))
    return rows


def header(diagnostic: Diagnostic, report: Report, paint: Painter, path: bool = True) -> str:
    """``path:line:col: CODE [*] message`` (``path:cell N:line:col:`` in a notebook)."""
    location = f"{paint('path', report.display(diagnostic.path))}:" if path else ""
    location += where(diagnostic) + (":" if path else "")
    if diagnostic.code is None:
        return f"{location} {paint('code', diagnostic.name + ':')} {diagnostic.message}"
    marker = " [*]" if report.show_fix_status and report.fixable(diagnostic) else ""
    return f"{location} {paint('code', diagnostic.code)}{marker} {diagnostic.message}"


def _has_frame(diagnostic: Diagnostic) -> bool:
    # io/decode/internal errors point at 1:1 by convention; a frame there would mislead.
    return diagnostic.code is not None or diagnostic.name == "syntax-error"


def _gutter_rows(rows, paint: Painter) -> list[str]:
    width = max(len(str(number)) for number, *_ in rows if number is not None)
    blank = paint("gutter", f"{'':>{width}} |")
    out = [blank]
    for number, shown, caret_start, caret_width in rows:
        if number is None:
            out.append(f"{blank} {shown}")
            continue
        out.append(f"{paint('gutter', f'{number:>{width}} |')} {shown}".rstrip())
        if caret_width:
            out.append(f"{blank} {' ' * caret_start}{paint('caret', '^' * caret_width)}")
    out.append(blank)
    return out


def _block(diagnostic: Diagnostic, report: Report, paint: Painter) -> list[str]:
    out = [header(diagnostic, report, paint)]
    lines = report.lines(diagnostic) if _has_frame(diagnostic) else None
    rows = frame(diagnostic, lines) if lines is not None else []
    if rows:
        out.extend(_gutter_rows(rows, paint))
    fix = diagnostic.fix
    if fix is not None:
        note = " (unsafe fix)" if fix.applicability == "unsafe" else ""
        out.append(f"{paint('help', 'help:')} {fix.message}{note}")
        if report.show_fix_diff and lines is not None:
            out.extend(fix_diff(diagnostic, lines, paint))
    return out


def fix_diff(diagnostic: Diagnostic, lines: list[str], paint: Painter) -> list[str]:
    """The fix as the lines it removes (``-``, numbered as before) and adds (``+``, numbered as
    after), over the smallest block of lines its edits touch."""
    from lrlint.edits import apply_edits

    fix = diagnostic.fix
    assert fix is not None
    if not fix.edits:
        return []
    after = apply_edits("\n".join(lines), [fix]).text.split("\n")
    first = min(edit.start.line for edit in fix.edits)
    last = max(edit.end.line - (edit.end.column == 1 and edit.end.line > edit.start.line)
               for edit in fix.edits)
    first, last = max(first, 1), min(max(last, first), len(lines))
    old = lines[first - 1 : last]
    new = after[first - 1 : last + len(after) - len(lines)]
    while old and new and old[0] == new[0]:  # the edits' lines that did not change
        old, new, first = old[1:], new[1:], first + 1
    while old and new and old[-1] == new[-1]:
        old, new = old[:-1], new[:-1]
    rows = [(first + i, "-", text) for i, text in enumerate(old)]
    rows += [(first + i, "+", text) for i, text in enumerate(new)]
    if not rows:
        return []
    width = max(len(str(number)) for number, _, _ in rows)
    blank = paint("gutter", f"{'':>{width}} |")
    out = [blank]
    for number, sign, text in rows:
        style = "removed" if sign == "-" else "added"
        shown = f"{sign} {render_line(text)[0]}".rstrip()
        out.append(f"{paint('gutter', f'{number:>{width}}')} {paint(style, shown)}")
    out.append(blank)
    return out


def write_text(report: Report, out: TextIO) -> None:
    """The full format (``text``, ``full``): each finding with its source, then a summary."""
    paint = Painter(wants_colour(out, report.colour))
    if report.show_violations:
        if report.quiet:
            out.writelines(header(d, report, paint) + "\n" for d in report.diagnostics)
            return
        out.writelines(
            "\n".join(_block(diagnostic, report, paint)) + "\n\n"
            for diagnostic in report.diagnostics
        )
    write_closing(report, out, paint)


def write_concise(report: Report, out: TextIO) -> None:
    """One line per finding, then the summary."""
    paint = Painter(wants_colour(out, report.colour))
    if report.show_violations:
        out.writelines(header(d, report, paint) + "\n" for d in report.diagnostics)
        if report.quiet:
            return
    write_closing(report, out, paint)


def write_closing(report: Report, out: TextIO, paint: Painter) -> None:
    """What follows the findings: what was fixed (with --show-fixes), then the totals."""
    from lrlint.reporting.summary import fix_summary, summary

    if report.show_fix_summary and report.fixed_diagnostics:
        out.write("\n" + "\n".join(fix_summary(report, paint)) + "\n\n")
    lines = summary(report)
    if lines:
        out.write("\n".join(lines) + "\n")
