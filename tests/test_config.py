"""[tool.lrlint] loading, rule selection and per-file-ignores."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from lrlint.config import Config, ConfigError, find_config, load_config, resolve_selection

KNOWN = {
    "LR001": "optimizer-lr-attribute",
    "LR002": "scheduler-factor-direction",
    "LR003": "scheduler-step-before-optimizer-step",
    "LR004": "negative-learning-rate",
    "LR101": "some-later-rule",
}
ALL = frozenset(KNOWN)


def _write(directory: Path, body: str) -> Path:
    path = directory / "pyproject.toml"
    path.write_text(body, encoding="utf-8")
    return path


# --- selection ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("select", "ignore", "extend", "expected"),
    [
        (None, [], [], ALL),
        (["LR003"], [], [], {"LR003"}),
        (["LR0"], [], [], {"LR001", "LR002", "LR003", "LR004"}),
        (["LR"], ["LR1"], [], {"LR001", "LR002", "LR003", "LR004"}),
        (["ALL"], ["LR002"], [], ALL - {"LR002"}),
        (["optimizer-lr-attribute"], [], [], {"LR001"}),
        (None, ["negative-learning-rate"], [], ALL - {"LR004"}),
        # More specific wins, whichever list it is in.
        (["LR001"], ["LR"], [], {"LR001"}),
        (["LR"], ["LR001"], [], ALL - {"LR001"}),
        (["LR00"], ["LR0"], [], {"LR001", "LR002", "LR003", "LR004"}),
        # Equal specificity: ignore wins.
        (["LR001"], ["optimizer-lr-attribute"], [], set()),
        (["LR1"], [], ["LR003"], {"LR101", "LR003"}),
        ([], [], ["LR004"], {"LR004"}),
    ],
)
def test_resolve_selection(select, ignore, extend, expected) -> None:
    assert resolve_selection(select, ignore, extend, KNOWN) == frozenset(expected)


@pytest.mark.parametrize(
    ("select", "ignore", "message"),
    [
        (["LR999"], [], "--select: unknown rule code 'LR999'"),
        (["L"], [], "--select: unknown rule code 'L'"),  # not a linter prefix
        ([], ["optimizer-lr"], "--ignore: unknown rule code or name 'optimizer-lr' (did you mean"),
        (["lr001"], [], "--select: unknown rule code or name 'lr001'"),
    ],
)
def test_unknown_selectors_name_the_flag_and_value(select, ignore, message) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_selection(select, ignore, [], KNOWN)
    assert str(info.value).startswith(message)


def test_cli_layer_over_config() -> None:
    config = Config.default(KNOWN).with_overrides(ignore=["LR002"])
    assert config.enabled == ALL - {"LR002"}
    # --extend-select and --ignore adjust the config's choice; --select starts afresh.
    narrowed = Config(enabled=frozenset({"LR001"}), known_codes=KNOWN)
    assert narrowed.with_overrides(extend_select=["LR004"]).enabled == {"LR001", "LR004"}
    assert narrowed.with_overrides(select=["LR003"]).enabled == {"LR003"}
    assert narrowed.with_overrides(ignore=["LR0"]).enabled == frozenset()


# --- find_config ----------------------------------------------------------------------------


def test_find_config_takes_the_nearest_file_with_an_lrlint_table(tmp_path: Path) -> None:
    outer = _write(tmp_path, "[tool.lrlint]\nselect = ['LR001']\n")
    middle = tmp_path / "pkg"
    middle.mkdir()
    _write(middle, "[project]\nname = 'pkg'  # no lrlint table here\n")
    inner = middle / "src"
    inner.mkdir()
    (inner / "train.py").write_text("")
    assert find_config(inner / "train.py") == outer
    assert find_config(inner) == outer
    nearest = _write(inner, "[tool.lrlint]\n")
    assert find_config(inner / "train.py") == nearest


def test_find_config_skips_an_unrelated_broken_pyproject(tmp_path: Path) -> None:
    outer = _write(tmp_path, "[tool.lrlint]\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    _write(sub, "this is [ not toml")
    assert find_config(sub) == outer


def test_find_config_without_any(tmp_path: Path) -> None:
    _write(tmp_path, "[tool.ruff]\nline-length = 100  # mentions lrlint, has no table for it\n")
    assert find_config(tmp_path) is None


# --- load_config ----------------------------------------------------------------------------


def test_load_config_reads_every_key(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
[tool.lrlint]
select = ["LR0"]
ignore = ["LR002"]
extend-select = ["some-later-rule"]
exclude = ["legacy"]
extend-exclude = ["notebooks/"]
per-file-ignores = { "tests/*" = ["LR001"] }
respect-gitignore = false
""",
    )
    config = load_config(path, KNOWN)
    assert config.root == tmp_path
    assert config.path == path
    assert config.enabled == {"LR001", "LR003", "LR004", "LR101"}
    assert config.exclude == ("legacy",)
    assert config.extend_exclude == ("notebooks/",)
    assert config.respect_gitignore is False
    assert config.codes_for(tmp_path / "tests" / "test_x.py") == {"LR003", "LR004", "LR101"}
    assert config.codes_for(tmp_path / "src" / "x.py") == config.enabled


def test_load_config_defaults(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, "[tool.lrlint]\n"), KNOWN)
    assert config.enabled == ALL and config.exclude is None and config.respect_gitignore
    assert load_config(None, KNOWN).root == Path.cwd()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("select = ['LR999']", "pyproject.toml: [tool.lrlint] select: unknown rule code 'LR999'"),
        (
            "ignore = ['nope']",
            "pyproject.toml: [tool.lrlint] ignore: unknown rule code or name 'nope'",
        ),
        (
            "extend-select = ['LR9']",
            "pyproject.toml: [tool.lrlint] extend-select: unknown rule code 'LR9'",
        ),
        (
            "selct = ['LR001']",
            "pyproject.toml: [tool.lrlint]: unknown key 'selct' (did you mean 'select'?)",
        ),
        (
            "select = 'LR001'",
            "pyproject.toml: [tool.lrlint] select: expected a list of strings, got 'LR001'",
        ),
        (
            "exclude = [1]",
            "pyproject.toml: [tool.lrlint] exclude: expected a list of strings, got [1]",
        ),
        (
            "respect-gitignore = 'yes'",
            "pyproject.toml: [tool.lrlint] respect-gitignore: expected true or false",
        ),
        (
            "per-file-ignores = ['x']",
            "pyproject.toml: [tool.lrlint] per-file-ignores: expected a table",
        ),
        (
            "per-file-ignores = { 'tests/*' = ['LR777'] }",
            "pyproject.toml: [tool.lrlint] per-file-ignores.\"tests/*\": unknown rule code 'LR777'",
        ),
    ],
)
def test_bad_config_names_file_key_and_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    path = _write(tmp_path, f"[tool.lrlint]\n{body}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, KNOWN)
    assert str(info.value).startswith(message)


def test_invalid_toml_reports_the_parser_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = _write(tmp_path, "[tool.lrlint]\nselect = ['LR001' 'LR002']\n")
    with pytest.raises(ConfigError, match=r"^pyproject.toml: invalid TOML: .*line \d+"):
        load_config(path, KNOWN)
    with pytest.raises(ConfigError, match="invalid TOML"):
        find_config(tmp_path)


# --- per-file-ignores -----------------------------------------------------------------------


def _per_file(tmp_path: Path, table: dict[str, list[str]]) -> Config:
    return Config(
        root=tmp_path,
        enabled=ALL,
        per_file_ignores=tuple((glob, frozenset(codes)) for glob, codes in table.items()),
    )


@pytest.mark.parametrize(
    ("glob", "path", "applies"),
    [
        ("conftest.py", "conftest.py", True),
        ("conftest.py", "a/b/conftest.py", True),  # no "/": the basename at any depth
        ("tests/*.py", "tests/test_a.py", True),
        ("tests/*.py", "src/tests/test_a.py", False),  # with "/": anchored at the config
        ("tests/", "tests/unit/test_a.py", True),  # a directory covers what is inside
        ("**/scripts/*.py", "x/y/scripts/run.py", True),
        ("{tests,docs}/*.py", "docs/conf.py", True),
        ("{tests,docs}/*.py", "src/conf.py", False),
        ("!src/**", "tools/x.py", True),
        ("!src/**", "src/x.py", False),
    ],
)
def test_per_file_ignores_globs(tmp_path: Path, glob: str, path: str, applies: bool) -> None:
    config = _per_file(tmp_path, {glob: ["LR001"]})
    expected = ALL - {"LR001"} if applies else ALL
    assert config.codes_for(tmp_path / path) == expected


def test_per_file_ignores_outside_the_root_match_basenames_only(tmp_path: Path) -> None:
    root = tmp_path / "project"
    config = _per_file(root, {"train.py": ["LR001"], "/other.py": ["LR002"]})
    assert config.codes_for(tmp_path / "elsewhere" / "train.py") == ALL - {"LR001"}
    assert config.codes_for(tmp_path / "other.py") == ALL


def test_per_file_ignores_with_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = _per_file(tmp_path, {"tests/*": ["LR003"], "*.py": ["LR004"]})
    assert config.codes_for("tests/test_x.py") == ALL - {"LR003", "LR004"}


def test_config_survives_pickling_for_worker_processes(tmp_path: Path) -> None:
    config = _per_file(tmp_path, {"tests/": ["LR001"], "!src/**": ["LR002"]})
    clone = pickle.loads(pickle.dumps(config))
    assert clone == config
    for path in ("tests/a.py", "src/b.py", "tools/c.py"):
        assert clone.codes_for(tmp_path / path) == config.codes_for(tmp_path / path)
    assert clone.codes_for(tmp_path / "tools/c.py") == ALL - {"LR002"}
