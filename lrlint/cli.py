"""The ``lrlint`` command: argument parsing and exit codes over :mod:`lrlint.api`.

Exit status: 0 nothing found, 1 findings remain (or ``--diff`` would change files), 2 usage
error, bad configuration, or a file that could not be read, decoded or parsed.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from lrlint._version import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
COMMANDS = ("check", "rule", "rules", "explain", "server")


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep one message format
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"lrlint: error: {message}\n")


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lrlint",
        description="Find learning-rate bugs in PyTorch training code.",
        epilog="Commands: check (default), rule CODE, rules, explain FILE, server. "
               "Run 'lrlint COMMAND --help' for details.",
    )
    parser.add_argument("--version", action="version", version=f"lrlint {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    check = commands.add_parser("check", help="lint files and directories (the default)")
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="files or directories to lint ('-' reads stdin); default: .")
    check.add_argument("--fix", action="store_true", help="apply safe fixes")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="apply safe and unsafe fixes (implies --fix)")
    check.add_argument("--diff", action="store_true",
                       help="print the fixes as a unified diff; write nothing")
    check.add_argument("--select", type=_codes, action="extend", default=None, metavar="CODES",
                       help="only these rules (codes, prefixes, names or ALL; comma-separated)")
    check.add_argument("--extend-select", type=_codes, action="extend", default=[], metavar="CODES",
                       help="rules to add to the configured selection")
    check.add_argument("--ignore", type=_codes, action="extend", default=[], metavar="CODES",
                       help="rules to turn off")
    check.add_argument("--output-format", choices=("text", "json", "github", "sarif"),
                       default=os.environ.get("LRLINT_OUTPUT_FORMAT", "text"))
    check.add_argument("--exit-zero", action="store_true",
                       help="exit 0 even when findings remain (file errors still exit 2)")
    check.add_argument("-q", "--quiet", action="store_true",
                       help="one line per finding, no source, no summary")
    check.add_argument("-j", "--jobs", type=_positive, default=None, metavar="N",
                       help="worker processes (default: one per core)")
    check.add_argument("--stdin-filename", default=None, metavar="PATH",
                       help="the file name to report (and match per-file-ignores) for stdin")
    check.add_argument("--config", default=None, metavar="PYPROJECT",
                       help="use this pyproject.toml instead of the nearest one")

    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code", metavar="CODE")

    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--output-format", choices=("text", "json"), default="text")

    explain = commands.add_parser(
        "explain", help="show the LR curve of each scheduler in files and directories",
        description="Show the LR curve every scheduler in the code produces, statically (the "
                    "code is parsed, never run). Values the code only knows at run time can be "
                    "supplied with --steps, --steps-per-epoch and --set.")
    explain.add_argument("paths", nargs="+", metavar="PATH",
                         help="Python files or directories to explain")
    explain.add_argument("--steps", type=_positive, default=None, metavar="N",
                         help="draw N scheduler steps (default: what the loops around "
                              "scheduler.step() or the schedule's own length say); an unknown "
                              "len(LOADER) of those loops is inferred from N")
    explain.add_argument("--steps-per-epoch", type=_positive, default=None, metavar="N",
                         help="batches per epoch: the value of len(LOADER) for the data the "
                              "training loops iterate")
    explain.add_argument("--set", action="append", default=[], metavar="CODE=VALUE",
                         dest="assignments",
                         help="give an expression of the code a value, as written there "
                              "(--set len(train_loader)=500, --set num_epochs=3, "
                              "--set args.epochs=3); repeatable")
    explain.add_argument("--plot", default=None, metavar="FILE.png",
                         help="also write the curves as a PNG chart (needs matplotlib: pip "
                              "install 'lrlint[plot]')")
    explain.add_argument("--output-format", choices=("text", "json"), default="text",
                         help="text (numbers and a chart, the default) or json")

    server = commands.add_parser("server", help="run the language server for editors (LSP)",
                                 description='A language server over stdio; needs '
                                             'pip install "lrlint[lsp]".')
    server.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `lrlint PATH ...` means `lrlint check PATH ...`.
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "check")
    args = build_parser().parse_args(argv)
    try:
        if args.command == "rule":
            return _rule(args.code, sys.stdout)
        if args.command == "rules":
            return _rules(args.output_format, sys.stdout)
        if args.command == "explain":
            from lrlint.explain import run_explain

            return run_explain(args)
        if args.command == "server":
            from lrlint.server import run as run_server

            return run_server()
        return _check(args, sys.stdout)
    except UsageError as error:
        sys.stderr.write(f"lrlint: error: {error}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("lrlint: interrupted\n")
        return 130
    except BrokenPipeError:  # `lrlint ... | head`
        sys.stderr.close()
        return EXIT_FINDINGS


def _check(args: argparse.Namespace, out: TextIO) -> int:
    from lrlint.config import ConfigError

    paths = args.paths or ["."]
    if "-" in paths and len(paths) > 1:
        raise UsageError("'-' (stdin) cannot be combined with other paths")
    if args.stdin_filename and paths != ["-"]:
        if not args.paths:
            paths = ["-"]
        else:
            raise UsageError("--stdin-filename applies to '-' (stdin) only")
    fix = args.fix or args.unsafe_fixes or args.diff
    try:
        from lrlint.api import make_config

        config_paths = [args.stdin_filename] if paths == ["-"] and args.stdin_filename else paths
        config = make_config(config_paths, args.config, args.select, args.ignore, args.extend_select)
    except ConfigError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"{args.config}: {error.strerror or error}") from None

    if paths == ["-"]:
        return _check_stdin(args, config, fix, out)
    from lrlint.api import lint_paths

    result = lint_paths(paths, config=config, fix=fix, unsafe_fixes=args.unsafe_fixes,
                        write=not args.diff, jobs=args.jobs)
    if args.diff:
        return _print_diffs(result, out)
    fixed_sources = {r.path: r.fixed_source for r in result.results if r.fixed_source is not None}
    _report(result.diagnostics, args, out, fixed=result.fixed,
            lines=lambda path: _lines_of(path, fixed_sources))
    return _exit_status(result.diagnostics, args.exit_zero)


def _check_stdin(args, config, fix: bool, out: TextIO) -> int:
    from lrlint.api import lint_source

    filename = args.stdin_filename or "-"
    data = sys.stdin.buffer.read()
    result = lint_source(data, filename, config=config, fix=fix, unsafe_fixes=args.unsafe_fixes)
    if args.diff:
        return _print_diffs(result, out)
    text = result.fixed_source
    if fix:
        # Like formatters: the (fixed) source goes to stdout, the report to stderr.
        out.write(text if text is not None else data.decode("utf-8", "replace"))
        out.flush()
        out = sys.stderr
    shown = text if text is not None else data.decode("utf-8", "replace")
    from lrlint.source import split_lines

    _report(result.diagnostics, args, out, fixed=result.fixed, lines=lambda path: split_lines(shown))
    return _exit_status(result.diagnostics, args.exit_zero)


def _report(diagnostics, args, out: TextIO, *, fixed: int, lines) -> None:
    from lrlint.reporting import write_report

    write_report(diagnostics, args.output_format, out, rules=_rule_infos(), source_lines=lines,
                 quiet=args.quiet, fixed=fixed, unsafe_fixes=args.unsafe_fixes)


def _rule_infos():
    from lrlint.checks import all_rules
    from lrlint.reporting import RuleInfo

    return {
        rule.code: RuleInfo(rule.code, rule.name, rule.summary, rule.fixable, rule.url(), rule.severity)
        for rule in all_rules()
    }


def _lines_of(path: str, fixed_sources: dict[str, str]) -> list[str] | None:
    from lrlint.source import DecodeError, decode, split_lines

    if path in fixed_sources:
        return split_lines(fixed_sources[path])
    try:
        with open(path, "rb") as stream:
            return split_lines(decode(stream.read()).text)
    except (OSError, DecodeError):
        return None


def _print_diffs(result, out: TextIO) -> int:
    changed = 0
    for file_result in sorted(result.results, key=lambda r: r.path):
        if file_result.fixed_source is None:
            continue
        changed += 1
        before = file_result.original_source.splitlines(keepends=True)
        after = file_result.fixed_source.splitlines(keepends=True)
        out.writelines(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in difflib.unified_diff(before, after, file_result.path, file_result.path))
    errors = [d for d in result.diagnostics if d.is_file_error]
    for error in errors:
        sys.stderr.write(f"{error.path}:{error.start.line}:{error.start.column}: "
                         f"{error.name}: {error.message}\n")
    fixes = result.fixed
    noun = "fix" if fixes == 1 else "fixes"
    sys.stderr.write(f"Would apply {fixes} {noun} to {changed} file{'s' if changed != 1 else ''}.\n")
    if errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if changed else EXIT_CLEAN


def _exit_status(diagnostics, exit_zero: bool) -> int:
    if any(d.is_file_error for d in diagnostics):
        return EXIT_ERROR
    if diagnostics and not exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _rule(code: str, out: TextIO) -> int:
    from lrlint.checks import rule_by_code
    from lrlint.docs import rule_page

    wanted = code.strip().upper()
    catalog = rule_by_code()
    if wanted not in catalog:
        by_name = {rule.name: c for c, rule in catalog.items()}
        wanted = by_name.get(code.strip().lower(), wanted)
    if wanted not in catalog:
        raise UsageError(f"unknown rule {code!r}; run 'lrlint rules' to list them")
    page = rule_page(wanted)
    if page is None:
        rule = catalog[wanted]
        page = f"# {rule.code} {rule.name}\n\n{rule.summary}\n"
    out.write(page if page.endswith("\n") else page + "\n")
    return EXIT_CLEAN


def _rules(output_format: str, out: TextIO) -> int:
    from lrlint.checks import all_rules

    rules = all_rules()
    if output_format == "json":
        import json

        json.dump([{"code": r.code, "name": r.name, "summary": r.summary, "fixable": r.fixable,
                    "severity": r.severity, "url": r.url()} for r in rules], out, indent=2)
        out.write("\n")
        return EXIT_CLEAN
    width = max(len(r.name) for r in rules)
    for rule in rules:
        fixable = "fix" if rule.fixable else "   "
        out.write(f"{rule.code}  {rule.name:<{width}}  {fixable}  {rule.summary}\n")
    return EXIT_CLEAN


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
