"""From command-line paths to the files to lint: Python files and Jupyter notebooks.

Directories are walked for ``*.py`` and ``*.ipynb`` files (stubs, ``.pyi``, hold no training
loops). While walking, each directory's entries are checked against the excludes of the config
in charge of that directory (see :mod:`lrlint.config_tree`): ``DEFAULT_EXCLUDES`` (or the config's
``exclude``), the config's ``extend-exclude`` and the command line's; and, with
``respect-gitignore``, what git ignores. ``.git`` itself is never entered, whatever ``exclude``
says. A path named on the command line is always linted, whatever its name or suffix: the user
asked for it; unless ``force_exclude`` (``--force-exclude``) is on and an exclude pattern matches
it, which is what pre-commit needs, since it names every staged file.

Symbolic links: a linked file found while walking is linted; a linked directory is not
entered (so no loops, and no file twice), unless it is named on the command line.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from lrlint.config import DEFAULT_EXCLUDES, Config, relative_posix
from lrlint.config_tree import ConfigTree
from lrlint.diagnostics import Diagnostic, Position
from lrlint.gitignore import (
    GitIgnore,
    IgnoreChain,
    chain_match,
    extend_chain,
    find_repo_root,
    root_chain,
)

__all__ = ["DEFAULT_EXCLUDES", "LINTED_SUFFIXES", "discover"]

LINTED_SUFFIXES = (".py", ".ipynb")


def io_error(path: str, message: str) -> Diagnostic:
    """A file problem for a path that cannot be linted at all."""
    start = Position(1, 1)
    return Diagnostic(path, None, "io-error", message, start, start, severity="error")


def _message(exc: OSError) -> str:
    return exc.strerror or str(exc)


def discover(
    paths: Iterable[str | os.PathLike[str]],
    config: Config | ConfigTree | None = None,
    *,
    force_exclude: bool = False,
) -> tuple[list[Path], list[Diagnostic]]:
    """The sorted, unique files to lint under ``paths``, and an io-error for each bad input.

    Raises :class:`~lrlint.config.ConfigError` for a broken config file met on the way.
    """
    if config is None:
        config = Config()
    tree = ConfigTree.of(config) if isinstance(config, Config) else config
    walker = _Walker(tree)
    for raw in paths:
        path = os.fspath(raw)
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            walker.problems.append(io_error(path, _message(exc)))
            continue
        if force_exclude and tree.for_file(path).is_excluded(path):
            continue
        if stat.S_ISDIR(mode):
            walker.walk(path)
        elif stat.S_ISREG(mode):
            walker.add(path)
        else:
            walker.problems.append(io_error(path, "Not a regular file or directory"))
    return sorted(walker.found.values()), walker.problems


class _Walker:
    def __init__(self, tree: ConfigTree) -> None:
        self.tree = tree
        self.found: dict[str, Path] = {}  # absolute path -> path as the user will see it
        self.problems: list[Diagnostic] = []

    def add(self, path: str) -> None:
        self.found.setdefault(os.path.abspath(path), Path(path))

    def _git_start(self, top: str, respect_gitignore: bool) -> tuple[str | None, IgnoreChain]:
        """Where ``top`` sits in its repository, and the ignore rules in force for its entries."""
        if not respect_gitignore:
            return None, ()
        repo = find_repo_root(top)
        if repo is None:
            return None, ()
        git_rel = relative_posix(top, repo) or ""
        git_rel = "" if git_rel == "." else git_rel
        return git_rel, GitIgnore(repo).chain_for(git_rel)

    def walk(self, top: str) -> None:
        start_config = self.tree.for_directory(top)
        respect_gitignore = start_config.respect_gitignore
        git_rel, chain = self._git_start(top, respect_gitignore)
        # (directory, the config in charge of its parent, its path relative to its repository
        # or None, the gitignore rules of its parents, whether its own .gitignore is loaded)
        stack: list[tuple[str, Config, str | None, IgnoreChain, bool]] = [
            (top, start_config, git_rel, chain, True)
        ]
        while stack:
            directory, parent_config, git_rel, chain, loaded = stack.pop()
            try:
                with os.scandir(directory) as scan:
                    entries = list(scan)
            except OSError as exc:
                self.problems.append(io_error(directory, _message(exc)))
                continue
            names = {entry.name for entry in entries}
            config = self.tree.for_listed_directory(directory, names, parent_config)
            # Each exclude set with this directory's path relative to its anchor (None: outside).
            excludes = [
                (patterns, _relative_dir(directory, anchor)) for anchor, patterns in config.excludes
            ]
            if respect_gitignore and not loaded:
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
                    elif name.endswith(LINTED_SUFFIXES) and entry.is_file():
                        is_dir = False
                    else:
                        continue
                except OSError:
                    continue
                if any(_excluded(patterns, rel, name, is_dir) for patterns, rel in excludes):
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
                    stack.append((entry.path, config, entry_git_rel, chain, False))
                else:
                    self.add(entry.path)


def _relative_dir(directory: str, anchor: Path) -> str | None:
    rel = relative_posix(directory, anchor)
    return "" if rel == "." else rel


def _excluded(patterns, rel: str | None, name: str, is_dir: bool) -> bool:
    if rel is None:  # outside the patterns' directory: only unanchored patterns can match
        return patterns.outside.match(name, is_dir) is True
    return patterns.inside.match(f"{rel}/{name}" if rel else name, is_dir) is True
