"""Writing a run's diagnostics as ``text`` (Ruff-like), ``json`` (Ruff's), ``github`` or ``sarif``.

::

    write_report(diagnostics, "text", sys.stdout, rules=rules, source_lines=read_lines, fixed=2)

Diagnostics are sorted here (path, line, column, code), whatever order the caller gives.
``diagnostics`` are the ones that remain after this run's fixes; ``fixed`` counts the fixes
applied, ``unsafe_fixes`` says whether ``--unsafe-fixes`` was on. Both only change the text
summary. ``quiet`` keeps one line per diagnostic in the text format; the machine formats ignore it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import TextIO

from lrlint.diagnostics import Diagnostic
from lrlint.reporting.common import Report, RuleInfo, SourceLines, ordered
from lrlint.reporting.github import write_github
from lrlint.reporting.json_output import write_json
from lrlint.reporting.sarif import write_sarif
from lrlint.reporting.text import write_text

__all__ = ["FORMATS", "RuleInfo", "SourceLines", "write_report"]

FORMATS = ("text", "json", "github", "sarif")

_WRITERS: dict[str, Callable[[Report, TextIO], None]] = {
    "text": write_text,
    "json": write_json,
    "github": write_github,
    "sarif": write_sarif,
}


def write_report(
    diagnostics: Iterable[Diagnostic],
    fmt: str,
    out: TextIO,
    *,
    rules: Mapping[str, RuleInfo],
    source_lines: SourceLines | None = None,
    quiet: bool = False,
    fixed: int = 0,
    unsafe_fixes: bool = False,
    cwd: str | os.PathLike[str] | None = None,
) -> None:
    """Write ``diagnostics`` to ``out`` in format ``fmt`` (one of ``FORMATS``)."""
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    report = Report(
        diagnostics=ordered(diagnostics),
        rules=rules,
        source_lines=source_lines,
        quiet=quiet,
        fixed=fixed,
        unsafe_fixes=unsafe_fixes,
        cwd=os.path.abspath(cwd if cwd is not None else os.getcwd()),
    )
    writer(report, out)
