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
