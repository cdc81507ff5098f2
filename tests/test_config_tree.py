"""Each file takes its nearest config file, as in Ruff; command-line patterns; --force-exclude."""

from __future__ import annotations

import os

import pytest
from cli_helpers import BAD, write

from lrlint.cli import main
from lrlint.config import ConfigError
from lrlint.config_tree import ConfigTree, Overrides, parse_per_file_ignores

KNOWN = {"LR001": "optimizer-lr-attribute", "LR003": "scheduler-step-before-optimizer-step",
         "LR100": "unused-suppression"}


def findings(args, capsys) -> tuple[int, list[str]]:
    code = main([*args, "-q"])
    out = capsys.readouterr().out
    return code, sorted(" ".join(line.split(" ")[:2]) for line in out.splitlines())


def test_each_file_takes_its_nearest_config_whatever_the_argument_order(project, capsys):
    """The issue's case: a/ ignores LR001, b/ selects it alone."""
    write(project / "a" / "pyproject.toml", '[tool.lrlint]\nignore = ["LR001"]\n')
    write(project / "b" / "pyproject.toml", '[tool.lrlint]\nselect = ["LR001"]\n')
    write(project / "a" / "train.py", BAD)
    write(project / "b" / "train.py", BAD)
    expected = ["a/train.py:5:5: LR003", "b/train.py:7:1: LR001"]
    assert findings(["a/train.py", "b/train.py"], capsys) == (1, expected)
    assert findings(["b/train.py", "a/train.py"], capsys) == (1, expected)
    assert findings(["."], capsys) == (1, expected)  # walking: each directory's own config


def test_standalone_lrlint_toml_and_its_precedence(project, capsys):
    write(project / "pyproject.toml", '[tool.lrlint]\nignore = ["LR003"]\n')
    write(project / "train.py", BAD)
    assert findings(["train.py"], capsys)[1] == ["train.py:7:1: LR001"]
    write(project / "lrlint.toml", 'ignore = ["LR001"]\n')  # beats pyproject.toml
    assert findings(["train.py"], capsys)[1] == ["train.py:5:5: LR003"]
    write(project / ".lrlint.toml", 'select = ["LR003", "LR001"]\n')  # beats lrlint.toml
    assert findings(["train.py"], capsys)[1] == ["train.py:5:5: LR003", "train.py:7:1: LR001"]


def test_lrlint_toml_errors_name_the_file_and_key(project, capsys):
    write(project / "lrlint.toml", 'selectt = ["LR001"]\n')
    write(project / "train.py", BAD)
    assert main(["train.py"]) == 2
    err = capsys.readouterr().err
    assert "lrlint.toml" in err and "unknown key 'selectt'" in err
    assert "did you mean 'select'" in err


def test_config_overrides_every_nearer_file_and_isolated_ignores_them(project, capsys):
    write(project / "sub" / "pyproject.toml", '[tool.lrlint]\nignore = ["LR001", "LR003"]\n')
    write(project / "sub" / "train.py", BAD)
    write(project / "only001.toml", 'select = ["LR001"]\n')
    assert findings(["sub"], capsys) == (0, [])
    assert findings(["sub", "--config", "only001.toml"], capsys)[1] == ["sub/train.py:7:1: LR001"]
    assert findings(["sub", "--isolated"], capsys)[1] == [
        "sub/train.py:5:5: LR003", "sub/train.py:7:1: LR001"]
    assert main(["sub", "--isolated", "--config", "only001.toml"]) == 2
    assert "cannot be combined" in capsys.readouterr().err


def test_nested_config_excludes_apply_below_it(project, capsys):
    write(project / "pyproject.toml", '[tool.lrlint]\nextend-exclude = ["legacy"]\n')
    write(project / "pkg" / "pyproject.toml", '[tool.lrlint]\nextend-exclude = ["gen"]\n')
    for name in ("legacy/x.py", "pkg/gen/y.py", "pkg/ok.py", "gen/z.py"):
        write(project / name, BAD)
    listed = main(["--show-files", "."]) or capsys.readouterr().out.split()
    assert sorted(p.replace(os.sep, "/") for p in listed) == ["gen/z.py", "pkg/ok.py"]


def test_broken_config_in_a_subdirectory_is_a_usage_error(project, capsys):
    write(project / "pkg" / "pyproject.toml", "[tool.lrlint]\nselect = 3\n")
    write(project / "pkg" / "train.py", BAD)
    assert main(["."]) == 2
    err = capsys.readouterr().err
    assert "pyproject.toml" in err and "expected a list of strings" in err
    assert "Traceback" not in err


def test_command_line_patterns_are_anchored_at_the_working_directory(project, capsys):
    write(project / "pkg" / "pyproject.toml", '[tool.lrlint]\nextend-exclude = ["old.py"]\n')
    write(project / "pkg" / "old.py", BAD)
    write(project / "pkg" / "new.py", BAD)
    write(project / "pkg" / "gen" / "g.py", BAD)
    code, found = findings([".", "--extend-exclude", "pkg/gen", "--per-file-ignores",
                            "pkg/new.py:LR001"], capsys)
    assert found == ["pkg/new.py:5:5: LR003"]
    # --exclude replaces the config's `exclude` (and the defaults), not its extend-exclude.
    write(project / "build" / "b.py", BAD)
    code, found = findings([".", "--exclude", "gen", "--select", "LR003"], capsys)
    assert found == ["build/b.py:5:5: LR003", "pkg/new.py:5:5: LR003"]


def test_per_file_ignores_flag_replaces_and_extend_adds(project, capsys):
    write(project / "pyproject.toml",
          '[tool.lrlint]\n[tool.lrlint.per-file-ignores]\n"train.py" = ["LR003"]\n')
    write(project / "train.py", BAD)
    assert findings(["train.py"], capsys)[1] == ["train.py:7:1: LR001"]
    assert findings(["train.py", "--per-file-ignores", "train.py:LR001"], capsys)[1] == [
        "train.py:5:5: LR003"]
    assert findings(["train.py", "--extend-per-file-ignores", "train.py:LR001"], capsys) == (0, [])


def test_parse_per_file_ignores():
    assert parse_per_file_ignores(["tests/*:LR001", "tests/*:LR003", "a.py:LR0"], KNOWN) == (
        ("tests/*", frozenset({"LR001", "LR003"})), ("a.py", frozenset({"LR001", "LR003"})))
    with pytest.raises(ConfigError, match="expected PATTERN:CODE"):
        parse_per_file_ignores(["tests/*"], KNOWN)
    with pytest.raises(ConfigError, match="--per-file-ignores: unknown rule code 'LR999'"):
        parse_per_file_ignores(["x.py:LR999"], KNOWN)


def test_force_exclude_applies_excludes_to_named_files(project, capsys):
    """What pre-commit needs: it names every staged file, excluded or not."""
    write(project / "pyproject.toml", '[tool.lrlint]\nextend-exclude = ["vendor"]\n')
    write(project / "vendor" / "lib.py", BAD)
    write(project / "train.py", BAD)
    assert findings(["vendor/lib.py"], capsys)[0] == 1  # named: linted
    code, found = findings(["vendor/lib.py", "train.py", "--force-exclude"], capsys)
    assert code == 1 and all(line.startswith("train.py") for line in found)
    assert main(["vendor/lib.py", "--force-exclude"]) == 0
    assert "No Python files found" in capsys.readouterr().err
    assert main(["vendor", "--force-exclude"]) == 0  # an excluded directory too


def test_tree_caches_and_falls_back_to_the_working_directory(tmp_path):
    write(tmp_path / "proj" / "pyproject.toml", '[tool.lrlint]\nselect = ["LR001"]\n')
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    tree = ConfigTree(KNOWN, Overrides(extend_select=["LR003"]), cwd=tmp_path / "proj")
    inside = tree.for_file(tmp_path / "proj" / "deep" / "x.py")
    assert inside.enabled == {"LR001", "LR003"} and inside.path.name == "pyproject.toml"
    # A file with no config above it takes the working directory's.
    assert tree.for_file(outside / "y.py") is tree.fallback() is inside
    isolated = ConfigTree(KNOWN, isolated=True, cwd=tmp_path / "proj")
    assert isolated.for_file(tmp_path / "proj" / "x.py").enabled == {"LR001", "LR003"}


def test_symlink_loop_as_first_path_is_a_clear_error(project, capsys):
    os.symlink("loop", project / "loop")
    write(project / "train.py", BAD)
    code = main(["loop", "train.py", "-q"])
    out = capsys.readouterr().out
    assert code == 2
    assert "loop:1:1: io-error: Too many levels of symbolic links" in out
    assert "train.py:5:5: LR003" in out  # the other file was linted


def test_show_settings_names_the_config_in_charge(project, capsys):
    write(project / "a" / "pyproject.toml", '[tool.lrlint]\nignore = ["LR001"]\n')
    write(project / "a" / "train.py", BAD)
    assert main(["a/train.py", "--show-settings", "--extend-exclude", "gen"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Resolved settings for: a/train.py\nSettings path: ")
    assert str(project / "a" / "pyproject.toml") in out
    assert 'extend-exclude = ["gen"]' in out and '"LR001"' not in out and '"LR003"' in out
