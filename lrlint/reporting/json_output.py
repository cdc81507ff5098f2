"""JSON output compatible with Ruff's ``json`` and ``json-lines``, plus ``name`` and ``severity``.

Each object: ``cell`` (a notebook finding's 1-based cell, whose lines its locations count;
null in a Python file), ``code`` (null for a file problem), ``end_location``, ``filename``
(absolute), ``fix``, ``location``, ``message``, ``name``, ``noqa_row`` (the line a suppression
comment goes on; null for file problems), ``severity``, ``url``. Keys are sorted, as Ruff's
are. ``json`` is one indented array; ``json-lines`` one compact object per line.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from lrlint.diagnostics import Diagnostic, Fix, Position
from lrlint.reporting.common import Report, severity


def _location(position: Position) -> dict[str, int]:
    return {"column": position.column, "row": position.line}


def _fix(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "applicability": fix.applicability,
        "edits": [
            {
                "content": edit.content,
                "end_location": _location(edit.end),
                "location": _location(edit.start),
            }
            for edit in fix.edits
        ],
        "message": fix.message,
    }


def to_json(diagnostic: Diagnostic, report: Report) -> dict[str, Any]:
    return {
        "cell": diagnostic.cell,
        "code": diagnostic.code,
        "end_location": _location(diagnostic.end),
        "filename": report.absolute(diagnostic.path),
        "fix": _fix(diagnostic.fix),
        "location": _location(diagnostic.start),
        "message": diagnostic.message,
        "name": diagnostic.name,
        "noqa_row": None if diagnostic.is_file_error else diagnostic.start.line,
        "severity": severity(diagnostic),
        "url": report.url(diagnostic),
    }


def write_json(report: Report, out: TextIO) -> None:
    items = [to_json(d, report) for d in report.diagnostics]
    out.write(json.dumps(items, indent=2, sort_keys=True) + "\n")


def write_json_lines(report: Report, out: TextIO) -> None:
    for diagnostic in report.diagnostics:
        out.write(json.dumps(to_json(diagnostic, report), sort_keys=True, separators=(",", ":")))
        out.write("\n")
