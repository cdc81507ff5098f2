"""The findings that change the curve the code really produces: LR003, LR008, LR009, LR019
and LR027.

They come from running those rules (``lrlint.checks``) over the model ``explain`` already built,
as the engine runs them; a finding suppressed in the code (``# lrlint: ignore[LR009]``) does not
count. Each of these rules states its effect on the curve in the report's ``facts``:
``{"effect": "shift", "steps": 1}`` (LR003), ``{"effect": "squeeze" | "stretch", "factor": k,
...}`` (LR008, LR009; LR019 for the interval Lightning steps at), ``{"effect": "frozen", ...}``
(LR027: a timm scheduler driven only by the call its unit ignores), so nothing here reads a
message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst

SHAPING = ("LR003", "LR008", "LR009", "LR019", "LR027")


@dataclass(frozen=True)
class Finding:
    code: str
    line: int
    message: str
    facts: Mapping[str, object]
    node: cst.CSTNode  # the scheduler.step() call it is reported on (LR019: the constructor)


def shaping_findings(model, source, path: str, positions) -> list[Finding]:
    """Every unsuppressed finding of the ``SHAPING`` rules in the file, with its facts."""
    from lrlint.checks.base import RuleContext
    from lrlint.diagnostics import Diagnostic, Position
    from lrlint.source import split_lines
    from lrlint.suppression import is_suppressed

    context = RuleContext(model, source, path)
    for rule in _shaping_rules():
        context.rule = rule()
        before = len(context.reports)
        try:
            context.rule.check(context)
        except Exception:  # noqa: BLE001 - the linter reports a failing rule; explain draws without it
            del context.reports[before:]
    lines = split_lines(source.text)
    found = []
    for report in context.reports:
        if not report.facts:
            continue
        where = positions[report.node]
        start = Position(where.start.line, where.start.column + 1)
        end = Position(where.end.line, where.end.column + 1)
        if is_suppressed(Diagnostic(path, report.code, "", report.message, start, end), lines):
            continue
        found.append(Finding(report.code, start.line, report.message, report.facts,
                             report.node))  # type: ignore[arg-type]
    return found


def _shaping_rules() -> list:
    """The ``SHAPING`` rule classes, importing only their modules (not the whole registry)."""
    from importlib import import_module

    from lrlint.checks import rule_modules
    from lrlint.checks.base import Rule

    found = []
    for name in rule_modules():
        if name[:5].upper() in SHAPING:
            module = import_module(f"lrlint.checks.{name}")
            found += [value for value in vars(module).values()
                      if isinstance(value, type) and issubclass(value, Rule)
                      and value.__module__ == module.__name__]
    return found
