"""From command-line paths to the Python files to lint.

Directories are walked for ``*.py`` files only (stubs, ``.pyi``, hold no training loops). While
walking, lrlint skips ``DEFAULT_EXCLUDES`` (or the config's ``exclude``), the config's
``extend-exclude``, and, with ``respect-gitignore``, what git ignores. ``.git`` itself is never
entered, whatever ``exclude`` says. A path named on the command line is always linted, whatever its
name or suffix: the user asked for it.

Symbolic links: a linked ``.py`` file found while walking is linted; a linked directory is not
entered (so no loops, and no file twice), unless it is named on the command line.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from lrlint.config import Config, RootedPatterns, relative_posix
from lrlint.diagnostics import Diagnostic, Position
from lrlint.gitignore import (
    GitIgnore,
    IgnoreChain,
    chain_match,
    extend_chain,
    find_repo_root,
    root_chain,
)

__all__ = ["DEFAULT_EXCLUDES", "discover"]

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "build",
    "dist",
    "__pycache__",
    "site-packages",
    "node_modules",
    "*.egg-info",
)


def io_error(path: str, message: str) -> Diagnostic:
    """A file problem for a path that cannot be linted at all."""
    start = Position(1, 1)
    return Diagnostic(path, None, "io-error", message, start, start, severity="error")


def _message(exc: OSError) -> str:
    return exc.strerror or str(exc)


def discover(
    paths: Iterable[str | os.PathLike[str]], config: Config | None = None
) -> tuple[list[Path], list[Diagnostic]]:
    """The sorted, unique files to lint under ``paths``, and an io-error for each bad input."""
    config = config if config is not None else Config()
    walker = _Walker(config)
    for raw in paths:
        path = os.fspath(raw)
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            walker.problems.append(io_error(path, _message(exc)))
            continue
        if stat.S_ISDIR(mode):
            walker.walk(path)
        elif stat.S_ISREG(mode):
            walker.add(path)
        else:
            walker.problems.append(io_error(path, "Not a regular file or directory"))
    return sorted(walker.found.values()), walker.problems


class _Walker:
    def __init__(self, config: Config) -> None:
        excludes = DEFAULT_EXCLUDES if config.exclude is None else config.exclude
        self.excludes = RootedPatterns([*excludes, *config.extend_exclude])
        self.root = config.root
        self.respect_gitignore = config.respect_gitignore
        self.found: dict[str, Path] = {}  # absolute path -> path as the user will see it
        self.problems: list[Diagnostic] = []

    def add(self, path: str) -> None:
        self.found.setdefault(os.path.abspath(path), Path(path))

    def _git_start(self, top: str) -> tuple[str | None, IgnoreChain]:
        """Where ``top`` sits in its repository, and the ignore rules in force for its entries."""
        if not self.respect_gitignore:
            return None, ()
        repo = find_repo_root(top)
        if repo is None:
            return None, ()
        git_rel = relative_posix(top, repo) or ""
        git_rel = "" if git_rel == "." else git_rel
        return git_rel, GitIgnore(repo).chain_for(git_rel)

    def walk(self, top: str) -> None:
        rel = relative_posix(top, self.root)
        git_rel, chain = self._git_start(top)
        # (directory, its path relative to the config root or None, relative to its repository
        # or None, the gitignore rules of its parents, whether its own .gitignore is loaded)
        stack: list[tuple[str, str | None, str | None, IgnoreChain, bool]] = [
            (top, "" if rel == "." else rel, git_rel, chain, True)
        ]
        inside, outside = self.excludes.inside, self.excludes.outside
        while stack:
            directory, rel, git_rel, chain, loaded = stack.pop()
            try:
                with os.scandir(directory) as scan:
                    entries = list(scan)
            except OSError as exc:
                self.problems.append(io_error(directory, _message(exc)))
                continue
            if self.respect_gitignore and not loaded:
                names = {entry.name for entry in entries}
                if ".git" in names and git_rel != "":  # a nested repository starts afresh
                    git_rel, chain = "", root_chain(Path(directory))
                elif ".gitignore" in names and git_rel is not None:
                    chain = extend_chain(chain, directory, git_rel)
            for entry in entries:
                name = entry.name
                try:
                    if entry.is_dir(follow_symlinks=False):
                        is_dir = True
                        if name == ".git":
                            continue
                    elif name.endswith(".py") and entry.is_file():
                        is_dir = False
                    else:
                        continue
                except OSError:
                    continue
                entry_rel = None if rel is None else f"{rel}/{name}" if rel else name
                if entry_rel is None:
                    if outside.match(name, is_dir):
                        continue
                elif inside.match(entry_rel, is_dir):
                    continue
                entry_git_rel = (
                    None if git_rel is None else f"{git_rel}/{name}" if git_rel else name
                )
                if (
                    chain
                    and entry_git_rel is not None
                    and chain_match(chain, entry_git_rel, is_dir)
                ):
                    continue
                if is_dir:
                    stack.append((entry.path, entry_rel, entry_git_rel, chain, False))
                else:
                    self.add(entry.path)
