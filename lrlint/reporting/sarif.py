"""SARIF 2.1.0: one run, a descriptor per rule, results with fixes, file problems as notifications.

The driver lists every rule the report was given (sorted by code), plus any code that appears
without metadata, so ``ruleIndex`` is stable across runs whatever was found. Artifact URIs are
relative to the working directory, under the base id ``%SRCROOT%``; a file outside it gets an
absolute ``file:`` URI. Columns are counted in Unicode code points (``columnKind``), the end
column is exclusive, as SARIF's regions are. A notebook finding is located on the notebook's first
line, its message naming the cell and line (SARIF regions count lines of the file).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

import lrlint
from lrlint.diagnostics import Diagnostic, Position
from lrlint.reporting.common import Report, RuleInfo, file_position, located_message, severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/lrlint/lrlint"
SRCROOT = "%SRCROOT%"


def _region(start: Position, end: Position) -> dict[str, int]:
    return {
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    }


def _artifact(path: str, report: Report) -> dict[str, str]:
    uri = report.relative_uri(path)
    if uri is None:
        return {"uri": Path(report.absolute(path)).as_uri()}
    return {"uri": uri, "uriBaseId": SRCROOT}


def _physical(diagnostic: Diagnostic, report: Report) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": _artifact(diagnostic.path, report),
            "region": _region(*file_position(diagnostic)),
        }
    }


def _descriptor(rule: RuleInfo) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "defaultConfiguration": {"level": rule.severity},
        "properties": {"fixable": rule.fixable},
    }
    if rule.url:
        descriptor["helpUri"] = rule.url
    return descriptor


def _rules(report: Report) -> list[RuleInfo]:
    rules = dict(report.rules)
    for diagnostic in report.diagnostics:
        code = diagnostic.code
        if code is not None and code not in rules:
            rules[code] = RuleInfo(
                code,
                diagnostic.name,
                diagnostic.name,
                False,
                diagnostic.url or "",
                diagnostic.severity,
            )
    return [rules[code] for code in sorted(rules)]


def _result(diagnostic: Diagnostic, index: int, report: Report) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "ruleIndex": index,
        "level": severity(diagnostic),
        "message": {"text": located_message(diagnostic)},
        "locations": [_physical(diagnostic, report)],
    }
    # A notebook's edits count lines in a cell, not in the file: no replacement to offer.
    # SARIF wants at least one replacement.
    if diagnostic.fix is not None and diagnostic.fix.edits and diagnostic.cell is None:
        result["fixes"] = [
            {
                "description": {"text": diagnostic.fix.message},
                "artifactChanges": [
                    {
                        "artifactLocation": _artifact(diagnostic.path, report),
                        "replacements": [
                            {
                                "deletedRegion": _region(edit.start, edit.end),
                                "insertedContent": {"text": edit.content},
                            }
                            for edit in diagnostic.fix.edits
                        ],
                    }
                ],
                "properties": {"applicability": diagnostic.fix.applicability},
            }
        ]
    return result


def _notification(diagnostic: Diagnostic, report: Report) -> dict[str, Any]:
    return {
        "level": "error",
        "message": {"text": f"{diagnostic.name}: {diagnostic.message}"},
        "descriptor": {"id": diagnostic.name},
        "locations": [_physical(diagnostic, report)],
    }


def to_sarif(report: Report) -> dict[str, Any]:
    rules = _rules(report)
    index = {rule.code: i for i, rule in enumerate(rules)}
    findings = [d for d in report.diagnostics if not d.is_file_error]
    problems = [d for d in report.diagnostics if d.is_file_error]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "lrlint",
                        "version": lrlint.__version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_descriptor(rule) for rule in rules],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": Path(report.cwd).as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "invocations": [
                    {
                        "executionSuccessful": not problems,
                        "toolExecutionNotifications": [_notification(d, report) for d in problems],
                    }
                ],
                "results": [
                    _result(d, index[d.code], report) for d in findings if d.code is not None
                ],
            }
        ],
    }


def write_sarif(report: Report, out: TextIO) -> None:
    out.write(json.dumps(to_sarif(report), indent=2) + "\n")
