"""Ruff's ``grouped`` format: a heading per file, then one indented line per finding.

::

    train.py:
      5:5 LR003 [*] `sched.step()` runs before `opt.step()` ...
      7:1 LR001 `opt.lr = 0.01` sets an attribute SGD never reads ...

    Found 2 warnings (1 fixable with --fix).
"""

from __future__ import annotations

from itertools import groupby
from typing import TextIO

from lrlint.reporting.common import Report
from lrlint.reporting.text import Painter, header, wants_colour, write_closing


def write_grouped(report: Report, out: TextIO) -> None:
    paint = Painter(wants_colour(out, report.colour))
    if report.show_violations:
        for path, group in groupby(report.diagnostics, key=lambda d: d.path):
            out.write(f"{paint('path', report.display(path))}:\n")
            out.writelines(f"  {header(d, report, paint, path=False)}\n" for d in group)
            out.write("\n")
        if report.quiet:
            return
    write_closing(report, out, paint)
