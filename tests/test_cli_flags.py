"""The `check` options Ruff users type by habit, and clear errors where there were tracebacks."""

from __future__ import annotations

import io
import json
import os

import pytest
from cli_helpers import BAD, run

from lrlint.cli import main

FIXED_LR003 = BAD.replace("    sched.step()\n    opt.step()\n",
                          "    opt.step()\n    sched.step()\n")


@pytest.fixture
def project(project):
    (project / "bad.py").write_text(BAD)
    return project


def test_explicit_check_command(project, capsys):
    assert run(["check", "bad.py", "-q"], capsys)[:2] == run(["bad.py", "-q"], capsys)[:2]


def test_fix_only_applies_fixes_and_reports_nothing_that_remains(project, capsys):
    code, out, _ = run(["bad.py", "--fix-only"], capsys)
    assert code == 0 and out == "Fixed 1 warning.\n"
    assert (project / "bad.py").read_text() == FIXED_LR003
    (project / "bad.py").write_text(BAD)
    code, out, _ = run(["bad.py", "--fix-only", "--exit-non-zero-on-fix", "--show-fixes"], capsys)
    assert code == 1
    assert out == ("\nFixed 1 warning:\n- bad.py:\n    1 × LR003 "
                   "(scheduler-step-before-optimizer-step)\n\nFixed 1 warning.\n")


def test_exit_non_zero_on_fix_even_when_nothing_remains(project, capsys):
    (project / "bad.py").write_text(BAD.replace("opt.lr = 0.01\n", ""))
    assert run(["bad.py", "--fix"], capsys)[0] == 0
    (project / "bad.py").write_text(BAD.replace("opt.lr = 0.01\n", ""))
    assert run(["bad.py", "--fix", "--exit-non-zero-on-fix"], capsys)[0] == 1
    assert run(["bad.py", "--fix", "--exit-non-zero-on-fix"], capsys)[0] == 0  # nothing left


def test_no_fix_overrides_fix(project, capsys):
    code, out, _ = run(["bad.py", "--fix", "--no-fix", "-q"], capsys)
    assert code == 1 and (project / "bad.py").read_text() == BAD
    assert "bad.py:5:5: LR003 [*]" in out


def test_show_fixes_with_fix_lists_the_fixes(project, capsys):
    code, out, _ = run(["bad.py", "--fix", "--show-fixes"], capsys)
    assert code == 1
    assert ("Fixed 1 warning:\n- bad.py:\n"
            "    1 × LR003 (scheduler-step-before-optimizer-step)\n") in out
    assert out.endswith("Found 2 warnings (1 fixed, 1 remaining).\n"
                        "1 hidden fix can be enabled with the --unsafe-fixes option.\n")


def test_show_fixes_without_fix_shows_each_fix(project, capsys):
    out = run(["bad.py", "--show-fixes"], capsys)[1]
    assert ("5 -     sched.step()\n6 -     opt.step()\n"
            "5 +     opt.step()\n6 +     sched.step()\n") in out


def test_statistics(project, capsys):
    code, out, _ = run(["bad.py", "--statistics"], capsys)
    assert code == 1 and out.splitlines()[:2] == [
        "1\tLR001\t[ ] optimizer-lr-attribute",
        "1\tLR003\t[*] scheduler-step-before-optimizer-step",
    ]
    stats = json.loads(run(["bad.py", "--statistics", "--output-format", "json"], capsys)[1])
    assert [s["code"] for s in stats] == ["LR001", "LR003"]
    code, _, err = run(["bad.py", "--statistics", "--output-format", "sarif"], capsys)
    assert code == 2 and "--statistics writes text or json" in err


def test_add_noqa_suppresses_every_finding_and_changes_nothing_else(project, capsys):
    (project / "bad.py").write_text(BAD.replace("opt.lr = 0.01", "opt.lr = 0.01  # noqa: E501"))
    code, _, err = run(["bad.py", "--add-noqa"], capsys)
    assert code == 0 and err == "Added 2 suppression comments.\n"
    assert (project / "bad.py").read_text() == BAD.replace(
        "    sched.step()\n", "    sched.step()  # lrlint: ignore[LR003]\n").replace(
        "opt.lr = 0.01", "opt.lr = 0.01  # noqa: E501  # lrlint: ignore[LR001]")
    assert run(["bad.py"], capsys)[:2] == (0, "All checks passed!\n")
    assert run(["bad.py", "--add-noqa", "--fix"], capsys)[0] == 2


def test_add_noqa_merges_and_skips_lines_that_cannot_take_a_comment(project, capsys):
    source = BAD.replace("opt.lr = 0.01", "opt.lr = 0.01  # lrlint: ignore[LR003]").replace(
        "    sched.step()\n", "    sched.step(\n    )\n")
    (project / "bad.py").write_text(source)
    assert run(["bad.py", "--add-noqa"], capsys)[0] == 0
    text = (project / "bad.py").read_text()
    assert "opt.lr = 0.01  # lrlint: ignore[LR001, LR003]" in text
    assert "    sched.step(  # lrlint: ignore[LR003]\n    )\n" in text
    assert run(["bad.py"], capsys)[0] == 0


def test_output_file(project, capsys):
    code, out, _ = run(["bad.py", "-o", "reports/lint.json", "--output-format", "json"], capsys)
    assert code == 1 and out == ""
    items = json.loads((project / "reports" / "lint.json").read_text())
    assert [i["code"] for i in items] == ["LR003", "LR001"]


def test_color_always_and_never(project, capsys):
    assert "\x1b[" in run(["bad.py", "--color", "always"], capsys)[1]
    assert "\x1b[" not in run(["bad.py", "--color", "never"], capsys)[1]


def test_output_format_from_the_environment(project, capsys, monkeypatch):
    monkeypatch.setenv("LRLINT_OUTPUT_FORMAT", "json-lines")
    out = run(["bad.py"], capsys)[1]
    assert [json.loads(line)["code"] for line in out.splitlines()] == ["LR003", "LR001"]
    assert run(["bad.py", "--output-format", "pylint"], capsys)[1].startswith("bad.py:5: [LR003]")


def test_bogus_output_format_in_the_environment_is_a_clear_error(project, capsys, monkeypatch):
    monkeypatch.setenv("LRLINT_OUTPUT_FORMAT", "bogus")
    code, out, err = run(["bad.py"], capsys)
    assert code == 2 and out == ""
    assert err == ("lrlint: error: LRLINT_OUTPUT_FORMAT='bogus' is not an output format; "
                   "expected one of text, full, concise, grouped, json, json-lines, junit, "
                   "github, gitlab, pylint, rdjson, azure, sarif\n")


def test_warns_when_no_python_files_were_found(project, capsys):
    (project / "empty").mkdir()
    (project / "empty" / "notes.txt").write_text("opt.lr = 1\n")
    code, out, err = run(["empty"], capsys)
    assert code == 0 and out == "All checks passed!\n"
    assert err == "warning: No Python files found under the given path(s)\n"
    assert "warning" not in run(["bad.py"], capsys)[2]


def test_show_files(project, capsys):
    (project / "pkg").mkdir()
    (project / "pkg" / "nb.ipynb").write_text("{}")
    (project / "pkg" / "notes.txt").write_text("")
    code, out, _ = run(["--show-files", "."], capsys)
    assert code == 0 and out.replace(os.sep, "/").split() == ["bad.py", "pkg/nb.ipynb"]


def test_decode_error_is_located_on_its_line(project, capsys):
    (project / "latin.py").write_bytes(b"import torch\n# caf\xe9\nopt = torch.optim.SGD(p)\n"
                                      b"opt.lr = 1\n")
    code, out, _ = run(["latin.py", "-q"], capsys)
    assert code == 2
    assert out.startswith("latin.py:2:6: decode-error: cannot decode file: invalid utf-8 byte "
                          "0xe9 on line 2")


def test_rule_all_and_json(capsys):
    code, out, _ = run(["rule", "--all"], capsys)
    assert code == 0 and out.startswith("# LR001 optimizer-lr-attribute\n")
    assert "\n# LR018 scheduler-never-stepped\n" in out and "\n# LR100 unused-suppression\n" in out
    one = json.loads(run(["rule", "LR003", "--output-format", "json"], capsys)[1])
    assert {"name", "code", "linter", "summary", "fix", "explanation", "preview"} <= set(one)
    assert one["code"] == "LR003" and one["explanation"].startswith("# LR003 ")
    every = json.loads(run(["rule", "--all", "--output-format", "json"], capsys)[1])
    assert [rule["code"] for rule in every][:2] == ["LR001", "LR002"]
    assert run(["rule"], capsys)[0] == 2


def test_watch_lints_again_when_a_file_changes(project):
    from lrlint.config import Config
    from lrlint.watch import watch

    runs, waits = [], []

    def run_once():
        runs.append((project / "bad.py").read_text())
        return 1

    def sleep(seconds):
        waits.append(seconds)
        if len(waits) == 2:  # the user saves a fix while lrlint waits
            os.utime(project / "bad.py", ns=(1, 1))
            (project / "bad.py").write_text(FIXED_LR003)

    out = io.StringIO()
    status = watch(run_once, Config, ["."], out=out, runs=2, sleep=sleep, poll=0.01)
    assert status == 1 and runs == [BAD, FIXED_LR003] and len(waits) == 2
    assert out.getvalue() == ("Starting linter in watch mode...\nWatching for file changes.\n"
                              "File change detected...\nWatching for file changes.\n")


def test_watch_sees_config_files(project):
    from lrlint.config import Config
    from lrlint.watch import snapshot

    before = snapshot(["."], Config())
    assert str(project / "bad.py") in before
    (project / "lrlint.toml").write_text('ignore = ["LR001"]\n')
    after = snapshot(["."], Config())
    assert set(after) - set(before) == {str(project / "lrlint.toml")}


def test_help_text_names_every_format(capsys):
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    for option in ("--statistics", "--fix-only", "--add-noqa", "--force-exclude", "--watch",
                   "--isolated", "--output-file", "json-lines", "rdjson", "LRLINT_OUTPUT_FORMAT"):
        assert option in out, option


def test_options_that_do_not_go_together_are_usage_errors(project, capsys):
    for args in (["-", "--add-noqa"], ["bad.py", "--add-noqa", "--diff"], ["-", "--watch"],
                 ["bad.py", "--config", "x.toml", "--isolated"]):
        code, out, err = run(args, capsys)
        assert (code, out) == (2, "") and err.startswith("lrlint: error: "), args
