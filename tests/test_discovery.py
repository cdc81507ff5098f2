"""From command-line paths to files: excludes, gitignore, explicit paths, bad inputs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lrlint import discovery
from lrlint.config import Config
from lrlint.discovery import DEFAULT_EXCLUDES, discover


def _tree(root: Path, *paths: str) -> None:
    for path in paths:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("x = 1\n")


def _rel(files: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in files]


def _git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "HOME": str(repo),
        "XDG_CONFIG_HOME": str(repo),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    ).stdout


def test_walks_python_files_sorted_and_skips_default_excludes(tmp_path: Path) -> None:
    kept = ["a.py", "pkg/__init__.py", "pkg/z.py", "pkg/sub/m.py", "builder/ok.py"]
    skipped = [f"{name}/x.py" for name in DEFAULT_EXCLUDES if "*" not in name]
    _tree(
        tmp_path,
        *kept,
        *skipped,
        "pkg/nested/dist/y.py",
        "lrlint.egg-info/x.py",
        "stub.pyi",
        "notes.txt",
    )
    files, problems = discover([tmp_path], Config(root=tmp_path))
    assert problems == []
    assert _rel(files, tmp_path) == sorted(kept)
    assert files == sorted(files)


def test_explicit_paths_are_linted_even_when_excluded(tmp_path: Path) -> None:
    _tree(tmp_path, "build/gen.py", "build/inner/more.py", "build/__pycache__/c.py", "script")
    config = Config(root=tmp_path)
    files, _ = discover([tmp_path / "build" / "gen.py", tmp_path / "script"], config)
    assert _rel(files, tmp_path) == ["build/gen.py", "script"]
    # A directory named explicitly is walked; excludes still apply below it.
    files, _ = discover([tmp_path / "build"], config)
    assert _rel(files, tmp_path) == ["build/gen.py", "build/inner/more.py"]


def test_exclude_replaces_defaults_and_extend_exclude_adds(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        "build/b.py",
        "legacy/l.py",
        "src/gen/g.py",
        "other/src/gen/h.py",
        "src/ok.py",
        ".git/hook.py",
    )
    replaced = Config(root=tmp_path, exclude=("legacy",))
    assert _rel(discover([tmp_path], replaced)[0], tmp_path) == [
        "build/b.py", "other/src/gen/h.py", "src/gen/g.py", "src/ok.py",
    ]  # fmt: skip
    # An anchored pattern is relative to the config root; .git is never entered.
    extended = Config(root=tmp_path, exclude=(), extend_exclude=("src/gen", "*.py[!x]"))
    assert _rel(discover([tmp_path], extended)[0], tmp_path) == [
        "build/b.py", "legacy/l.py", "other/src/gen/h.py", "src/ok.py",
    ]  # fmt: skip


def test_paths_keep_the_form_the_user_gave(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, "src/a.py", "src/b.py")
    monkeypatch.chdir(tmp_path)
    files, _ = discover(
        [".", "src", "src/a.py", "./src/b.py", tmp_path / "src"], Config(root=tmp_path)
    )
    assert files == [Path("src/a.py"), Path("src/b.py")]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_gitignore_agrees_with_git_ls_files(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("*_gen.py\n/scratch/\ndata/\n!keep_gen.py\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / ".gitignore").write_text("local_*.py\n!local_keep.py\n/only_top.py\n")
    (tmp_path / ".git" / "info" / "exclude").write_text("mine.py\n")
    _tree(
        tmp_path,
        "a.py", "a_gen.py", "keep_gen.py", "scratch/s.py", "pkg/scratch/s.py", "pkg/data/d.py",
        "pkg/local_x.py", "pkg/local_keep.py", "pkg/only_top.py", "pkg/deep/only_top.py",
        "pkg/deep/local_y.py", "mine.py", "pkg/mine.py",
    )  # fmt: skip
    expected = sorted(
        p
        for p in _git(tmp_path, "ls-files", "-o", "--exclude-standard").split()
        if p.endswith(".py")
    )
    files, _ = discover([tmp_path], Config(root=tmp_path, exclude=()))
    assert _rel(files, tmp_path) == expected
    assert "a.py" in expected and "a_gen.py" not in expected  # the comparison has teeth
    # Walking a subdirectory still honours the rules above it.
    sub_files, _ = discover([tmp_path / "pkg"], Config(root=tmp_path, exclude=()))
    assert _rel(sub_files, tmp_path) == [p for p in expected if p.startswith("pkg/")]
    # Without respect-gitignore, or when named explicitly, ignored files are linted.
    everything, _ = discover([tmp_path], Config(root=tmp_path, exclude=(), respect_gitignore=False))
    assert "a_gen.py" in _rel(everything, tmp_path)
    explicit, _ = discover([tmp_path / "a_gen.py"], Config(root=tmp_path))
    assert _rel(explicit, tmp_path) == ["a_gen.py"]


def test_nested_repository_starts_its_own_rules(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("ignored.py\n")
    inner = tmp_path / "vendor" / "lib"
    (inner / ".git").mkdir(parents=True)
    (inner / ".gitignore").write_text("inner_only.py\n")
    _tree(
        tmp_path,
        "ignored.py",
        "vendor/ignored.py",
        "vendor/lib/ignored.py",
        "vendor/lib/inner_only.py",
        "ok.py",
    )
    files, _ = discover([tmp_path], Config(root=tmp_path))
    assert _rel(files, tmp_path) == ["ok.py", "vendor/lib/ignored.py"]


def test_bad_inputs_give_one_io_error_each(tmp_path: Path) -> None:
    _tree(tmp_path, "good.py")
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    missing = tmp_path / "missing.py"
    files, problems = discover([missing, tmp_path / "good.py", fifo], Config(root=tmp_path))
    assert _rel(files, tmp_path) == ["good.py"]
    assert [(d.path, d.code, d.name, d.message, d.severity) for d in problems] == [
        (str(missing), None, "io-error", "No such file or directory", "error"),
        (str(fifo), None, "io-error", "Not a regular file or directory", "error"),
    ]
    assert all((d.start.line, d.start.column) == (1, 1) for d in problems)
    # A FIFO met while walking is not a file to lint, and not a problem either.
    assert discover([tmp_path], Config(root=tmp_path)) == ([tmp_path / "good.py"], [])


def test_unreadable_directory_is_reported_and_the_rest_walked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path, "a.py", "locked/b.py", "z/c.py")
    real_scandir = os.scandir
    locked = str(tmp_path / "locked")

    def scandir(path):  # root can read everything, so simulate the permission error
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(discovery.os, "scandir", scandir)
    files, problems = discover([tmp_path], Config(root=tmp_path))
    assert _rel(files, tmp_path) == ["a.py", "z/c.py"]
    assert [(d.path, d.message) for d in problems] == [(locked, "Permission denied")]


def test_symlinks_do_not_loop(tmp_path: Path) -> None:
    _tree(tmp_path, "pkg/a.py", "elsewhere/real.py")
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "pkg" / "linked.py").symlink_to(tmp_path / "elsewhere" / "real.py")
    (tmp_path / "pkg" / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    files, problems = discover([tmp_path / "pkg"], Config(root=tmp_path))
    assert (_rel(files, tmp_path), problems) == (["pkg/a.py", "pkg/linked.py"], [])
    # A directory symlink named on the command line is followed (once: the loop inside is not).
    files, _ = discover([tmp_path / "pkg" / "loop"], Config(root=tmp_path))
    assert _rel(files, tmp_path / "pkg" / "loop") == [
        "elsewhere/real.py",
        "pkg/a.py",
        "pkg/linked.py",
    ]
