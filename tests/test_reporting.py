"""The output formats: text frames and summaries, Ruff-compatible JSON, GitHub, SARIF (the
formats added with Ruff's names are in test_output_formats.py)."""

from __future__ import annotations

import io
import itertools
import json
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lrlint
from lrlint.diagnostics import Diagnostic, Edit, Fix, Position
from lrlint.reporting import FORMATS, RuleInfo, write_report
from lrlint.reporting.github import escape_data, escape_property
from lrlint.reporting.text import render_line

RULES = {
    "LR001": RuleInfo(
        "LR001", "optimizer-lr-attribute", "`.lr` on an optimizer", True, "https://x/LR001"
    ),
    "LR002": RuleInfo("LR002", "scheduler-factor-direction", "LR rises", True, "https://x/LR002"),
    "LR003": RuleInfo(
        "LR003", "scheduler-step-before-optimizer-step", "order", True, "https://x/LR003", "error"
    ),
}

SOURCES = {
    "train.py": [
        "import torch",
        "opt.lr = 0.1",
        "for batch in loader:",
        "    sched.step(",
        "        epoch,",
        "",
        "    )",
        "    opt.step()",
    ],
    "tabs.py": ["\t\topt.lr = 1", "名前 = opt.lr"],
}


def diag(
    code: str | None = "LR001",
    start: tuple[int, int] = (2, 1),
    end: tuple[int, int] = (2, 7),
    path: str = "train.py",
    message: str = "Assigning `opt.lr` does not change the learning rate",
    fix: Fix | None = None,
    severity: str = "warning",
    name: str | None = None,
) -> Diagnostic:
    name = name or (RULES[code].name if code else "syntax-error")
    return Diagnostic(path, code, name, message, Position(*start), Position(*end), severity, fix)  # type: ignore[arg-type]


SAFE = Fix(
    "Set `lr` in every param group",
    (Edit(Position(2, 1), Position(2, 13), 'opt.param_groups[0]["lr"] = 0.1'),),
)
UNSAFE = Fix("Swap the factors", (Edit(Position(4, 5), Position(4, 9), "x"),), "unsafe")


def render(diagnostics: list[Diagnostic], fmt: str = "text", **options: Any) -> str:
    out = io.StringIO()
    options.setdefault("source_lines", SOURCES.get)
    options.setdefault("cwd", "/project")
    write_report(diagnostics, fmt, out, rules=RULES, **options)
    return out.getvalue()


# --- text -----------------------------------------------------------------------------------


def test_text_finding_with_frame_help_and_summary() -> None:
    assert render([diag(end=(2, 7), fix=SAFE)]) == (
        "train.py:2:1: LR001 [*] Assigning `opt.lr` does not change the learning rate\n"
        "  |\n"
        "1 | import torch\n"
        "2 | opt.lr = 0.1\n"
        "  | ^^^^^^\n"
        "3 | for batch in loader:\n"
        "  |\n"
        "help: Set `lr` in every param group\n"
        "\n"
        "Found 1 warning (1 fixable with --fix).\n"
    )


def test_text_multiline_range_shows_first_lines_then_an_ellipsis() -> None:
    text = render([diag("LR003", start=(4, 5), end=(8, 15), severity="error")])
    frame = text.split("\n")[1:-3]
    assert frame == [
        "  |",
        "3 | for batch in loader:",  # a line of context
        "4 |     sched.step(",
        "  |     ^^^^^^^^^^^",
        "5 |         epoch,",
        "  |         ^^^^^^",
        "6 |",  # a blank line in the range gets no carets
        "  | ...",
        "  |",
    ]


def test_text_range_ending_at_column_one_does_not_show_the_next_line() -> None:
    text = render([diag(start=(2, 1), end=(3, 1))])
    # Line 3 shows only as context, without carets.
    assert "2 | opt.lr = 0.1\n  | ^^^^^^^^^^^^\n3 | for batch in loader:\n  |\n" in text


def test_text_tabs_and_wide_characters_keep_the_caret_in_place() -> None:
    text = render(
        [
            diag(path="tabs.py", start=(1, 3), end=(1, 9)),
            diag(path="tabs.py", start=(2, 6), end=(2, 12)),
        ]
    )
    lines = text.split("\n")
    assert lines[2:4] == ["1 |         opt.lr = 1", "  |         ^^^^^^"]
    # "名前" is four columns wide on a terminal, so "opt.lr" starts at display column 7.
    assert lines[10:12] == ["2 | 名前 = opt.lr", "  |        ^^^^^^"]


@settings(max_examples=200, deadline=None)
@given(line=st.text(alphabet=st.sampled_from("\tab =.()名é\x0c"), max_size=30), data=st.data())
def test_caret_column_is_where_the_character_is_displayed(line: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, max(len(line) - 1, 0)))
    shown, starts = render_line(line)
    assert len(starts) == len(line) + 1 and starts == sorted(starts)
    if not line or line[index] == "\t":
        return
    columns = itertools.accumulate((2 if char == "名" else 1 for char in shown), initial=0)
    char_at_column = dict(zip(columns, shown))
    assert char_at_column[starts[index]] == ("\u240c" if line[index] == "\x0c" else line[index])


_positions = st.builds(Position, st.integers(0, 6), st.integers(0, 12))


@settings(max_examples=100, deadline=None)
@given(
    lines=st.one_of(
        st.none(),
        st.lists(st.text(st.characters(blacklist_characters="\n"), max_size=15), max_size=5),
    ),
    ranges=st.lists(st.tuples(_positions, _positions), min_size=1, max_size=3),
    fmt=st.sampled_from(FORMATS),
)
def test_any_positions_and_source_render_without_error(
    lines: list[str] | None, ranges: list[tuple[Position, Position]], fmt: str
) -> None:
    diagnostics = [
        Diagnostic("f.py", "LR001", "optimizer-lr-attribute", "m", start, end)
        for start, end in ranges
    ]
    text = render(diagnostics, fmt, source_lines=lambda path: lines)
    if fmt in ("json", "sarif", "gitlab", "rdjson"):
        json.loads(text)
    elif fmt == "json-lines":
        assert [json.loads(line)["code"] for line in text.splitlines()] == ["LR001"] * len(ranges)
    elif fmt == "junit":
        assert text.count("<testcase ") == len(ranges)
    else:
        header = {"github": "::warning title=lrlint (LR001),file=f.py,", "azure": "##vso[",
                  "grouped": "  "}.get(fmt, "f.py:")
        shown = [line for line in text.split("\n") if line.startswith(header)]
        assert len([line for line in shown if "LR001" in line]) == len(ranges)


@pytest.mark.parametrize(
    ("fixes", "fixed", "unsafe_fixes", "expected"),
    [
        ([], 0, False, ["All checks passed!"]),
        # Fixes counted without their findings: their severity is unknown, all are "errors".
        ([], 2, False, ["Found 2 errors (2 fixed, 0 remaining)."]),
        ([None], 0, False, ["Found 1 warning."]),
        ([SAFE, SAFE, None], 0, False, ["Found 3 warnings (2 fixable with --fix)."]),
        ([None, None], 1, False, ["Found 3 errors (1 fixed, 2 remaining)."]),
        (
            [SAFE, UNSAFE, UNSAFE],
            0,
            False,
            [
                "Found 3 warnings (1 fixable with --fix).",
                "2 hidden fixes can be enabled with the --unsafe-fixes option.",
            ],
        ),
        (
            [UNSAFE],
            0,
            False,
            ["Found 1 warning.", "1 hidden fix can be enabled with the --unsafe-fixes option."],
        ),
        ([SAFE, UNSAFE], 0, True, ["Found 2 warnings (2 fixable with --fix)."]),
        (
            [UNSAFE],
            3,
            False,
            [
                "Found 4 errors (3 fixed, 1 remaining).",
                "1 hidden fix can be enabled with the --unsafe-fixes option.",
            ],
        ),
    ],
)
def test_text_summary(
    fixes: list[Fix | None], fixed: int, unsafe_fixes: bool, expected: list[str]
) -> None:
    diagnostics = [diag(start=(i + 1, 1), fix=fix) for i, fix in enumerate(fixes)]
    text = render(diagnostics, fixed=fixed, unsafe_fixes=unsafe_fixes, source_lines=None)
    assert text.rstrip("\n").split("\n")[-len(expected) :] == expected
    assert text.count("Found") + text.count("All checks passed!") == 1


def test_unsafe_fix_is_marked_in_help() -> None:
    assert "help: Swap the factors (unsafe fix)\n" in render([diag("LR002", fix=UNSAFE)])


def test_file_problems_are_one_clear_line() -> None:
    problems = [
        diag(
            None,
            (1, 1),
            (1, 1),
            "missing.py",
            "No such file or directory",
            name="io-error",
            severity="error",
        ),
        diag(
            None,
            (3, 5),
            (3, 6),
            "broken.py",
            "unexpected indent",
            name="syntax-error",
            severity="error",
        ),
    ]
    text = render(
        problems,
        source_lines=lambda path: ["a", "b", "    c = (", "d"] if path == "broken.py" else None,
    )
    assert text.startswith(
        "broken.py:3:5: syntax-error: unexpected indent\n  |\n2 | b\n3 |     c = (\n  |     ^\n"
        "4 | d\n"
    )
    assert "missing.py:1:1: io-error: No such file or directory\n\n" in text
    assert text.endswith("Found 2 errors.\n")


def test_quiet_prints_one_line_per_diagnostic_only() -> None:
    text = render([diag(fix=SAFE), diag("LR003", start=(8, 5), end=(8, 15))], quiet=True)
    assert text == (
        "train.py:2:1: LR001 [*] Assigning `opt.lr` does not change the learning rate\n"
        "train.py:8:5: LR003 Assigning `opt.lr` does not change the learning rate\n"
    )
    assert render([], quiet=True) == ""


def test_absolute_paths_below_cwd_are_shown_relative() -> None:
    text = render([diag(path="/project/src/train.py"), diag(path="/elsewhere/x.py")], quiet=True)
    assert text.split("\n")[:2] == [
        "/elsewhere/x.py:2:1: LR001 Assigning `opt.lr` does not change the learning rate",
        "src/train.py:2:1: LR001 Assigning `opt.lr` does not change the learning rate",
    ]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    terminal = _Terminal()
    write_report([diag(fix=SAFE)], "text", terminal, rules=RULES, source_lines=SOURCES.get)
    assert "\x1b[" in terminal.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    plain = _Terminal()
    write_report([diag(fix=SAFE)], "text", plain, rules=RULES, source_lines=SOURCES.get)
    assert "\x1b[" not in plain.getvalue() and plain.getvalue() == render(
        [diag(fix=SAFE)], cwd=None
    )


# --- every format ---------------------------------------------------------------------------


def _mixed() -> list[Diagnostic]:
    return [
        diag("LR003", (8, 5), (8, 15), "b.py", severity="error"),
        diag("LR001", (2, 1), (2, 7), "a.py", fix=SAFE),
        diag("LR002", (2, 1), (2, 7), "a.py", fix=UNSAFE),
        diag("LR001", (1, 9), (1, 10), "a.py"),
        diag(None, (1, 1), (1, 1), "c.py", "Permission denied", name="io-error", severity="error"),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_order_does_not_depend_on_input_order(fmt: str) -> None:
    diagnostics = _mixed()
    outputs = set()
    for seed in range(5):
        random.Random(seed).shuffle(diagnostics)
        outputs.add(render(diagnostics, fmt))
    assert len(outputs) == 1


def test_unknown_format_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render([], "xml")


# --- json -----------------------------------------------------------------------------------

RUFF_KEYS = {
    "cell",
    "code",
    "end_location",
    "filename",
    "fix",
    "location",
    "message",
    "noqa_row",
    "url",
}


def test_json_is_ruff_compatible() -> None:
    text = render(_mixed(), "json")
    assert text.endswith("]\n") and text.startswith("[\n  {")
    items = json.loads(text)
    assert [
        (i["filename"], i["location"]["row"], i["location"]["column"], i["code"]) for i in items
    ] == [
        ("/project/a.py", 1, 9, "LR001"),
        ("/project/a.py", 2, 1, "LR001"),
        ("/project/a.py", 2, 1, "LR002"),
        ("/project/b.py", 8, 5, "LR003"),
        ("/project/c.py", 1, 1, None),
    ]
    for item in items:
        assert set(item) == RUFF_KEYS | {"name", "severity"}
        assert item["cell"] is None
        assert set(item["location"]) == set(item["end_location"]) == {"row", "column"}
    safe = items[1]
    assert safe["fix"] == {
        "applicability": "safe",
        "message": "Set `lr` in every param group",
        "edits": [
            {
                "content": 'opt.param_groups[0]["lr"] = 0.1',
                "location": {"row": 2, "column": 1},
                "end_location": {"row": 2, "column": 13},
            }
        ],
    }
    assert items[2]["fix"]["applicability"] == "unsafe" and items[0]["fix"] is None
    assert (safe["noqa_row"], safe["url"], safe["name"], safe["severity"]) == (
        2,
        "https://x/LR001",
        "optimizer-lr-attribute",
        "warning",
    )
    problem = items[4]
    assert (problem["code"], problem["name"], problem["noqa_row"], problem["severity"]) == (
        None,
        "io-error",
        None,
        "error",
    )


def test_json_empty_is_a_valid_array() -> None:
    assert render([], "json") == "[]\n"


# --- github ---------------------------------------------------------------------------------


def test_github_workflow_commands() -> None:
    lines = render(_mixed(), "github").splitlines()
    # As Ruff writes them: the title names the tool, the message starts with the location.
    assert lines[0] == (
        "::warning title=lrlint (LR001),file=a.py,line=1,col=9,endLine=1,endColumn=10::"
        "a.py:1:9: LR001 Assigning `opt.lr` does not change the learning rate"
    )
    assert lines[3].startswith(
        "::error title=lrlint (LR003),file=b.py,line=8,col=5,endLine=8,endColumn=15::"
        "b.py:8:5: LR003 "
    )
    assert lines[4] == (
        "::error title=lrlint (io-error),file=c.py,line=1,col=1,endLine=1,endColumn=1::"
        "c.py:1:1: io-error: Permission denied"
    )
    assert len(lines) == 5


def test_github_escaping_matches_the_actions_toolkit() -> None:
    assert escape_data("50% of\r\nlr: a,b") == "50%25 of%0D%0Alr: a,b"
    assert escape_property("dir:x,y%z\n") == "dir%3Ax%2Cy%25z%0A"
    line = render([diag(path="odd:dir,x/t.py", message="lr 100%\nthen: 1,2")], "github")
    assert line == (
        "::warning title=lrlint (LR001),file=odd%3Adir%2Cx/t.py,line=2,col=1,endLine=2,"
        "endColumn=7::"
        "odd:dir,x/t.py:2:1: LR001 lr 100%25%0Athen: 1,2\n"
    )


# --- sarif ----------------------------------------------------------------------------------


def _check_region(region: dict[str, Any]) -> None:
    assert set(region) == {"startLine", "startColumn", "endLine", "endColumn"}
    assert all(isinstance(v, int) and v >= 1 for v in region.values())


def _check_artifact(location: dict[str, Any]) -> None:
    assert isinstance(location["uri"], str) and "\\" not in location["uri"]
    if "uriBaseId" in location:
        assert location["uriBaseId"] == "%SRCROOT%" and not location["uri"].startswith("/")
    else:
        assert location["uri"].startswith("file:///")


def _check_location(location: dict[str, Any]) -> None:
    physical = location["physicalLocation"]
    _check_artifact(physical["artifactLocation"])
    _check_region(physical["region"])


def check_sarif(log: dict[str, Any]) -> None:
    """The SARIF 2.1.0 requirements for every object lrlint emits (required keys, types, links)."""
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "lrlint" and driver["version"] == lrlint.__version__
    assert driver["informationUri"].startswith("https://")
    for rule in driver["rules"]:
        assert isinstance(rule["id"], str) and isinstance(rule["name"], str)
        assert isinstance(rule["shortDescription"]["text"], str)
        assert rule["defaultConfiguration"]["level"] in ("warning", "error")
        assert rule.get("helpUri", "https://").startswith("https://")
    assert len({rule["id"] for rule in driver["rules"]}) == len(driver["rules"])
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("warning", "error") and isinstance(
            result["message"]["text"], str
        )
        for location in result["locations"]:
            _check_location(location)
        for fix in result.get("fixes", []):
            assert isinstance(fix["description"]["text"], str)
            assert fix["artifactChanges"]
            for change in fix["artifactChanges"]:
                _check_artifact(change["artifactLocation"])
                assert change["replacements"]
                for replacement in change["replacements"]:
                    _check_region(replacement["deletedRegion"])
                    assert isinstance(replacement["insertedContent"]["text"], str)
    (invocation,) = run["invocations"]
    assert isinstance(invocation["executionSuccessful"], bool)
    for note in invocation["toolExecutionNotifications"]:
        assert note["level"] == "error" and isinstance(note["message"]["text"], str)
        assert isinstance(note["descriptor"]["id"], str)
        for location in note["locations"]:
            _check_location(location)


def test_sarif_log() -> None:
    diagnostics = [
        *_mixed(),
        diag("LR001", path="/outside/x.py"),
        diag("LR003", fix=Fix("nothing to do", ())),
    ]
    log = json.loads(render(diagnostics, "sarif"))
    check_sarif(log)
    run = log["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["LR001", "LR002", "LR003"]
    results = run["results"]
    assert [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in results
    ] == [
        ("LR001", "file:///outside/x.py"),
        ("LR001", "a.py"),
        ("LR001", "a.py"),
        ("LR002", "a.py"),
        ("LR003", "b.py"),
        ("LR003", "train.py"),
    ]
    fixed = results[2]["fixes"][0]
    assert fixed["description"]["text"] == "Set `lr` in every param group"
    assert fixed["artifactChanges"][0]["replacements"] == [
        {
            "deletedRegion": {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 13},
            "insertedContent": {"text": 'opt.param_groups[0]["lr"] = 0.1'},
        }
    ]
    assert "fixes" not in results[5]  # a fix without edits has nothing to replace
    assert results[4]["level"] == "error"
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert [n["message"]["text"] for n in invocation["toolExecutionNotifications"]] == [
        "io-error: Permission denied"
    ]


def test_sarif_clean_run_and_unknown_codes() -> None:
    clean = json.loads(render([], "sarif"))
    check_sarif(clean)
    assert (
        clean["runs"][0]["results"] == []
        and clean["runs"][0]["invocations"][0]["executionSuccessful"] is True
    )
    unknown = Diagnostic("a b.py", "LR099", "future-rule", "m", Position(1, 1), Position(1, 2))
    log = json.loads(render([unknown], "sarif"))
    check_sarif(log)
    assert log["runs"][0]["tool"]["driver"]["rules"][-1]["id"] == "LR099"
    assert (
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "a%20b.py"
    )
