"""The records every part of lrlint exchanges: findings, fixes and text edits.

Positions are 1-based lines and 1-based columns counted in characters (code points), the way
Ruff's JSON output counts them. An edit replaces the text between ``start`` (inclusive) and
``end`` (exclusive) with ``content``; an insertion has ``start == end``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Applicability = Literal["safe", "unsafe"]
Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True, slots=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Edit:
    start: Position
    end: Position
    content: str


@dataclass(frozen=True, slots=True)
class Fix:
    message: str
    edits: tuple[Edit, ...]
    applicability: Applicability = "safe"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding of a rule, or one problem with a file (``code`` is None then).

    ``name`` is the rule's kebab-case name (``optimizer-lr-attribute``) or, for a file problem,
    its kind: ``syntax-error``, ``io-error``, ``decode-error`` or ``internal-error``.
    """

    path: str
    code: str | None
    name: str
    message: str
    start: Position
    end: Position
    severity: Severity = "warning"
    fix: Fix | None = None
    url: str | None = None
    cell: int | None = None  # in a notebook: the 1-based cell; lines are counted in that cell

    @property
    def is_file_error(self) -> bool:
        return self.code is None

    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.start.line, self.start.column, self.code or "")


@dataclass(slots=True)
class FileResult:
    """Everything lrlint learned about one file in one run."""

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fixed_source: str | None = None  # set when fixes changed the text
    original_source: str | None = None  # kept only when fixed_source is set
    parsed: bool = False  # False when the prefilter skipped the file
    fixes_applied: int = 0
    fixed: list[Diagnostic] = field(default_factory=list)  # the findings this run's fixes removed

    @property
    def has_file_error(self) -> bool:
        return any(d.is_file_error for d in self.diagnostics)


# -- JSON round trip (the findings cache) -------------------------------------------------------

def diagnostic_to_json(diagnostic: Diagnostic) -> list:
    """A diagnostic as plain JSON values; :func:`diagnostic_from_json` reverses it."""
    fix = diagnostic.fix
    return [diagnostic.path, diagnostic.code, diagnostic.name, diagnostic.message,
            _position_to_json(diagnostic.start), _position_to_json(diagnostic.end),
            diagnostic.severity,
            None if fix is None else [fix.message, fix.applicability,
                                      [[_position_to_json(e.start), _position_to_json(e.end), e.content]
                                       for e in fix.edits]],
            diagnostic.url, diagnostic.cell]


def diagnostic_from_json(data: list) -> Diagnostic:
    """Raises TypeError (or ValueError) for anything :func:`diagnostic_to_json` did not write."""
    path, code, name, message, start, end, severity, fix, url, cell = data
    if fix is not None:
        fix_message, applicability, edits = fix
        fix = Fix(fix_message, tuple(Edit(_position(s), _position(e), content)
                                     for s, e, content in edits), applicability)
    if not (isinstance(path, str) and isinstance(name, str) and isinstance(message, str)):
        raise TypeError("malformed diagnostic")
    return Diagnostic(path, code, name, message, _position(start), _position(end), severity,
                      fix, url, cell)


def _position_to_json(position: Position) -> list[int]:
    return [position.line, position.column]


def _position(data: list) -> Position:
    line, column = data
    if not (isinstance(line, int) and isinstance(column, int)):
        raise TypeError("malformed position")
    return Position(line, column)
