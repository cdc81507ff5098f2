"""Inline suppression comments.

- ``# lrlint: ignore[LR001,LR003]`` or ``# noqa: LR001, LR003`` on a line of the finding;
- bare ``# lrlint: ignore`` or ``# noqa`` on that line: every code;
- ``# lrlint: ignore-file`` anywhere: the whole file.
"""

from __future__ import annotations

import re

from lrlint.diagnostics import Diagnostic

_IGNORE_FILE = re.compile(r"#\s*lrlint\s*:\s*ignore-file\b", re.IGNORECASE)
_DIRECTIVE = re.compile(
    r"#\s*(?:lrlint\s*:\s*ignore(?!-)(?:\[(?P<codes>[^\]]*)\])?"
    r"|noqa(?::\s*(?P<noqa>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*))?)",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Za-z]+[0-9]+")
ALL = frozenset({"*"})


def ignores_file(text: str) -> bool:
    return "lrlint" in text and _IGNORE_FILE.search(text) is not None


def line_directives(line: str) -> frozenset[str]:
    """Codes a line suppresses (``ALL`` for a bare directive), empty when none."""
    if "#" not in line:
        return frozenset()
    codes: set[str] = set()
    for match in _DIRECTIVE.finditer(line):
        listed = match.group("codes") if match.group("codes") is not None else match.group("noqa")
        if listed is None:
            return ALL
        codes.update(code.upper() for code in _CODE.findall(listed))
    return frozenset(codes)


def is_suppressed(diagnostic: Diagnostic, lines: list[str]) -> bool:
    """True when a directive on any line the diagnostic spans names its code."""
    if diagnostic.code is None:
        return False
    last = min(diagnostic.end.line, len(lines))
    for number in range(diagnostic.start.line, last + 1):
        codes = line_directives(lines[number - 1])
        if codes is ALL or diagnostic.code in codes:
            return True
    return False
