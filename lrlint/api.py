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

from lrlint.config import Config, find_config, load_config
from lrlint.diagnostics import Diagnostic, FileResult


@dataclass
class RunResult:
    """What a run found: every diagnostic (findings and file problems), per-file results, and
    the number of fixes applied."""

    results: list[FileResult] = field(default_factory=list)

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


def make_config(paths: Sequence[str], config_path: str | None = None,
                select: Sequence[str] | None = None, ignore: Sequence[str] = (),
                extend_select: Sequence[str] = ()) -> Config:
    """The configuration for linting ``paths``: the nearest ``[tool.lrlint]`` plus overrides.

    Raises ``ConfigError`` for an invalid file or an unknown rule selector.
    """
    from lrlint.checks import known_codes

    codes = known_codes()
    if config_path is None:
        start = Path(paths[0]) if paths and paths[0] != "-" else Path.cwd()
        found = find_config(start.resolve())
        config = load_config(found, codes)
    else:
        config = load_config(Path(config_path), codes)
    if select is None and not ignore and not extend_select:
        return config
    return config.with_overrides(select=select, ignore=ignore, extend_select=extend_select)


def lint_paths(paths: Iterable[str | os.PathLike[str]], *, config: Config | None = None,
               select: Sequence[str] | None = None, ignore: Sequence[str] = (),
               fix: bool = False, unsafe_fixes: bool = False, write: bool = True,
               jobs: int | None = None, extra_paths: Sequence[str] = ()) -> RunResult:
    """Lint files and directories (recursively, honouring excludes and ``.gitignore``).
    ``extra_paths``: more directories where imported modules' source may be found."""
    from lrlint.discovery import discover
    from lrlint.runner import lint_files

    paths = [os.fspath(p) for p in paths]
    if config is None:
        config = make_config(paths, select=select, ignore=ignore)
    files, problems = discover(paths, config)
    mode = ("unsafe" if unsafe_fixes else "safe") if fix else "off"
    results = lint_files([os.fspath(f) for f in files], config, mode, write, jobs,
                         extra_paths=[os.fspath(p) for p in extra_paths])
    return RunResult([FileResult(p.path, [p]) for p in problems] + results)


def lint_source(source: str | bytes, filename: str = "<stdin>", *, config: Config | None = None,
                select: Sequence[str] | None = None, ignore: Sequence[str] = (),
                fix: bool = False, unsafe_fixes: bool = False) -> RunResult:
    """Lint one file's contents given as text or bytes; nothing is written."""
    from lrlint.runner import Job, run_job

    if config is None:
        config = make_config([], select=select, ignore=ignore)
    data = source.encode("utf-8") if isinstance(source, str) else source
    codes = tuple(sorted(config.codes_for(filename)))
    mode = ("unsafe" if unsafe_fixes else "safe") if fix else "off"
    return RunResult([run_job(Job(filename, data, codes, mode, write=False))])
