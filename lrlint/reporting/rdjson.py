"""Reviewdog Diagnostic Format (``rdjson``), with the fields Ruff writes plus each finding's
``severity`` (``ERROR`` or ``WARNING``; Ruff has one level for all).

Fix edits become ``suggestions`` (not for a notebook, whose edits count lines in a cell).
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from lrlint.diagnostics import Diagnostic, Position
from lrlint.reporting.common import Report, file_position, located_message, severity
from lrlint.reporting.sarif import INFORMATION_URI


def _range(start: Position, end: Position) -> dict[str, Any]:
    return {
        "start": {"line": start.line, "column": start.column},
        "end": {"line": end.line, "column": end.column},
    }


def to_rdjson(diagnostic: Diagnostic, report: Report) -> dict[str, Any]:
    code: dict[str, Any] = {"value": diagnostic.code or diagnostic.name}
    url = report.url(diagnostic)
    if url:
        code["url"] = url
    item: dict[str, Any] = {
        "code": code,
        "location": {
            "path": report.absolute(diagnostic.path),
            "range": _range(*file_position(diagnostic)),
        },
        "message": located_message(diagnostic),
        "severity": severity(diagnostic).upper(),
    }
    if diagnostic.fix is not None and diagnostic.fix.edits and diagnostic.cell is None:
        item["suggestions"] = [
            {"range": _range(edit.start, edit.end), "text": edit.content}
            for edit in diagnostic.fix.edits
        ]
    return item


def write_rdjson(report: Report, out: TextIO) -> None:
    document = {
        "diagnostics": [to_rdjson(d, report) for d in report.diagnostics],
        "severity": "WARNING",
        "source": {"name": "lrlint", "url": INFORMATION_URI},
    }
    out.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
