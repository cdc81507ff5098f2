"""Every rule page's examples are executed: docs that are tested cannot drift."""

from __future__ import annotations

import pytest
from rule_pages import PAGES, all_pages

from lrlint import lint_source
from lrlint.checks import all_rules
from lrlint.cli import main

PAGES_BY_CODE = {page.code: page for page in all_pages()}
CODES = [rule.code for rule in all_rules()]


def codes_in(source: str) -> list[str]:
    return [d.code for d in lint_source(source, "example.py", select=["ALL"]).diagnostics]


def test_every_rule_has_a_page_and_every_page_a_rule():
    assert sorted(PAGES_BY_CODE) == sorted(CODES)


@pytest.mark.parametrize("code", CODES)
def test_page_has_examples(code):
    page = PAGES_BY_CODE[code]
    rule = next(r for r in all_rules() if r.code == code)
    assert page.title == f"# {code} {rule.name}"
    assert page.bad, "a page needs at least one bad example"
    assert page.good, "a page needs at least one good example"
    assert (page.fixed is not None) == rule.fixable, "fixable rules show the fixed example"
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## When it does not fire"):
        assert heading in page.path.read_text(encoding="utf-8"), heading


@pytest.mark.parametrize("code", CODES)
def test_bad_examples_raise_exactly_this_code(code):
    for source in PAGES_BY_CODE[code].bad:
        found = codes_in(source)
        assert found, f"no finding in a bad example of {code}:\n{source}"
        assert set(found) == {code}, f"{code} bad example raised {found}"


@pytest.mark.parametrize("code", CODES)
def test_good_examples_raise_nothing(code):
    for source in PAGES_BY_CODE[code].good:
        assert codes_in(source) == [], f"a good example of {code} raised findings"


@pytest.mark.parametrize("code", [c for c in CODES if PAGES_BY_CODE.get(c) and PAGES_BY_CODE[c].fixed])
def test_fix_turns_bad_into_fixed(code):
    page = PAGES_BY_CODE[code]
    result = lint_source(page.bad[0], "example.py", select=[code], fix=True,
                         unsafe_fixes=page.fix_is_unsafe)
    assert result.fixed_source == page.fixed
    if page.fix_is_unsafe:  # and without --unsafe-fixes nothing changes
        assert lint_source(page.bad[0], "example.py", select=[code], fix=True).fixed_source is None
    # Fixing is idempotent: the fixed text has nothing left to fix.
    again = lint_source(page.fixed, "example.py", select=[code], fix=True, unsafe_fixes=True)
    assert again.fixed_source is None


@pytest.mark.parametrize("code", CODES)
def test_rule_command_prints_the_page(code, capsys):
    assert main(["rule", code]) == 0
    assert capsys.readouterr().out == (PAGES / f"{code}.md").read_text(encoding="utf-8")
