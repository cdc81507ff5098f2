"""The closing lines of the human formats, the ``--show-fixes`` summary and ``--statistics``.

Totals name what they count: ``Found 2 warnings``, ``Found 1 error and 2 warnings`` (file
problems are errors; a finding has its rule's severity). Fixed findings count with the
severity they had.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import TextIO

from lrlint.diagnostics import Diagnostic
from lrlint.reporting.common import Report, severity


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def _tally(diagnostics: Iterable[Diagnostic], unknown: int = 0) -> str:
    """``2 warnings``, ``1 error and 2 warnings``. With ``unknown`` findings of unknown
    severity (fixes counted without their findings), all are called errors, as Ruff does."""
    by_severity = Counter(severity(d) for d in diagnostics)
    if unknown:
        return plural(by_severity.total() + unknown, "error")
    errors, warnings = by_severity["error"], by_severity["warning"]
    parts = [plural(errors, "error")] if errors or not warnings else []
    if warnings:
        parts.append(plural(warnings, "warning"))
    return " and ".join(parts)


def summary(report: Report) -> list[str]:
    """The totals, what ``--fix`` would do, and the fixes hidden behind ``--unsafe-fixes``.

    ``report.diagnostics`` are what remains after this run's fixes; ``report.fixed`` how many
    were fixed, so the total found is their sum.
    """
    remaining = len(report.diagnostics)
    fixes = [d.fix for d in report.diagnostics if d.fix is not None]
    hidden = 0 if report.unsafe_fixes else sum(f.applicability == "unsafe" for f in fixes)
    fixable = len(fixes) - hidden
    # Fixes counted without their findings (an API caller's count) read as errors, as before.
    unknown = max(report.fixed - len(report.fixed_diagnostics), 0)
    hidden_line = (
        f"{plural(hidden, 'hidden fix', 'hidden fixes')} can be enabled"
        " with the --unsafe-fixes option."
    )
    if not report.show_violations:  # --fix-only: what was fixed, nothing about the rest
        if report.fixed:
            return [f"Fixed {_tally(report.fixed_diagnostics, unknown)}."]
        return [hidden_line] if hidden else []
    if remaining == 0 and report.fixed == 0:
        lines = ["All checks passed!"]
    else:
        found = f"Found {_tally([*report.diagnostics, *report.fixed_diagnostics], unknown)}"
        if report.fixed:
            found += f" ({report.fixed} fixed, {remaining} remaining)"
        elif fixable:
            found += f" ({fixable} fixable with --fix)"
        lines = [found + "."]
    if hidden:
        lines.append(hidden_line)
    return lines


def fix_summary(report: Report, paint) -> list[str]:
    """``Fixed 2 warnings:`` then, per file, how many findings of each rule were fixed."""
    lines = [paint("fixed", f"Fixed {_tally(report.fixed_diagnostics)}:")]
    by_file: dict[str, Counter] = {}
    for diagnostic in report.fixed_diagnostics:
        by_file.setdefault(diagnostic.path, Counter())[(diagnostic.code, diagnostic.name)] += 1
    width = len(str(max(count for table in by_file.values() for count in table.values())))
    for path in sorted(by_file, key=report.display):
        lines.append(f"- {paint('path', report.display(path))}:")
        table = by_file[path]
        for (code, name), count in sorted(table.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"    {count:>{width}} × {paint('code', code or '')} ({name})")
    return lines


def statistics(report: Report) -> list[dict]:
    """One entry per rule (or kind of file problem): how many findings, whether fixable."""
    counts: Counter = Counter()
    fixable: dict[tuple, bool] = {}
    for diagnostic in report.diagnostics:
        key = (diagnostic.code, diagnostic.name)
        counts[key] += 1
        fixable[key] = fixable.get(key, False) or report.fixable(diagnostic)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0][0] or "", item[0][1]))
    return [
        {"code": code, "name": name, "count": count, "fixable": fixable[(code, name)]}
        for (code, name), count in ordered
    ]


def write_statistics(report: Report, fmt: str, out: TextIO) -> None:
    """``--statistics``: a count per rule, as Flake8 and Ruff print it (or as JSON)."""
    from lrlint.reporting.text import Painter, wants_colour

    table = statistics(report)
    if fmt == "json":
        out.write(json.dumps(table, indent=2) + "\n")
        return
    paint = Painter(wants_colour(out, report.colour))
    if table:
        count_width = max(len(str(row["count"])) for row in table)
        code_width = max(len(row["code"] or "") for row in table)
        any_fixable = any(row["fixable"] for row in table)
        for row in table:
            marker = ("[*] " if row["fixable"] else "[ ] ") if any_fixable else ""
            count = str(row["count"])
            code = (row["code"] or "").ljust(code_width)
            out.write(f"{count:>{count_width}}\t{paint('code', code)}\t{marker}{row['name']}\n")
    if not report.quiet:
        out.write("\n".join(summary(report)) + "\n")
