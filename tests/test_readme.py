"""The README's rule table and usage notes agree with the code."""

from __future__ import annotations

import re
from pathlib import Path

from lrlint.checks import all_rules
from lrlint.cli import OUTPUT_FORMATS
from lrlint.reporting import FORMATS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
_ROW = re.compile(r"^\| (LR\d{3}) \| ([a-z-]+) \| (.+) \| (.+) \|$", re.MULTILINE)


def test_rule_table_matches_the_registry():
    rows = {code: (name, fix) for code, name, _, fix in _ROW.findall(README)}
    rules = {rule.code: rule for rule in all_rules()}
    assert sorted(rows) == sorted(rules), "every rule has exactly one row"
    for code, (name, fix) in rows.items():
        rule = rules[code]
        assert name == rule.name, code
        assert (fix == "—") == (not rule.fixable), f"{code}: fix column {fix!r}"
        assert fix in ("—", "safe", "unsafe", "safe / unsafe"), code


def test_every_output_format_is_documented_and_offered():
    assert OUTPUT_FORMATS == FORMATS  # the CLI's list (kept import-free) is the writers' list
    usage = README[README.index("## Usage"):README.index("### Notebooks")]
    for fmt in FORMATS:
        assert f"`{fmt}`" in usage, fmt


def test_readme_documents_what_users_asked_about():
    for text in ("LRLINT_OUTPUT_FORMAT", "lrlint check", 'pip install "lrlint[plot]"',
                 "--force-exclude", "types_or: [python, jupyter]", 'external = ["LR"]',
                 "lrlint.toml", "--isolated", "cell 3:3:5"):
        assert text in README, text
