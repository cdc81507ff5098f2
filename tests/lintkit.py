"""The helpers every rule test shares: lint a snippet or a multi-file project, fix a snippet.

    from lintkit import findings, fixed, lint_project

    findings(source, "LR003")                 # diagnostics of one rule on a dedented snippet
    messages(source, "LR003")                 # their messages
    fixed(source, "LR003")                    # the snippet after --fix (None when unchanged)
    lint(source, "LR003", fix=True)           # the whole RunResult, for what the others drop
    lint_project(tmp_path, {"train.py": ..., "utils/sched.py": ...}, select=["LR003"])

A snippet is dedented before it is linted; a source that starts at column 0 (a module-level
``HEADER`` plus a body) is linted as it is.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from lrlint import RunResult, lint_paths, lint_source
from lrlint.diagnostics import Diagnostic


def lint(source: str, code: str | list[str], path: str = "train.py", **kwargs) -> RunResult:
    """The result of linting ``source`` (dedented) as ``path`` with rule(s) ``code``;
    ``kwargs`` go to ``lint_source`` (``fix=True``, ``unsafe_fixes=True``, ...)."""
    select = [code] if isinstance(code, str) else code
    return lint_source(dedent(source), path, select=select, **kwargs)


def findings(source: str, code: str | list[str], path: str = "train.py", **kwargs) -> list[Diagnostic]:
    """The diagnostics of rule(s) ``code`` on ``source`` (dedented)."""
    return lint(source, code, path, **kwargs).diagnostics


def messages(source: str, code: str | list[str], path: str = "train.py", **kwargs) -> list[str]:
    """The messages of the diagnostics of rule(s) ``code`` on ``source`` (dedented)."""
    return [d.message for d in findings(source, code, path, **kwargs)]


def fixed(source: str, code: str, unsafe: bool = False, path: str = "train.py") -> str | None:
    """``source`` after applying rule ``code``'s fixes (safe ones, or all with ``unsafe``)."""
    return lint(source, code, path, fix=True, unsafe_fixes=unsafe).fixed_source


def write_project(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> dedented source) under ``root``."""
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dedent(text))
    return root


def lint_project(root: Path, files: dict[str, str], select: list[str] | None = None,
                 paths: list[str] | None = None, **kwargs) -> list[Diagnostic]:
    """Write a project and lint it (all of it, or ``paths`` under it); every diagnostic."""
    write_project(root, files)
    targets = [str(root / p) for p in paths] if paths is not None else [str(root)]
    return lint_paths(targets, select=select, jobs=1, **kwargs).diagnostics


def where(diagnostics: list[Diagnostic], root: Path) -> list[tuple[str, str | None, int]]:
    """(relative path, code, line) of each diagnostic, for compact assertions."""
    return [(Path(d.path).relative_to(root).as_posix(), d.code, d.start.line) for d in diagnostics]
