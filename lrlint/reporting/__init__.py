"""Writing a run's diagnostics in one of Ruff's output formats (plus SARIF).

::

    write_report(diagnostics, "text", sys.stdout, rules=rules, source_lines=read_lines, fixed=2)

``text`` (the default) and ``full`` show each finding with its source; ``concise`` one line each;
``grouped`` one heading per file. The machine formats: ``json`` (Ruff's), ``json-lines``,
``junit``, ``github``, ``gitlab``, ``pylint``, ``rdjson``, ``azure``, ``sarif``.

Diagnostics are sorted here (path, cell, line, column, code), whatever order the caller gives.
``diagnostics`` are the ones that remain after this run's fixes; ``fixed`` counts the fixes
applied (``fixed_diagnostics`` are the findings they removed), ``unsafe_fixes`` says whether
``--unsafe-fixes`` was on. Those only change the human formats' summary. ``quiet`` keeps one
line per diagnostic in the human formats; the machine formats ignore it. The other options
are :class:`~lrlint.reporting.common.Report`'s.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from importlib import import_module
from typing import Any, TextIO

from lrlint.diagnostics import Diagnostic
from lrlint.reporting.common import CellLines, Report, RuleInfo, SourceLines, ordered

__all__ = [
    "FORMATS",
    "HUMAN_FORMATS",
    "CellLines",
    "RuleInfo",
    "SourceLines",
    "write_report",
    "write_statistics",
]

# format -> (module, function); imported on use, so a run pays only for the format it writes.
_WRITERS: dict[str, tuple[str, str]] = {
    "text": ("text", "write_text"),
    "full": ("text", "write_text"),
    "concise": ("text", "write_concise"),
    "grouped": ("grouped", "write_grouped"),
    "json": ("json_output", "write_json"),
    "json-lines": ("json_output", "write_json_lines"),
    "junit": ("junit", "write_junit"),
    "github": ("github", "write_github"),
    "gitlab": ("gitlab", "write_gitlab"),
    "pylint": ("oneline", "write_pylint"),
    "rdjson": ("rdjson", "write_rdjson"),
    "azure": ("oneline", "write_azure"),
    "sarif": ("sarif", "write_sarif"),
}
FORMATS = tuple(_WRITERS)
HUMAN_FORMATS = ("text", "full", "concise", "grouped")  # these have summaries and colour


def check_format(fmt: str) -> None:
    if fmt not in _WRITERS:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")


def make_report(
    diagnostics: Iterable[Diagnostic],
    *,
    rules: Mapping[str, RuleInfo],
    source_lines: SourceLines | None = None,
    quiet: bool = False,
    fixed: int = 0,
    unsafe_fixes: bool = False,
    cwd: str | os.PathLike[str] | None = None,
    fixed_diagnostics: Iterable[Diagnostic] = (),
    **options: Any,
) -> Report:
    return Report(
        diagnostics=ordered(diagnostics),
        rules=rules,
        source_lines=source_lines,
        quiet=quiet,
        fixed=fixed,
        unsafe_fixes=unsafe_fixes,
        cwd=os.path.abspath(cwd if cwd is not None else os.getcwd()),
        fixed_diagnostics=ordered(fixed_diagnostics),
        **options,
    )


def write_report(diagnostics: Iterable[Diagnostic], fmt: str, out: TextIO, **options: Any) -> None:
    """Write ``diagnostics`` to ``out`` in format ``fmt`` (one of ``FORMATS``)."""
    check_format(fmt)
    module_name, function_name = _WRITERS[fmt]
    writer: Callable[[Report, TextIO], None] = getattr(
        import_module(f"lrlint.reporting.{module_name}"), function_name)
    report = make_report(diagnostics, **options)
    if not report.show_violations and fmt not in HUMAN_FORMATS:
        return  # --fix-only: the machine formats have nothing to say
    writer(report, out)


def write_statistics(diagnostics: Iterable[Diagnostic], fmt: str, out: TextIO,
                     **options: Any) -> None:
    """``--statistics``: a count per rule, in the human formats or as JSON."""
    from lrlint.reporting.summary import write_statistics as write

    if fmt not in (*HUMAN_FORMATS, "json"):
        raise ValueError(f"--statistics writes text or json, not {fmt}")
    write(make_report(diagnostics, **options), fmt, out)
