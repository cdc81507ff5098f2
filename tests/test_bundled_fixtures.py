"""The bundled fixtures: every `# expect: LRnnn` marker is found on its line, nothing else is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lrlint import lint_paths
from lrlint.checks import rule_by_code

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MARKER = re.compile(r"#\s*expect:\s*((?:LR\d{3}[ ,]*)+)")


def expected(path: Path, only_known: bool = True) -> list[tuple[int, str]]:
    known = rule_by_code() if only_known else None
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = MARKER.search(line)
        if match:
            found.extend((number, code) for code in re.findall(r"LR\d{3}", match.group(1))
                         if known is None or code in known)
    return sorted(found)


FILES = sorted(FIXTURES.glob("*.py"))


def test_there_are_clean_and_buggy_fixtures():
    assert len(FILES) >= 6
    assert any(not expected(path, only_known=False) for path in FILES)
    assert sum(bool(expected(path, only_known=False)) for path in FILES) >= 4


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fixture_findings_match_markers(path):
    result = lint_paths([path], jobs=1)
    assert not result.has_file_errors
    assert sorted((d.start.line, d.code) for d in result.diagnostics) == expected(path)


def test_parallel_run_equals_serial_run():
    serial = lint_paths([FIXTURES], jobs=1).diagnostics
    parallel = lint_paths([FIXTURES], jobs=2).diagnostics
    assert serial == parallel
    assert serial
