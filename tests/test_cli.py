"""The `lrlint` command: exit codes, output formats, stdin, configuration, fixing."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from textwrap import dedent

import pytest
from cli_helpers import BAD, CLEAN, run, write

from lrlint.cli import main


def test_exit_codes_clean_findings_and_exit_zero(project, capsys):
    write(project / "clean.py", CLEAN)
    write(project / "bad.py", BAD)
    assert run(["clean.py"], capsys)[0] == 0
    code, out, _ = run(["bad.py"], capsys)
    assert code == 1
    assert "bad.py:5:5: LR003" in out and "bad.py:7:1: LR001" in out
    # LR001's fix is unsafe here: a scheduler drives `opt` (see test_fix_correctness.py).
    assert "Found 2 warnings (1 fixable with --fix).\n1 hidden fix can be enabled" in out
    assert run(["bad.py", "--exit-zero"], capsys)[0] == 0


def test_default_path_is_the_current_directory(project, capsys):
    write(project / "pkg" / "bad.py", BAD)
    code, out, _ = run([], capsys)
    assert code == 1 and "pkg/bad.py:5:5: LR003" in out.replace(os.sep, "/")


def test_clean_run_says_so(project, capsys):
    write(project / "clean.py", CLEAN)
    assert run(["clean.py"], capsys)[1].strip() == "All checks passed!"


def test_quiet_prints_one_line_per_finding(project, capsys):
    write(project / "bad.py", BAD)
    code, out, _ = run(["bad.py", "-q"], capsys)
    assert code == 1 and len(out.strip().splitlines()) == 2


def test_select_and_ignore(project, capsys):
    write(project / "bad.py", BAD)
    assert "LR001" not in run(["bad.py", "--select", "LR003"], capsys)[1]
    assert "LR003" not in run(["bad.py", "--ignore", "LR003"], capsys)[1]
    assert run(["bad.py", "--select", "LR004"], capsys)[0] == 0


def test_unknown_code_is_a_usage_error_naming_it(project, capsys):
    write(project / "bad.py", BAD)
    code, out, err = run(["bad.py", "--select", "LR999"], capsys)
    assert code == 2 and "LR999" in err and out == ""


def test_bad_flag_is_a_usage_error(project, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--no-such-flag"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_json_output_is_ruff_compatible(project, capsys):
    write(project / "bad.py", BAD)
    code, out, _ = run(["bad.py", "--output-format", "json"], capsys)
    items = json.loads(out)
    assert code == 1 and [i["code"] for i in items] == ["LR003", "LR001"]
    first = items[0]
    assert first["location"] == {"row": 5, "column": 5}
    assert first["filename"] == str(project / "bad.py")
    assert first["fix"]["applicability"] == "safe"
    assert {"content", "location", "end_location"} <= set(first["fix"]["edits"][0])
    assert first["url"].endswith("LR003.md")


def test_github_and_sarif_output(project, capsys):
    write(project / "bad.py", BAD)
    out = run(["bad.py", "--output-format", "github"], capsys)[1]
    assert out.splitlines()[0].startswith(
        "::warning title=lrlint (LR003),file=bad.py,line=5,col=5,")
    assert "::bad.py:5:5: LR003 `sched.step()`" in out.splitlines()[0]
    sarif = json.loads(run(["bad.py", "--output-format", "sarif"], capsys)[1])
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"LR001", "LR003"}


def test_fix_writes_and_second_run_is_clean(project, capsys):
    path = write(project / "bad.py", BAD)
    os.chmod(path, 0o754)
    code, out, _ = run(["bad.py", "--unsafe-fixes"], capsys)
    assert code == 0, out
    assert "2 fixed, 0 remaining" in out
    text = path.read_text()
    assert "    opt.step()\n    sched.step()\n" in text
    assert 'for group in opt.param_groups:\n    group["lr"] = 0.01\n' in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o754
    before = path.read_bytes()
    assert run(["bad.py", "--fix"], capsys)[0] == 0
    assert path.read_bytes() == before


def test_diff_prints_and_writes_nothing(project, capsys):
    path = write(project / "bad.py", BAD)
    code, out, err = run(["bad.py", "--diff", "--unsafe-fixes"], capsys)
    assert code == 1
    assert out.startswith("--- bad.py\n+++ bad.py\n")
    changed = [line for line in out.splitlines() if line[:1] in "+-" and line[1:2] != line[:1]]
    assert sorted(changed) == sorted(["+    opt.step()", "-    opt.step()", "-opt.lr = 0.01",
                                      "+for group in opt.param_groups:", '+    group["lr"] = 0.01'])
    assert "Would apply 2 fixes to 1 file." in err
    assert path.read_text() == BAD
    write(project / "clean.py", CLEAN)
    assert run(["clean.py", "--diff"], capsys)[:2] == (0, "")


def test_fix_keeps_bom_crlf_and_declared_encoding(project, capsys):
    crlf = BAD.replace("\n", "\r\n")
    path = project / "win.py"
    path.write_bytes(b"\xef\xbb\xbf" + crlf.encode())
    latin = write(project / "latin.py", "# -*- coding: latin-1 -*-\n# caf\xe9\n" + BAD, "latin-1")
    assert run(["win.py", "latin.py", "--unsafe-fixes"], capsys)[0] == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert "caf\xe9".encode("latin-1") in latin.read_bytes()


def test_stdin(project, capsys, monkeypatch):
    import io

    class Stdin:
        buffer = io.BytesIO(BAD.encode())

    monkeypatch.setattr(sys, "stdin", Stdin)
    code, out, _ = run(["-", "--stdin-filename", "train.py", "-q"], capsys)
    assert code == 1 and out.startswith("train.py:5:5: LR003")
    Stdin.buffer = io.BytesIO(BAD.encode())
    code, out, err = run(["-", "--unsafe-fixes"], capsys)
    assert code == 0
    assert "opt.step()\n    sched.step()" in out  # fixed source on stdout
    assert "2 fixed" in err


def test_per_file_ignores_and_exclude_from_pyproject(project, capsys):
    write(project / "pyproject.toml", dedent("""\
        [tool.lrlint]
        extend-exclude = ["generated"]
        [tool.lrlint.per-file-ignores]
        "legacy/*.py" = ["LR003"]
    """))
    write(project / "legacy" / "old.py", BAD)
    write(project / "generated" / "gen.py", BAD)
    out = run(["."], capsys)[1]
    assert "legacy/old.py:7:1: LR001" in out.replace(os.sep, "/")
    assert "LR003" not in out and "gen.py" not in out
    # An explicitly named file is always linted.
    assert "gen.py" in run(["generated/gen.py"], capsys)[1]


def test_bad_config_is_a_usage_error(project, capsys):
    write(project / "pyproject.toml", "[tool.lrlint]\nselect = ['LR0']\nignore = ['LR777']\n")
    write(project / "bad.py", BAD)
    code, _, err = run(["bad.py"], capsys)
    assert code == 2 and "LR777" in err and "pyproject.toml" in err


def test_rules_and_rule_commands(capsys):
    code, out, _ = run(["rules"], capsys)
    assert code == 0 and out.startswith("LR001  optimizer-lr-attribute")
    assert run(["rule", "optimizer-lr-attribute"], capsys)[1].startswith("# LR001")
    assert run(["rule", "LR404"], capsys)[0] == 2
    assert json.loads(run(["rules", "--output-format", "json"], capsys)[1])[0]["code"] == "LR001"


def test_version_does_not_import_libcst():
    probe = ("import sys, runpy; sys.argv=['lrlint','--version']\n"
             "try: runpy.run_module('lrlint', run_name='__main__')\n"
             "except SystemExit: pass\n"
             "assert 'libcst' not in sys.modules and 'torch' not in sys.modules")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    from lrlint import __version__

    assert done.stdout.strip() == f"lrlint {__version__}"


def test_console_script_and_module_entry_point(project):
    write(project / "bad.py", BAD)
    done = subprocess.run([sys.executable, "-m", "lrlint", "bad.py", "-q"], capture_output=True,
                          text=True)
    assert done.returncode == 1 and "LR003" in done.stdout
