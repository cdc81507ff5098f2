"""The ``lrlint`` command: argument parsing and exit codes over :mod:`lrlint.api`.

Exit status: 0 nothing found, 1 findings remain (or ``--diff`` would change files), 2 usage
error, bad configuration, or a file that could not be read, decoded or parsed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from lrlint._version import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
COMMANDS = ("check", "rule", "rules", "explain", "server")
# As lrlint.reporting.FORMATS (not imported here: `lrlint --version` stays cheap).
OUTPUT_FORMATS = ("text", "full", "concise", "grouped", "json", "json-lines", "junit", "github",
                  "gitlab", "pylint", "rdjson", "azure", "sarif")


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep one message format
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"lrlint: error: {message}\n")


def _comma_separated(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return number


def add_check_arguments(check: argparse.ArgumentParser) -> None:
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="files or directories to lint ('-' reads stdin); default: .")
    fixing = check.add_argument_group("fixing")
    fixing.add_argument("--fix", action="store_true", help="apply safe fixes")
    fixing.add_argument("--no-fix", action="store_true",
                        help="apply no fixes, whatever --fix, --unsafe-fixes or --fix-only say")
    fixing.add_argument("--unsafe-fixes", action="store_true",
                        help="apply safe and unsafe fixes (implies --fix)")
    fixing.add_argument("--fix-only", action="store_true",
                        help="apply fixes; neither report nor fail on what remains")
    fixing.add_argument("--diff", action="store_true",
                        help="print the fixes as a unified diff; write nothing")
    fixing.add_argument("--show-fixes", action="store_true",
                        help="show each finding's fix as a diff; with --fix, list what was fixed")
    fixing.add_argument("--exit-non-zero-on-fix", action="store_true",
                        help="exit 1 when fixes were applied, even if nothing remains")
    fixing.add_argument("--add-noqa", action="store_true",
                        help="add a '# lrlint: ignore[CODE]' comment to every line with a finding")
    rules = check.add_argument_group("rule selection")
    rules.add_argument("--select", type=_comma_separated, action="extend", default=None,
                       metavar="CODES",
                       help="only these rules (codes, prefixes, names or ALL; comma-separated)")
    rules.add_argument("--extend-select", type=_comma_separated, action="extend", default=[],
                       metavar="CODES", help="rules to add to the configured selection")
    rules.add_argument("--ignore", type=_comma_separated, action="extend", default=[],
                       metavar="CODES",
                       help="rules to turn off")
    rules.add_argument("--per-file-ignores", type=_comma_separated, action="extend", default=None,
                       metavar="PATTERN:CODE",
                       help="rules to turn off in matching files, replacing the config's "
                            "(comma-separated; patterns relative to the working directory)")
    rules.add_argument("--extend-per-file-ignores", type=_comma_separated, action="extend",
                       default=[], metavar="PATTERN:CODE",
                       help="like --per-file-ignores, added to the config's")
    files = check.add_argument_group("file selection")
    files.add_argument("--exclude", type=_comma_separated, action="extend", default=None,
                       metavar="PATTERNS",
                       help="gitignore-style patterns to skip, replacing `exclude` and the "
                            "defaults")
    files.add_argument("--extend-exclude", type=_comma_separated, action="extend", default=[],
                       metavar="PATTERNS", help="patterns to skip, added to the excludes")
    files.add_argument("--force-exclude", action="store_true",
                       help="apply the excludes to paths named on the command line too "
                            "(as pre-commit needs)")
    files.add_argument("--stdin-filename", default=None, metavar="PATH",
                       help="the file name to report (and match per-file-ignores) for stdin")
    settings = check.add_argument_group("configuration")
    settings.add_argument("--config", default=None, metavar="FILE",
                          help="use this pyproject.toml or lrlint.toml for every file "
                               "instead of each file's nearest one")
    settings.add_argument("--isolated", action="store_true",
                          help="ignore every configuration file")
    output = check.add_argument_group("output")
    output.add_argument("--output-format", choices=OUTPUT_FORMATS, default=None,
                        help="default: $LRLINT_OUTPUT_FORMAT, else text")
    output.add_argument("-o", "--output-file", default=None, metavar="FILE",
                        help="write the report to FILE instead of stdout")
    output.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour the text output (auto: on a terminal without NO_COLOR)")
    output.add_argument("-q", "--quiet", action="store_true",
                        help="one line per finding, no source, no summary")
    output.add_argument("--statistics", action="store_true",
                        help="count the findings of each rule instead of listing them")
    output.add_argument("--show-files", action="store_true",
                        help="list the files that would be linted, and stop")
    output.add_argument("--show-settings", action="store_true",
                        help="print the settings the first file would be linted with, and stop")
    output.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even when findings remain (file errors still exit 2)")
    running = check.add_argument_group("running")
    running.add_argument("-j", "--jobs", type=_positive, default=None, metavar="N",
                         help="worker processes (default: one per core)")
    running.add_argument("--no-cache", action="store_true",
                         help="do not read or write .lrlint_cache/ (the project's plan, kept "
                              "so an unchanged project is planned at once)")
    running.add_argument("--watch", action="store_true",
                         help="lint again whenever a linted file or a config file changes")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lrlint",
        description="Find learning-rate bugs in PyTorch training code.",
        epilog="Commands: check (default), rule CODE, rules, explain FILE, server. "
               "Run 'lrlint COMMAND --help' for details.",
    )
    parser.add_argument("--version", action="version", version=f"lrlint {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    check = commands.add_parser("check", help="lint files and directories (the default)",
                                description="Lint Python files and Jupyter notebooks.")
    add_check_arguments(check)

    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code", nargs="?", metavar="CODE", help="a rule code or name")
    rule.add_argument("--all", action="store_true", help="every rule's documentation")
    rule.add_argument("--output-format", choices=("text", "json"), default="text",
                      help="the page as Markdown (text) or a JSON object per rule")

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
            return _rule(args, sys.stdout)
        if args.command == "rules":
            return _rules(args.output_format, sys.stdout)
        if args.command == "explain":
            from lrlint.explain import run_explain

            return run_explain(args)
        if args.command == "server":
            from lrlint.server import run as run_server

            return run_server()
        from lrlint.check import run_check

        return run_check(args, sys.stdout)
    except UsageError as error:
        sys.stderr.write(f"lrlint: error: {error}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("lrlint: interrupted\n")
        return 130
    except BrokenPipeError:  # `lrlint ... | head`
        sys.stderr.close()
        return EXIT_FINDINGS


def _rule(args: argparse.Namespace, out: TextIO) -> int:
    from lrlint.checks import all_rules, rule_by_code

    if args.all == (args.code is not None):
        raise UsageError("give a rule code or name, or --all")
    if args.all:
        codes = [rule.code for rule in all_rules()]
    else:
        wanted = args.code.strip().upper()
        catalog = rule_by_code()
        if wanted not in catalog:
            by_name = {rule.name: c for c, rule in catalog.items()}
            wanted = by_name.get(args.code.strip().lower(), wanted)
        if wanted not in catalog:
            raise UsageError(f"unknown rule {args.code!r}; run 'lrlint rules' to list them")
        codes = [wanted]
    if args.output_format == "json":
        import json

        documents = [_rule_document(code) for code in codes]
        json.dump(documents if args.all else documents[0], out, indent=2)
        out.write("\n")
        return EXIT_CLEAN
    out.write("\n".join(_page(code) for code in codes))
    return EXIT_CLEAN


def _page(code: str) -> str:
    from lrlint.checks import rule_by_code
    from lrlint.docs import rule_page

    page = rule_page(code)
    if page is None:
        rule = rule_by_code()[code]
        page = f"# {rule.code} {rule.name}\n\n{rule.summary}\n"
    return page if page.endswith("\n") else page + "\n"


def _rule_document(code: str) -> dict:
    """A rule as JSON, with the fields of Ruff's ``rule --output-format json`` and lrlint's own."""
    from lrlint.checks import rule_by_code

    rule = rule_by_code()[code]
    return {
        "name": rule.name,
        "code": rule.code,
        "linter": "lrlint",
        "summary": rule.summary,
        "fix": "Fix is sometimes available." if rule.fixable else "Fix is not available.",
        "fixable": rule.fixable,
        "severity": rule.severity,
        "url": rule.url(),
        "explanation": _page(code),
        "preview": False,
    }


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
