"""lrlint.gitignore agrees with ``git check-ignore`` over a table of patterns and paths."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lrlint.gitignore import GitIgnore, compile_pattern, find_repo_root, translate

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

# Each case: {directory inside the case: .gitignore lines}, and the paths to ask about
# (a trailing "/" makes a directory). Every case lives in its own folder of one repository,
# so anchored patterns are relative to that folder and cases cannot see each other.
CASES: list[tuple[dict[str, list[str]], list[str]]] = [
    ({"": ["*.log", "!keep.log"]}, ["a.log", "keep.log", "d/x.log", "d/keep.log", "a.txt"]),
    (
        {"": ["build/"]},
        ["build/", "build/x.py", "src/build/", "src/build/y.py", "build2/", "other/build"],
    ),
    ({"": ["/top.py"]}, ["top.py", "sub/top.py"]),
    ({"": ["doc/frotz/"]}, ["doc/frotz/", "doc/frotz/a.py", "a/doc/frotz/", "a/doc/frotz/b.py"]),
    ({"": ["foo/bar"]}, ["foo/bar", "x/foo/bar"]),
    ({"": ["**/foo"]}, ["foo", "x/foo", "x/y/foo/", "x/y/foo/z.py", "xfoo"]),
    ({"": ["abc/**"]}, ["abc/", "abc/x.py", "abc/d/e.py", "xabc/x.py"]),
    ({"": ["a/**/b"]}, ["a/b", "a/x/b", "a/x/y/b", "a/xb", "c/a/b"]),
    ({"": ["a**b", "*/gen.py"]}, ["ab", "axxb", "a/b", "d/gen.py", "d/e/gen.py", "gen.py"]),
    (
        {"": ["*.py[cod]", "file[0-9].txt", "[!a]*.md", "[[:upper:]]*.cfg", "[a-]x"]},
        [
            "m.pyc",
            "m.pyd",
            "m.pyx",
            "file5.txt",
            "filex.txt",
            "a.md",
            "b.md",
            "Z.cfg",
            "z.cfg",
            "-x",
            "ax",
            "bx",
        ],
    ),
    ({"": ["[]]x", "[!]]y", "[^q]z", "[abc"]}, ["]x", "ax", "]y", "ay", "qz", "pz", "[abc"]),
    (
        {"": ["\\#hash", "\\!bang", "#comment", "\\*star", "foo?.py"]},
        [
            "#hash",
            "!bang",
            "#comment",
            "comment",
            "*star",
            "xstar",
            "foo1.py",
            "foo12.py",
            "foo.py",
        ],
    ),
    ({"": ["trail   ", "esc\\ ", "crlf.py\r"]}, ["trail", "trail   ", "esc ", "esc", "crlf.py"]),
    ({"": ["*", "!*/", "!*.py"]}, ["a.py", "b.txt", "d/", "d/c.py", "d/e.txt"]),
    ({"": ["dir", "!dir/keep.py"]}, ["dir/", "dir/keep.py", "dir/other.py"]),
    ({"": ["!never-ignored", "", "   "]}, ["never-ignored"]),
    (
        {"": ["*.tmp", "data/"], "sub": ["!keep.tmp", "!data/"], "sub/deep": ["keep.tmp"]},
        [
            "x.tmp",
            "keep.tmp",
            "sub/x.tmp",
            "sub/keep.tmp",
            "sub/deep/keep.tmp",
            "data/",
            "sub/data/",
            "sub/data/f.py",
        ],
    ),
    (
        {"": ["/sub/*.py"], "sub": ["/only_here.py", "nested/**/*.py"]},
        [
            "sub/a.py",
            "sub/b/c.py",
            "sub/only_here.py",
            "sub/x/only_here.py",
            "sub/nested/q.py",
            "sub/nested/r/s.py",
        ],
    ),
    ({"": ["**"]}, ["anything.py", "dir/", "dir/inner.py"]),
]


def _git(repo: Path, *args: str, stdin: str | None = None) -> str:
    env = {
        **os.environ,
        "HOME": str(repo),  # no user-wide excludes file leaks into the comparison
        "XDG_CONFIG_HOME": str(repo / ".config"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(
        ["git", *args], cwd=repo, input=stdin, capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def _make(repo: Path, path: str) -> None:
    target = repo / path
    if path.endswith("/"):
        target.mkdir(parents=True, exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()


def _git_ignored(repo: Path, paths: list[str]) -> set[str]:
    out = _git(repo, "check-ignore", "--no-index", "-z", "--stdin", stdin="\0".join(paths) + "\0")
    return {p for p in out.split("\0") if p}


@pytest.fixture(scope="module")
def table_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    repo = tmp_path_factory.mktemp("table")
    _git(repo, "init", "-q")
    asked = []
    for number, (ignore_files, paths) in enumerate(CASES):
        case = f"case{number}"
        for directory, lines in ignore_files.items():
            folder = repo / case / directory
            folder.mkdir(parents=True, exist_ok=True)
            (folder / ".gitignore").write_bytes("\n".join(lines).encode() + b"\n")
        for path in paths:
            _make(repo, f"{case}/{path}")
            asked.append(f"{case}/{path.rstrip('/')}")
    return repo, asked


def test_matches_git_check_ignore_over_the_table(table_repo: tuple[Path, list[str]]) -> None:
    repo, asked = table_repo
    expected = _git_ignored(repo, asked)
    matcher = GitIgnore(repo)
    ours = {p for p in asked if matcher.is_ignored(p, is_dir=(repo / p).is_dir())}
    assert ours == expected
    # The table is only worth something if it has both outcomes in quantity.
    assert 30 < len(expected) < len(asked) - 30


def test_info_exclude_has_lowest_precedence(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / ".git" / "info").mkdir(exist_ok=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("*.secret\nlocal.py\n")
    (tmp_path / ".gitignore").write_text("!keep.secret\n")
    paths = ["a.secret", "keep.secret", "local.py", "sub/local.py", "other.py"]
    for path in paths:
        _make(tmp_path, path)
    matcher = GitIgnore(tmp_path)
    ours = {p for p in paths if matcher.is_ignored(p)}
    assert ours == _git_ignored(tmp_path, paths) == {"a.secret", "local.py", "sub/local.py"}


def test_gitdir_file_points_to_the_real_git_directory(tmp_path: Path) -> None:
    real = tmp_path / "real-git-dir"
    (real / "info").mkdir(parents=True)
    (real / "info" / "exclude").write_text("ignored.py\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / ".git").write_text(f"gitdir: {real}\n")
    matcher = GitIgnore(work)
    assert matcher.is_ignored("ignored.py") and not matcher.is_ignored("kept.py")


def test_find_repo_root_walks_up(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_repo_root(deep) == tmp_path
    assert find_repo_root(deep / "file.py") == tmp_path


@pytest.mark.parametrize(
    ("line", "negated", "dir_only", "anchored"),
    [
        ("foo", False, False, False),
        ("!foo/", True, True, False),
        ("/foo", False, False, True),
        ("a/b/", False, True, True),
        ("\\!foo", False, False, False),
    ],
)
def test_pattern_flags(line: str, negated: bool, dir_only: bool, anchored: bool) -> None:
    pattern = compile_pattern(line)
    assert pattern is not None
    assert (pattern.negated, pattern.dir_only, pattern.anchored) == (negated, dir_only, anchored)


@pytest.mark.parametrize("line", ["", "# comment", "   ", "!", "/"])
def test_lines_without_patterns(line: str) -> None:
    assert compile_pattern(line) is None


def test_translate_rejects_what_git_rejects() -> None:
    assert translate("abc\\").fullmatch("abc\\") is None
    assert translate("[z-a]").fullmatch("m") is None
    assert translate("[a-c]").fullmatch("/") is None
