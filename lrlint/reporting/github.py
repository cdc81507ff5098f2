"""GitHub Actions workflow commands: one ``::warning``/``::error`` annotation per diagnostic.

Escaping follows the Actions toolkit (``@actions/core``): the message escapes ``%``, CR and LF;
property values also escape ``:`` and ``,``.
"""

from __future__ import annotations

from typing import TextIO

from lrlint.diagnostics import Diagnostic
from lrlint.reporting.common import Report, severity


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_command(diagnostic: Diagnostic, report: Report) -> str:
    title = diagnostic.code or diagnostic.name
    properties = {
        "file": report.posix(diagnostic.path),
        "line": diagnostic.start.line,
        "col": diagnostic.start.column,
        "endLine": diagnostic.end.line,
        "endColumn": diagnostic.end.column,
        "title": title,
    }
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    separator = ": " if diagnostic.is_file_error else " "
    message = escape_data(title + separator + diagnostic.message)
    return f"::{severity(diagnostic)} {rendered}::{message}"


def write_github(report: Report, out: TextIO) -> None:
    out.writelines(to_command(diagnostic, report) + "\n" for diagnostic in report.diagnostics)
