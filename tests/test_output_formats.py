"""The output formats with Ruff's names, field for field, and the options of the text output."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest

from lrlint.diagnostics import Diagnostic, Edit, Fix, Position
from lrlint.reporting import FORMATS, RuleInfo, write_report, write_statistics

RULES = {
    "LR001": RuleInfo("LR001", "optimizer-lr-attribute", "s", True, "https://x/LR001"),
    "LR003": RuleInfo("LR003", "scheduler-step-before-optimizer-step", "s", True,
                      "https://x/LR003"),
    "LR007": RuleInfo("LR007", "invalid-scheduler-argument", "s", False, "https://x/LR007",
                      "error"),
}
LINES = {
    "train.py": ["import torch", "opt.lr = 0.1", "for x in y:", "    sched.step()",
                 "    opt.step()", ""],
}
SAFE = Fix("Set the LR of every param group",
           (Edit(Position(2, 1), Position(2, 13),
                 'for group in opt.param_groups:\n    group["lr"] = 0.1'),))
MOVE = Fix("Move `scheduler.step()` after the optimizer step",
           (Edit(Position(4, 1), Position(5, 1), ""),
            Edit(Position(5, 15), Position(5, 15), "\n    sched.step()")))
UNSAFE = Fix("swap", (Edit(Position(4, 5), Position(4, 9), "x"),), "unsafe")


def finding(code="LR001", start=(2, 1), end=(2, 7), path="train.py", fix=None, cell=None,
            message="`opt.lr` is not the LR") -> Diagnostic:
    rule = RULES[code]
    return Diagnostic(path, code, rule.name, message, Position(*start), Position(*end),
                      rule.severity, fix, rule.url, cell)


def problem(path="broken.py") -> Diagnostic:
    return Diagnostic(path, None, "syntax-error", "SyntaxError: invalid syntax", Position(3, 5),
                      Position(3, 5), "error")


def sample() -> list[Diagnostic]:
    return [
        finding(fix=SAFE),
        finding("LR003", (4, 5), (4, 17), fix=MOVE, message="step order"),
        finding("LR007", (1, 1), (1, 6), path="other.py", message="bad argument"),
        problem(),
    ]


def render(diagnostics, fmt="text", **options) -> str:
    out = io.StringIO()
    options.setdefault("source_lines", LINES.get)
    options.setdefault("cwd", "/project")
    write_report(diagnostics, fmt, out, rules=RULES, **options)
    return out.getvalue()


def test_every_ruff_format_is_offered():
    assert set(FORMATS) == {"text", "full", "concise", "grouped", "json", "json-lines", "junit",
                            "github", "gitlab", "pylint", "rdjson", "azure", "sarif"}


def test_full_is_text_and_concise_is_one_line_each_with_the_summary():
    assert render(sample(), "full") == render(sample(), "text")
    assert render(sample(), "concise") == (
        "broken.py:3:5: syntax-error: SyntaxError: invalid syntax\n"
        "other.py:1:1: LR007 bad argument\n"
        "train.py:2:1: LR001 [*] `opt.lr` is not the LR\n"
        "train.py:4:5: LR003 [*] step order\n"
        "Found 2 errors and 2 warnings (2 fixable with --fix).\n"
    )


def test_grouped():
    assert render(sample(), "grouped") == (
        "broken.py:\n"
        "  3:5 syntax-error: SyntaxError: invalid syntax\n"
        "\n"
        "other.py:\n"
        "  1:1 LR007 bad argument\n"
        "\n"
        "train.py:\n"
        "  2:1 LR001 [*] `opt.lr` is not the LR\n"
        "  4:5 LR003 [*] step order\n"
        "\n"
        "Found 2 errors and 2 warnings (2 fixable with --fix).\n"
    )


def test_json_lines_is_the_json_objects_one_per_line():
    lines = render(sample(), "json-lines").splitlines()
    assert [json.loads(line) for line in lines] == json.loads(render(sample(), "json"))
    assert all(": " not in line.split('"message"')[0] for line in lines)  # compact, as Ruff's
    assert render([], "json-lines") == ""


def test_junit():
    root = ET.fromstring(render(sample(), "junit"))
    assert (root.tag, root.get("name"), root.get("tests"), root.get("failures")) == (
        "testsuites", "lrlint", "4", "4")
    suites = {suite.get("name"): suite for suite in root}
    assert list(suites) == ["broken.py", "other.py", "train.py"]
    train = suites["train.py"]
    assert (train.get("tests"), train.get("failures"), train.get("package")) == (
        "2", "2", "org.lrlint")
    case = train[0]
    assert (case.get("name"), case.get("classname"), case.get("line"), case.get("column")) == (
        "org.lrlint.LR001", "train", "2", "1")
    failure = case.find("failure")
    assert failure.get("message") == "`opt.lr` is not the LR"
    assert failure.text == (
        "line 2, col 1, `opt.lr` is not the LR\nhelp: Set the LR of every param group")
    clean = ET.fromstring(render([], "junit"))
    assert clean.get("failures") == "0" and clean[0][0].get("name") == "No errors found"


def test_gitlab_code_quality():
    items = json.loads(render(sample(), "gitlab"))
    first = items[2]
    assert set(first) == {"check_name", "description", "severity", "fingerprint", "location"}
    assert first["check_name"] == "LR001"
    assert first["description"] == "LR001: `opt.lr` is not the LR"
    assert first["severity"] == "minor" and items[1]["severity"] == "major"
    assert first["location"] == {"path": "train.py", "positions": {
        "begin": {"line": 2, "column": 1}, "end": {"line": 2, "column": 7}}}
    assert items[0]["check_name"] == "syntax-error"
    fingerprints = [item["fingerprint"] for item in items]
    assert len(set(fingerprints)) == 4
    # Stable when lines move, and twice the same finding gets two fingerprints.
    moved = finding(start=(20, 1), end=(20, 7))
    assert json.loads(render([moved], "gitlab"))[0]["fingerprint"] == json.loads(
        render([finding()], "gitlab"))[0]["fingerprint"]
    twice = json.loads(render([finding(), moved], "gitlab"))
    assert twice[0]["fingerprint"] != twice[1]["fingerprint"]


def test_pylint():
    assert render(sample(), "pylint") == (
        "broken.py:3: [syntax-error] SyntaxError: invalid syntax\n"
        "other.py:1: [LR007] bad argument\n"
        "train.py:2: [LR001] `opt.lr` is not the LR\n"
        "train.py:4: [LR003] step order\n"
    )


def test_azure():
    lines = render(sample(), "azure").splitlines()
    assert lines[2] == (
        "##vso[task.logissue type=warning;sourcepath=/project/train.py;linenumber=2;"
        "columnnumber=1;code=LR001;]`opt.lr` is not the LR")
    assert lines[1].startswith("##vso[task.logissue type=error;sourcepath=/project/other.py;")
    escaped = render([finding(message="a;b]c\nd 100%")], "azure")
    assert escaped.endswith("]a;b]c%0Ad 100%AZP25\n")


def test_rdjson():
    document = json.loads(render(sample(), "rdjson"))
    assert document["source"] == {"name": "lrlint", "url": "https://github.com/lrlint/lrlint"}
    assert document["severity"] == "WARNING"
    first = document["diagnostics"][2]
    assert first["code"] == {"value": "LR001", "url": "https://x/LR001"}
    assert first["location"] == {"path": "/project/train.py", "range": {
        "start": {"line": 2, "column": 1}, "end": {"line": 2, "column": 7}}}
    assert first["message"] == "`opt.lr` is not the LR" and first["severity"] == "WARNING"
    assert first["suggestions"] == [{
        "range": {"start": {"line": 2, "column": 1}, "end": {"line": 2, "column": 13}},
        "text": 'for group in opt.param_groups:\n    group["lr"] = 0.1',
    }]
    assert document["diagnostics"][0]["code"] == {"value": "syntax-error"}


@pytest.mark.parametrize("fmt", ["github", "pylint", "azure", "gitlab", "junit", "sarif",
                                 "rdjson"])
def test_cellless_formats_put_the_cell_in_the_message(fmt):
    text = render([finding(start=(3, 5), end=(3, 9), cell=4)], fmt)
    assert "cell 4" in text
    assert "line=3" not in text and "linenumber=3" not in text and '"startLine": 3' not in text


def test_fix_marker_only_when_the_fix_would_apply():
    unsafe = finding(fix=UNSAFE)
    assert " LR001 [*] " not in render([unsafe], "concise")
    assert " LR001 [*] " in render([unsafe], "concise", unsafe_fixes=True)
    assert " [*] " not in render([finding(fix=SAFE)], "concise", show_fix_status=False)


def test_show_fixes_renders_the_fix_as_an_inline_diff():
    text = render([finding("LR003", (4, 5), (4, 17), fix=MOVE, message="step order")],
                  show_fix_diff=True)
    assert text.split("help: Move `scheduler.step()` after the optimizer step\n")[1].startswith(
        "  |\n"
        "4 -     sched.step()\n"
        "5 -     opt.step()\n"
        "4 +     opt.step()\n"
        "5 +     sched.step()\n"
        "  |\n"
    )


def test_fix_summary_lists_what_was_fixed():
    fixed = [finding(fix=SAFE), finding(fix=SAFE, start=(9, 1)), finding("LR003", fix=MOVE)]
    text = render([], fixed=3, fixed_diagnostics=fixed, show_fix_summary=True,
                  show_fix_status=False)
    assert text == (
        "\n"
        "Fixed 3 warnings:\n"
        "- train.py:\n"
        "    2 × LR001 (optimizer-lr-attribute)\n"
        "    1 × LR003 (scheduler-step-before-optimizer-step)\n"
        "\n"
        "Found 3 warnings (3 fixed, 0 remaining).\n"
    )


def test_fix_only_reports_only_what_was_fixed():
    fixed = [finding(fix=SAFE)]
    assert render([finding("LR003")], fixed=1, fixed_diagnostics=fixed,
                  show_violations=False) == "Fixed 1 warning.\n"
    assert render([finding("LR003")], "json", show_violations=False) == ""


def test_statistics_text_and_json():
    diagnostics = [finding(fix=SAFE), finding(start=(5, 1)), finding("LR003", (4, 5), (4, 9)),
                   problem()]
    out = io.StringIO()
    write_statistics(diagnostics, "text", out, rules=RULES, cwd="/project")
    assert out.getvalue().splitlines() == [
        "2\tLR001\t[*] optimizer-lr-attribute",
        "1\t     \t[ ] syntax-error",
        "1\tLR003\t[ ] scheduler-step-before-optimizer-step",
        "Found 1 error and 3 warnings (1 fixable with --fix).",
    ]
    out = io.StringIO()
    write_statistics(diagnostics, "json", out, rules=RULES, cwd="/project")
    assert json.loads(out.getvalue())[0] == {"code": "LR001", "name": "optimizer-lr-attribute",
                                             "count": 2, "fixable": True}
    with pytest.raises(ValueError, match="--statistics"):
        write_statistics(diagnostics, "sarif", io.StringIO(), rules=RULES)


def test_colour_can_be_forced_either_way():
    assert "\x1b[" in render([finding()], colour=True)
    assert "\x1b[" in render([finding()], "grouped", colour=True)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    write_report([finding()], "text", out, rules=RULES, colour=False)
    assert "\x1b[" not in out.getvalue()
