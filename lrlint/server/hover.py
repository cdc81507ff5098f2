"""What a hover shows: the rule page of the code under the cursor.

A code is "under the cursor" inside the range of a finding, or on a rule code written in a
suppression comment (``# lrlint: ignore[LR003]``, ``# noqa: LR003``).
"""

from __future__ import annotations

from collections.abc import Iterable

from lrlint.diagnostics import Diagnostic
from lrlint.suppression import _CODE, _DIRECTIVE  # the one definition of a directive


def codes_in_directives(line: str) -> Iterable[tuple[str, int, int]]:
    """``(code, start, end)`` for each rule code in the line's suppression directives, with
    0-based code point offsets into the line."""
    if "#" not in line:
        return
    for directive in _DIRECTIVE.finditer(line):
        for code in _CODE.finditer(line, directive.start(), directive.end()):
            yield code.group().upper(), code.start(), code.end()


def directive_code_at(line: str, column: int) -> tuple[str, int, int] | None:
    """The directive code at 0-based ``column`` of ``line`` (its end counts: the cursor may sit
    just after the word), or None."""
    for code, start, end in codes_in_directives(line):
        if start <= column <= end:
            return code, start, end
    return None


def findings_at(findings: Iterable[Diagnostic], line: int, column: int) -> list[Diagnostic]:
    """The findings whose range holds the 1-based ``(line, column)``, ends included."""
    return [d for d in findings
            if (d.start.line, d.start.column) <= (line, column) <= (d.end.line, d.end.column)]


def rule_markdown(code: str) -> str | None:
    """The rule's page (or, without one, its name and summary); None for an unknown code."""
    from lrlint.checks import rule_by_code
    from lrlint.docs import rule_page

    rule = rule_by_code().get(code)
    if rule is None:
        return None
    page = rule_page(code)
    return page if page is not None else f"# {rule.code} {rule.name}\n\n{rule.summary}\n"
