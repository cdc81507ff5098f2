"""JUnit XML, as Ruff writes it: one test suite per file, one failed test case per finding.

A clean run is one passing test case, ``No errors found``, so that CI shows a green test.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby
from typing import TextIO

from lrlint.reporting.common import Report, file_position


def write_junit(report: Report, out: TextIO) -> None:
    total = len(report.diagnostics)
    suites = ET.Element("testsuites", name="lrlint", tests=str(max(total, 1)),
                        failures=str(total), errors="0")
    if not report.diagnostics:
        suite = ET.SubElement(suites, "testsuite", name="lrlint", tests="1", disabled="0",
                              errors="0", failures="0", package="org.lrlint")
        ET.SubElement(suite, "testcase", name="No errors found")
    for path, group in groupby(report.diagnostics, key=lambda d: d.path):
        findings = list(group)
        shown = report.display(path)
        suite = ET.SubElement(suites, "testsuite", name=shown, tests=str(len(findings)),
                              disabled="0", errors="0", failures=str(len(findings)),
                              package="org.lrlint")
        classname = shown.rsplit(".", 1)[0] if "." in shown.rsplit("/", 1)[-1] else shown
        for diagnostic in findings:
            start, _ = file_position(diagnostic)
            rule = diagnostic.code or diagnostic.name
            case = ET.SubElement(suite, "testcase", name=f"org.lrlint.{rule}", classname=classname,
                                 line=str(start.line), column=str(start.column))
            failure = ET.SubElement(case, "failure", message=diagnostic.message)
            at = diagnostic.start
            cell = f"cell {diagnostic.cell}, " if diagnostic.cell is not None else ""
            failure.text = f"{cell}line {at.line}, col {at.column}, {diagnostic.message}"
            if diagnostic.fix is not None:
                failure.text += f"\nhelp: {diagnostic.fix.message}"
    ET.indent(suites, space="    ")
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(suites, encoding="unicode") + "\n")
