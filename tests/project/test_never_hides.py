"""Relevance never hides a finding lrlint makes today: every fixture and rule-page example
with a diagnostic is planned for the libcst model (each as a one-file project)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_pages import all_pages

from lrlint import lint_source
from lrlint.config import Config
from lrlint.project import plan_run
from lrlint.project.search_path import InstalledPackages

FIXTURES = sorted((Path(__file__).resolve().parents[2] / "fixtures").glob("*.py"))
EXAMPLES = [(f"{page.code}-{kind}{index}", source)
            for page in all_pages()
            for kind, sources in (("bad", page.bad), ("good", page.good))
            for index, source in enumerate(sources)]
EXAMPLES += [(path.name, path.read_text(encoding="utf-8")) for path in FIXTURES]


@pytest.mark.parametrize("name,source", EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_a_file_with_a_finding_is_planned_for_the_model(name, source, tmp_path):
    diagnostics = lint_source(source, name, select=["ALL"]).diagnostics
    (tmp_path / "pyproject.toml").write_text("")
    path = tmp_path / "example.py"
    path.write_text(source, encoding="utf-8")
    plan = plan_run([str(path)], config=Config(root=tmp_path), installed=InstalledPackages([]))
    if diagnostics:
        assert plan.wants(str(path)), plan.reasons
    else:  # no finding: nothing to say, but a kept file must have a reason
        assert plan.wants(str(path)) == (str(path) in plan.reasons or bool(plan.syntax_errors))


def test_the_examples_hold_findings():
    assert sum(bool(lint_source(s, n, select=["ALL"]).diagnostics) for n, s in EXAMPLES) >= 30
