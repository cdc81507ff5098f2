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
from importlib import import_module
from typing import TextIO

from lrlint.diagnostics import Diagnostic
from lrlint.reporting.common import Report, RuleInfo, SourceLines, ordered

__all__ = ["FORMATS", "RuleInfo", "SourceLines", "write_report"]

FORMATS = ("text", "json", "github", "sarif")

# format -> (module, function); imported on use, so a run pays only for the format it writes.
_WRITERS: dict[str, tuple[str, str]] = {
    "text": ("text", "write_text"),
    "json": ("json_output", "write_json"),
    "github": ("github", "write_github"),
    "sarif": ("sarif", "write_sarif"),
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
    if fmt not in _WRITERS:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    module_name, function_name = _WRITERS[fmt]
    writer: Callable[[Report, TextIO], None] = getattr(
        import_module(f"lrlint.reporting.{module_name}"), function_name)
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
