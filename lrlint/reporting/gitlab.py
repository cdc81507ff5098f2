"""GitLab Code Quality reports (a JSON array), with the fields Ruff writes.

``check_name`` (the code), ``description`` (``CODE: message``), ``severity`` (GitLab's scale:
an error is ``major``, a warning ``minor``), ``fingerprint`` (stable across runs: it hashes the
path, code and message, and counts repeats of the same triple, not line numbers, so a finding
keeps its identity when lines above it move) and ``location`` (the path relative to the working
directory, begin and end positions).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any, TextIO

from lrlint.diagnostics import Diagnostic
from lrlint.reporting.common import Report, file_position, located_message, severity

_SEVERITY = {"error": "major", "warning": "minor"}


def _fingerprint(diagnostic: Diagnostic, path: str, seen: Counter) -> str:
    key = (path, diagnostic.code or diagnostic.name, diagnostic.message)
    seen[key] += 1
    text = "\0".join((*key, str(seen[key])))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def to_gitlab(diagnostic: Diagnostic, report: Report, seen: Counter) -> dict[str, Any]:
    rule = diagnostic.code or diagnostic.name
    path = report.posix(diagnostic.path)
    start, end = file_position(diagnostic)
    return {
        "check_name": rule,
        "description": f"{rule}: {located_message(diagnostic)}",
        "severity": _SEVERITY[severity(diagnostic)],
        "fingerprint": _fingerprint(diagnostic, path, seen),
        "location": {
            "path": path,
            "positions": {
                "begin": {"line": start.line, "column": start.column},
                "end": {"line": end.line, "column": end.column},
            },
        },
    }


def write_gitlab(report: Report, out: TextIO) -> None:
    seen: Counter = Counter()
    items = [to_gitlab(d, report, seen) for d in report.diagnostics]
    out.write(json.dumps(items, indent=2) + "\n")
