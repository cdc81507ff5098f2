"""The Python API that the CLI, editors, pre-commit and tests share.

::

    from lrlint import lint_source, lint_paths
    result = lint_source(code, "train.py")
    for d in result.diagnostics: print(d.code, d.message)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lrlint.config import Config
from lrlint.config_tree import ConfigTree, Overrides
from lrlint.diagnostics import Diagnostic, FileResult


@dataclass
class RunResult:
    """What a run found: every diagnostic (findings and file problems), per-file results, and
    the number of fixes applied."""

    results: list[FileResult] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)  # every file linted (or skipped as clean)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        from lrlint.runner import all_diagnostics

        return all_diagnostics(self.results)

    @property
    def fixed(self) -> int:
        return sum(result.fixes_applied for result in self.results)

    @property
    def fixed_source(self) -> str | None:
        """For a one-file run: the fixed text, when fixes changed it."""
        return self.results[0].fixed_source if len(self.results) == 1 else None

    @property
    def has_file_errors(self) -> bool:
        return any(result.has_file_error for result in self.results)


def make_tree(config_path: str | None = None, overrides: Overrides | None = None, *,
              isolated: bool = False) -> ConfigTree:
    """The settings of every file: its nearest config file (or ``config_path`` for all, or none
    with ``isolated``), with ``overrides`` on top. Raises ``ConfigError`` for a bad file."""
    from lrlint.checks import known_codes

    return ConfigTree(known_codes(), overrides, config_path=config_path, isolated=isolated)


def make_config(paths: Sequence[str], config_path: str | None = None,
                select: Sequence[str] | None = None, ignore: Sequence[str] = (),
                extend_select: Sequence[str] = ()) -> Config:
    """The configuration of the first of ``paths``: its nearest config file plus overrides.

    Raises ``ConfigError`` for an invalid file or an unknown rule selector.
    """
    overrides = Overrides(select=select, ignore=ignore, extend_select=extend_select)
    tree = make_tree(config_path, overrides)
    first = paths[0] if paths and paths[0] != "-" else None
    if first is None:
        return tree.fallback() if tree.fixed is None else tree.fixed
    return tree.for_directory(first) if os.path.isdir(first) else tree.for_file(first)


def lint_paths(paths: Iterable[str | os.PathLike[str]], *,
               config: Config | ConfigTree | None = None,
               select: Sequence[str] | None = None, ignore: Sequence[str] = (),
               fix: bool = False, unsafe_fixes: bool = False, write: bool = True,
               jobs: int | None = None, force_exclude: bool = False,
               extra_paths: Sequence[str] = (), cache: bool = False) -> RunResult:
    """Lint files and directories (recursively, honouring excludes and ``.gitignore``).

    ``config``: one :class:`Config` for every file, or a :class:`ConfigTree` (by default, each
    file's nearest config file with ``select``/``ignore`` on top). ``extra_paths``: more
    directories where imported modules' source may be found. ``cache``: keep the run's plan
    in ``.lrlint_cache/`` under the project root, so an unchanged project is planned at once.
    """
    from lrlint.discovery import discover
    from lrlint.runner import lint_files

    paths = [os.fspath(p) for p in paths]
    if config is None:
        config = make_tree(overrides=Overrides(select=select, ignore=ignore))
    tree = ConfigTree.of(config) if isinstance(config, Config) else config
    files, problems = discover(paths, tree, force_exclude=force_exclude)
    names = [os.fspath(f) for f in files]
    mode = ("unsafe" if unsafe_fixes else "safe") if fix else "off"
    anchor = paths[0] if paths else "."
    plan_config = tree.for_directory(anchor) if os.path.isdir(anchor) else tree.for_file(anchor)
    results = lint_files(names, tree.file_codes(names), mode, write, jobs,
                         extra_paths=[os.fspath(p) for p in extra_paths],
                         plan_config=plan_config, cli_paths=paths, use_cache=cache)
    return RunResult([FileResult(p.path, [p]) for p in problems] + results, files=files)


def lint_source(source: str | bytes, filename: str = "<stdin>", *, config: Config | None = None,
                select: Sequence[str] | None = None, ignore: Sequence[str] = (),
                fix: bool = False, unsafe_fixes: bool = False) -> RunResult:
    """Lint one file's contents given as text or bytes; nothing is written."""
    from lrlint.runner import Job, run_job

    if config is None:
        overrides = Overrides(select=select, ignore=ignore)
        config = make_tree(overrides=overrides).for_file(filename)
    data = source.encode("utf-8") if isinstance(source, str) else source
    codes = tuple(sorted(config.codes_for(filename)))
    mode = ("unsafe" if unsafe_fixes else "safe") if fix else "off"
    return RunResult([run_job(Job(filename, data, codes, mode, write=False))])
