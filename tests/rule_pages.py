"""Reading the fenced examples of a rule page (``rules/LRNNN.md``).

A page holds ``python bad`` blocks (each must raise exactly the page's code), ``python good``
blocks (must raise nothing at all), and at most one ``python fixed`` block (``python fixed unsafe``
when the fix is unsafe): the first bad block, fixed, must read exactly like it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

PAGES = Path(__file__).resolve().parent.parent / "rules"
_FENCE = re.compile(r"^```python ([a-z ]+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


@dataclass
class Page:
    code: str
    path: Path
    title: str
    bad: list[str] = field(default_factory=list)
    good: list[str] = field(default_factory=list)
    fixed: str | None = None
    fix_is_unsafe: bool = False


def read_page(path: Path) -> Page:
    text = path.read_text(encoding="utf-8")
    page = Page(path.stem, path, text.splitlines()[0] if text else "")
    for match in _FENCE.finditer(text):
        kind = match.group(1).split()
        body = match.group(2)
        if kind[0] == "bad":
            page.bad.append(body)
        elif kind[0] == "good":
            page.good.append(body)
        elif kind[0] == "fixed":
            assert page.fixed is None, f"{path.name}: more than one fixed block"
            page.fixed = body
            page.fix_is_unsafe = "unsafe" in kind[1:]
    return page


def all_pages() -> list[Page]:
    return [read_page(path) for path in sorted(PAGES.glob("LR*.md"))]
