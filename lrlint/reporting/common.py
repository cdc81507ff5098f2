"""What every output format shares: rule metadata, the report's inputs, ordering and paths."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from lrlint.diagnostics import Diagnostic, Severity

# The file's lines without line endings, or None when it cannot be shown.
SourceLines = Callable[[str], "list[str] | None"]


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

    def url(self, diagnostic: Diagnostic) -> str | None:
        if diagnostic.url:
            return diagnostic.url
        rule = self.rules.get(diagnostic.code or "")
        return rule.url if rule else None

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
