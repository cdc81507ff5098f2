"""What every output format shares: rule metadata, the report's inputs, ordering and paths."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from lrlint.diagnostics import Diagnostic, Position, Severity

# The file's lines without line endings, or None when it cannot be shown.
SourceLines = Callable[[str], "list[str] | None"]
# A notebook cell's lines (path, 1-based cell), or None.
CellLines = Callable[[str, int], "list[str] | None"]


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What a report needs to know about a rule; the rule registry builds these."""

    code: str
    name: str
    summary: str
    fixable: bool
    url: str
    severity: Severity = "warning"


@dataclass(frozen=True, slots=True)
class Report:
    """One run's findings, in output order, with what the formats need to render them."""

    diagnostics: tuple[Diagnostic, ...]
    rules: Mapping[str, RuleInfo]
    source_lines: SourceLines | None
    quiet: bool
    fixed: int
    unsafe_fixes: bool
    cwd: str
    cell_lines: CellLines | None = None
    fixed_diagnostics: tuple[Diagnostic, ...] = ()  # what this run's fixes removed
    show_fix_status: bool = True  # mark fixable findings with [*] (off when fixes were applied)
    show_fix_diff: bool = False  # each finding's fix as an inline diff (--show-fixes)
    show_fix_summary: bool = False  # what was fixed, per file and rule (--show-fixes with --fix)
    show_violations: bool = True  # off for --fix-only: only what was fixed
    colour: bool | None = None  # None: when writing to a terminal without NO_COLOR

    def url(self, diagnostic: Diagnostic) -> str | None:
        if diagnostic.url:
            return diagnostic.url
        rule = self.rules.get(diagnostic.code or "")
        return rule.url if rule else None

    def lines(self, diagnostic: Diagnostic) -> list[str] | None:
        """The lines ``diagnostic``'s positions count in: its file's, or its notebook cell's."""
        if diagnostic.cell is not None:
            return self.cell_lines(diagnostic.path, diagnostic.cell) if self.cell_lines else None
        return self.source_lines(diagnostic.path) if self.source_lines else None

    def fixable(self, diagnostic: Diagnostic) -> bool:
        """Whether ``--fix`` (with ``--unsafe-fixes`` if it was given) would apply its fix."""
        fix = diagnostic.fix
        return fix is not None and (fix.applicability == "safe" or self.unsafe_fixes)

    def absolute(self, path: str) -> str:
        return os.path.normpath(os.path.join(self.cwd, path))

    def display(self, path: str) -> str:
        """``path`` relative to the working directory when it lies below it, else as given."""
        if not os.path.isabs(path):
            return path
        rel = os.path.relpath(path, self.cwd)
        return path if rel == ".." or rel.startswith(".." + os.sep) else rel

    def posix(self, path: str) -> str:
        return self.display(path).replace(os.sep, "/")

    def relative_uri(self, path: str) -> str | None:
        """A URI relative to the working directory, or None when ``path`` lies outside it."""
        rel = os.path.relpath(self.absolute(path), self.cwd)
        if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
            return None
        return quote(rel.replace(os.sep, "/"))


def where(diagnostic: Diagnostic) -> str:
    """``line:column``, or ``cell N:line:column`` in a notebook, as Ruff writes them."""
    start = diagnostic.start
    cell = f"cell {diagnostic.cell}:" if diagnostic.cell is not None else ""
    return f"{cell}{start.line}:{start.column}"


def file_position(diagnostic: Diagnostic) -> tuple[Position, Position]:
    """Start and end in the file itself, for formats without a notion of cells: a notebook
    finding points at the notebook's first line (its cell and line go in the message)."""
    if diagnostic.cell is None:
        return diagnostic.start, diagnostic.end
    return Position(1, 1), Position(1, 1)


def located_message(diagnostic: Diagnostic) -> str:
    """The message, led by the cell position for a notebook finding in a cell-less format."""
    if diagnostic.cell is None:
        return diagnostic.message
    return f"{where(diagnostic)}: {diagnostic.message}"


def severity(diagnostic: Diagnostic) -> Severity:
    """File problems are always errors; findings carry the severity their rule gave them."""
    return "error" if diagnostic.is_file_error else diagnostic.severity


def ordered(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Path, line, column, code; then end and message so that equal keys still sort stably."""
    return tuple(
        sorted(
            diagnostics, key=lambda d: (d.sort_key(), d.end.line, d.end.column, d.message, d.name)
        )
    )
