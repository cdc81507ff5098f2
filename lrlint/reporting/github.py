"""GitHub Actions workflow commands: one ``::warning``/``::error`` annotation per diagnostic.

As Ruff writes them: the title names the tool and the rule (``lrlint (LR003)``), the message
starts with the location (``train.py:5:5: LR003 ...``). A notebook finding is annotated on the
notebook's first line, its message naming the cell. Escaping follows the Actions toolkit
(``@actions/core``): the message escapes ``%``, CR and LF; property values also escape ``:``
and ``,``.
"""

from __future__ import annotations

from typing import TextIO

from lrlint.diagnostics import Diagnostic
from lrlint.reporting.common import Report, file_position, severity, where


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_command(diagnostic: Diagnostic, report: Report) -> str:
    rule = diagnostic.code or diagnostic.name
    start, end = file_position(diagnostic)
    path = report.posix(diagnostic.path)
    properties = {
        "title": f"lrlint ({rule})",
        "file": path,
        "line": start.line,
        "col": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    }
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    separator = ": " if diagnostic.is_file_error else " "
    message = escape_data(f"{path}:{where(diagnostic)}: {rule}{separator}{diagnostic.message}")
    return f"::{severity(diagnostic)} {rendered}::{message}"


def write_github(report: Report, out: TextIO) -> None:
    out.writelines(to_command(diagnostic, report) + "\n" for diagnostic in report.diagnostics)
