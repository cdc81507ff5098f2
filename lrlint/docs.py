"""The rule pages (``rules/LRNNN.md``), from the installed package or the source tree."""

from __future__ import annotations

import re
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# A wheel carries the pages inside the package; an editable install reads the repository's.
_LOCATIONS = (_PACKAGE / "_rule_pages", _PACKAGE.parent / "rules")


def pages_directory() -> Path | None:
    for location in _LOCATIONS:
        if location.is_dir():
            return location
    return None


def rule_page(code: str) -> str | None:
    """The Markdown page of rule ``code`` (``LR003``), or None."""
    if not re.fullmatch(r"[A-Z]+[0-9]+", code):
        return None
    directory = pages_directory()
    if directory is None:
        return None
    page = directory / f"{code}.md"
    return page.read_text(encoding="utf-8") if page.is_file() else None
