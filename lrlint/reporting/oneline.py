"""One line per finding for tools that read their own line formats: ``pylint`` and ``azure``.

``pylint``, as Ruff writes it: ``path:line: [CODE] message``. ``azure``: Azure Pipelines'
``##vso[task.logissue ...]`` logging command with the absolute source path. A notebook finding
points at the notebook's first line; its cell and line lead the message.
"""

from __future__ import annotations

from typing import TextIO

from lrlint.reporting.common import Report, file_position, located_message, severity


def write_pylint(report: Report, out: TextIO) -> None:
    for diagnostic in report.diagnostics:
        start, _ = file_position(diagnostic)
        code = diagnostic.code or diagnostic.name
        out.write(f"{report.display(diagnostic.path)}:{start.line}: [{code}] "
                  f"{located_message(diagnostic)}\n")


def _azure_data(text: str) -> str:
    # As the Azure Pipelines task library escapes a logging command's message.
    return text.replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A")


def _azure_value(text: str) -> str:
    # A property value also ends at ';' and the property list at ']'.
    return _azure_data(text).replace(";", "%3B").replace("]", "%5D")


def write_azure(report: Report, out: TextIO) -> None:
    for diagnostic in report.diagnostics:
        start, _ = file_position(diagnostic)
        properties = {
            "type": severity(diagnostic),
            "sourcepath": report.absolute(diagnostic.path),
            "linenumber": start.line,
            "columnnumber": start.column,
            "code": diagnostic.code or diagnostic.name,
        }
        rendered = "".join(f"{key}={_azure_value(str(value))};"
                           for key, value in properties.items())
        out.write(f"##vso[task.logissue {rendered}]{_azure_data(located_message(diagnostic))}\n")
