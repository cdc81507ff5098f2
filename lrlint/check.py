"""The ``check`` command: from parsed arguments to a report and an exit status.

Exit status: 0 nothing found, 1 findings remain (or ``--diff`` would change files, or
``--exit-non-zero-on-fix`` and something was fixed), 2 usage error, bad configuration, or a file
that could not be read, decoded or parsed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TextIO

from lrlint.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, UsageError

ENV_OUTPUT_FORMAT = "LRLINT_OUTPUT_FORMAT"


def run_check(args: argparse.Namespace, out: TextIO) -> int:
    fmt = output_format(args)
    paths = _paths(args)
    mode = fix_mode(args)
    if args.add_noqa and (mode != "off" or args.diff or paths == ["-"]):
        raise UsageError("--add-noqa cannot be combined with --fix, --fix-only, --diff or stdin")
    if args.statistics and fmt not in ("text", "full", "concise", "grouped", "json"):
        raise UsageError(f"--statistics writes text or json output, not {fmt}")
    if args.watch:
        if paths == ["-"]:
            raise UsageError("--watch cannot watch stdin")
        from lrlint.watch import watch

        return watch(lambda: _watched_run(args, paths, fmt, mode, out), lambda: _watched_tree(args),
                     paths)
    return _check_once(args, paths, fmt, mode, out)


def _watched_run(args, paths, fmt, mode, out) -> int:
    """One run under --watch: a broken config is reported, and watching goes on."""
    try:
        return _check_once(args, paths, fmt, mode, out)
    except UsageError as error:
        sys.stderr.write(f"lrlint: error: {error}\n")
        return EXIT_ERROR


def _watched_tree(args):
    from lrlint.config import Config

    try:
        return _tree(args)
    except UsageError:
        return Config()  # the defaults still say which files to watch


def output_format(args: argparse.Namespace) -> str:
    """``--output-format``, else ``$LRLINT_OUTPUT_FORMAT`` (checked: a usage error, not a
    traceback, when it names no format), else ``text``."""
    if args.output_format:
        return args.output_format
    from lrlint.reporting import FORMATS

    value = os.environ.get(ENV_OUTPUT_FORMAT, "").strip()
    if not value:
        return "text"
    if value not in FORMATS:
        raise UsageError(f"{ENV_OUTPUT_FORMAT}={value!r} is not an output format; "
                         f"expected one of {', '.join(FORMATS)}")
    return value


def fix_mode(args: argparse.Namespace) -> str:
    """``off``, ``safe`` or ``unsafe``: ``--unsafe-fixes``, ``--fix-only`` and ``--diff`` imply
    ``--fix``; ``--no-fix`` overrides them all."""
    if args.no_fix or not (args.fix or args.unsafe_fixes or args.fix_only or args.diff):
        return "off"
    return "unsafe" if args.unsafe_fixes else "safe"


def _paths(args: argparse.Namespace) -> list[str]:
    paths = args.paths or ["."]
    if "-" in paths and len(paths) > 1:
        raise UsageError("'-' (stdin) cannot be combined with other paths")
    if args.stdin_filename and paths != ["-"]:
        if args.paths:
            raise UsageError("--stdin-filename applies to '-' (stdin) only")
        paths = ["-"]
    return paths


def _tree(args: argparse.Namespace):
    from lrlint.api import make_tree
    from lrlint.checks import known_codes
    from lrlint.config import ConfigError
    from lrlint.config_tree import Overrides, parse_per_file_ignores

    if args.config and args.isolated:
        raise UsageError("--config and --isolated cannot be combined")
    try:
        codes = known_codes()
        overrides = Overrides(
            select=args.select,
            ignore=tuple(args.ignore),
            extend_select=tuple(args.extend_select),
            exclude=tuple(args.exclude) if args.exclude is not None else None,
            extend_exclude=tuple(args.extend_exclude),
            per_file_ignores=(parse_per_file_ignores(args.per_file_ignores, codes)
                              if args.per_file_ignores is not None else None),
            extend_per_file_ignores=parse_per_file_ignores(
                args.extend_per_file_ignores, codes, "--extend-per-file-ignores"),
        )
        tree = make_tree(args.config, overrides, isolated=args.isolated)
        if tree.fixed is None:
            tree.fallback()  # a broken config above the working directory: fail before any work
        return tree
    except ConfigError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"{args.config}: {error.strerror or error}") from None


@contextlib.contextmanager
def _destination(args: argparse.Namespace, out: TextIO) -> Iterator[TextIO]:
    """stdout, or ``--output-file`` (its directory created if need be)."""
    if not args.output_file:
        yield out
        return
    try:
        directory = os.path.dirname(os.path.abspath(args.output_file))
        os.makedirs(directory, exist_ok=True)
        stream = open(args.output_file, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as error:
        raise UsageError(f"{args.output_file}: {error.strerror or error}") from None
    with stream:
        yield stream


def _check_once(args: argparse.Namespace, paths: list[str], fmt: str, mode: str,
                out: TextIO) -> int:
    from lrlint.api import lint_paths
    from lrlint.config import ConfigError

    tree = _tree(args)
    if paths == ["-"]:
        return _check_stdin(args, tree, fmt, mode, out)
    try:
        if args.show_files or args.show_settings:
            return _show(args, tree, paths, out)
        result = lint_paths(paths, config=tree, fix=mode != "off", unsafe_fixes=mode == "unsafe",
                            write=not args.diff, jobs=args.jobs, force_exclude=args.force_exclude,
                            cache=not args.no_cache)
    except ConfigError as error:
        raise UsageError(str(error)) from None
    if not result.files and not result.has_file_errors:
        sys.stderr.write("warning: No Python files found under the given path(s)\n")
    if args.diff:
        return _print_diffs(result, out)
    if args.add_noqa:
        return _add_noqa(result)
    with _destination(args, out) as stream:
        _report(result.diagnostics, args, fmt, mode, stream, result)
    return exit_status(args, result.diagnostics, result.fixed)


def _check_stdin(args: argparse.Namespace, tree, fmt: str, mode: str, out: TextIO) -> int:
    from lrlint.api import lint_source
    from lrlint.config import ConfigError
    from lrlint.source import split_lines

    filename = args.stdin_filename or "-"
    data = sys.stdin.buffer.read()
    try:
        config = tree.for_file(filename)
    except ConfigError as error:
        raise UsageError(str(error)) from None
    if args.force_exclude and args.stdin_filename and config.is_excluded(filename):
        if mode != "off" and not args.diff:
            out.write(data.decode("utf-8", "replace"))  # like formatters: the input, unchanged
        return EXIT_CLEAN
    result = lint_source(data, filename, config=config, fix=mode != "off",
                         unsafe_fixes=mode == "unsafe")
    if args.diff:
        return _print_diffs(result, out)
    text = result.fixed_source
    if mode != "off":
        # Like formatters: the (fixed) source goes to stdout, the report to stderr.
        out.write(text if text is not None else data.decode("utf-8", "replace"))
        out.flush()
        out = sys.stderr
    shown = text if text is not None else data.decode("utf-8", "replace")
    lines = split_lines(shown)
    with _destination(args, out) as stream:
        _report(result.diagnostics, args, fmt, mode, stream, result,
                lines=lambda path: lines, cells=_cell_reader({filename: shown}))
    return exit_status(args, result.diagnostics, result.fixed)


def _report(diagnostics, args: argparse.Namespace, fmt: str, mode: str, out: TextIO, result, *,
            lines=None, cells=None) -> None:
    from lrlint.reporting import write_report, write_statistics

    fixed_texts = {r.path: r.fixed_source for r in result.results if r.fixed_source is not None}
    options = {
        "rules": rule_infos(),
        "source_lines": lines or (lambda path: _lines_of(path, fixed_texts)),
        "cell_lines": cells or _cell_reader(fixed_texts),
        "quiet": args.quiet,
        "fixed": result.fixed,
        "fixed_diagnostics": [d for r in result.results for d in r.fixed],
        "unsafe_fixes": args.unsafe_fixes,
        "show_fix_status": mode == "off",
        "show_fix_diff": args.show_fixes and mode == "off",
        "show_fix_summary": args.show_fixes and mode != "off",
        "show_violations": not args.fix_only,
        "colour": {"always": True, "never": False}.get(args.color),
    }
    if args.fix_only:  # the remaining findings are not reported; problems with files still are
        _write_file_errors(diagnostics)
    if args.statistics:
        write_statistics(diagnostics, fmt, out, **options)
    else:
        write_report(diagnostics, fmt, out, **options)


def rule_infos():
    from lrlint.checks import all_rules
    from lrlint.reporting import RuleInfo

    return {
        rule.code: RuleInfo(rule.code, rule.name, rule.summary, rule.fixable, rule.url(),
                            rule.severity)
        for rule in all_rules()
    }


def _lines_of(path: str, fixed_texts: dict[str, str]) -> list[str] | None:
    from lrlint.source import DecodeError, decode, split_lines

    if path in fixed_texts:
        return split_lines(fixed_texts[path])
    try:
        with open(path, "rb") as stream:
            return split_lines(decode(stream.read()).text)
    except (OSError, DecodeError):
        return None


def _cell_reader(texts: dict[str, str]):
    """A notebook cell's lines, from the fixed notebook when fixes changed it."""
    from functools import lru_cache

    @lru_cache(maxsize=8)
    def cells(path: str) -> list[list[str]] | None:
        from lrlint.notebook import NotebookError, cell_lines

        try:
            if path in texts:
                return cell_lines(texts[path].encode("utf-8"))
            with open(path, "rb") as stream:
                return cell_lines(stream.read())
        except (OSError, NotebookError):
            return None

    def lines(path: str, cell: int) -> list[str] | None:
        table = cells(path)
        return table[cell - 1] if table is not None and 0 < cell <= len(table) else None

    return lines


def exit_status(args: argparse.Namespace, diagnostics, fixed: int) -> int:
    if any(d.is_file_error for d in diagnostics):
        return EXIT_ERROR
    if args.exit_zero:
        return EXIT_CLEAN
    fixed_fails = args.exit_non_zero_on_fix and fixed > 0
    if args.fix_only:
        return EXIT_FINDINGS if fixed_fails else EXIT_CLEAN
    return EXIT_FINDINGS if diagnostics or fixed_fails else EXIT_CLEAN


def _write_file_errors(diagnostics) -> None:
    for error in diagnostics:
        if error.is_file_error:
            sys.stderr.write(f"{error.path}:{error.start.line}:{error.start.column}: "
                             f"{error.name}: {error.message}\n")


def _print_diffs(result, out: TextIO) -> int:
    """``--diff``: the fixes as a unified diff per file (per cell in a notebook)."""
    from lrlint.notebook import is_notebook, notebook_diff
    from lrlint.reporting.summary import plural

    changed = 0
    for file_result in sorted(result.results, key=lambda r: r.path):
        if file_result.fixed_source is None:
            continue
        changed += 1
        before, after = file_result.original_source, file_result.fixed_source
        if is_notebook(file_result.path):
            out.writelines(notebook_diff(file_result.path, before, after))
        else:
            out.writelines(unified_diff(before, after, file_result.path, file_result.path))
    _write_file_errors(result.diagnostics)
    sys.stderr.write(f"Would apply {plural(result.fixed, 'fix', 'fixes')} to "
                     f"{plural(changed, 'file')}.\n")
    if result.has_file_errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if changed else EXIT_CLEAN


def unified_diff(before: str, after: str, old_name: str, new_name: str) -> list[str]:
    import difflib

    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 old_name, new_name)
    return [line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
            for line in lines]


def _add_noqa(result) -> int:
    """``--add-noqa``: a suppression comment on each line with a finding; nothing else changes."""
    from lrlint.reporting.summary import plural
    from lrlint.suppression import add_directives_to_file

    added = 0
    problems = [d for d in result.diagnostics if d.is_file_error]
    by_path: dict[str, list] = {}
    for diagnostic in result.diagnostics:
        if not diagnostic.is_file_error:
            by_path.setdefault(diagnostic.path, []).append(diagnostic)
    for path, findings in sorted(by_path.items()):
        count, problem = add_directives_to_file(path, findings)
        added += count
        if problem is not None:
            problems.append(problem)
    _write_file_errors(problems)
    sys.stderr.write(f"Added {plural(added, 'suppression comment')}.\n")
    return EXIT_ERROR if problems else EXIT_CLEAN


def _show(args: argparse.Namespace, tree, paths: list[str], out: TextIO) -> int:
    """``--show-files`` and ``--show-settings``: what a run would lint, and with what."""
    from lrlint.discovery import discover

    files, problems = discover(paths, tree, force_exclude=args.force_exclude)
    _write_file_errors(problems)
    if args.show_files:
        out.writelines(f"{path}\n" for path in files)
    else:
        target = str(files[0]) if files else None
        config = tree.for_file(target) if target else tree.for_directory(paths[0])
        out.write(describe_settings(config, target or paths[0]))
    return EXIT_ERROR if problems else EXIT_CLEAN


def describe_settings(config, path: str) -> str:
    """The settings in force for ``path``, in the keys of the config file."""
    import json

    def toml_list(values) -> str:
        return "[" + ", ".join(json.dumps(v) for v in values) + "]"

    from lrlint.config import DEFAULT_EXCLUDES

    exclude = config.cli_exclude if config.cli_exclude is not None else (
        config.exclude if config.exclude is not None else DEFAULT_EXCLUDES)
    ignores = {pattern: sorted(codes) for pattern, codes in (
        *(config.cli_per_file_ignores if config.cli_per_file_ignores is not None
          else config.per_file_ignores),
        *config.cli_extend_per_file_ignores)}
    lines = [
        f"Resolved settings for: {path}",
        f"Settings path: {config.path if config.path else 'none (defaults)'}",
        "",
        f"select = {toml_list(sorted(config.enabled))}",
        f"exclude = {toml_list(exclude)}",
        f"extend-exclude = {toml_list([*config.extend_exclude, *config.cli_extend_exclude])}",
        "per-file-ignores = {"
        + ", ".join(f"{json.dumps(p)} = {toml_list(c)}" for p, c in ignores.items()) + "}",
        f"respect-gitignore = {str(config.respect_gitignore).lower()}",
    ]
    return "\n".join(lines) + "\n"
