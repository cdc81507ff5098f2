"""Linting one file: bytes in, diagnostics (and, when fixing, new text) out.

The pipeline for one file: prefilter the bytes, decode, honour ``ignore-file``, parse once with
libcst, build the training model, run every enabled rule over it, then — only when something was
reported — resolve positions and turn reports into diagnostics with text edits. Any failure in
one file becomes a diagnostic for that file; nothing here raises.
"""

from __future__ import annotations

import ast
import re
import sys
import traceback
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lrlint.checks.base import (
    DeleteLines,
    FixPlan,
    InsertLinesAfter,
    ReplaceNode,
    Report,
    Rule,
    RuleContext,
)
from lrlint.diagnostics import Diagnostic, Edit, FileResult, Fix, Position
from lrlint.prefilter import ScanCache, passes_root
from lrlint.source import DecodeError, SourceText, decode, split_lines
from lrlint.suppression import ignores_file

if TYPE_CHECKING:
    from lrlint.workspace import Workspace

# libcst recurses once per nesting level; generated code can nest deeply.
_RECURSION_LIMIT = 20_000


@dataclass
class Analysis:
    """The outcome of analysing one version of a file's text."""

    diagnostics: list[Diagnostic]
    parsed: bool


def rules_for(data: bytes, rules: Sequence[Rule],
              implied: frozenset[bytes] = frozenset()) -> list[Rule]:
    """The rules whose vocabulary occurs in ``data`` (empty: the file needs no parse).
    ``implied``: words the project says this file sees (a class defined in another module)."""
    if not passes_root(data, implied):
        return []
    scan = ScanCache(data, implied)
    return [rule for rule in rules if any(v.matches(scan) for v in rule.vocabulary)]


def file_error(path: str, name: str, message: str, line: int = 1, column: int = 1) -> Diagnostic:
    position = Position(max(line, 1), max(column, 1))
    return Diagnostic(path, None, name, message, position, position, severity="error")


def lint_bytes(path: str, data: bytes, rules: Sequence[Rule]) -> FileResult:
    """Lint one file's bytes with the given (already selected) rules."""
    active = rules_for(data, rules)
    result = FileResult(path)
    if not active:
        return result
    try:
        source = decode(data)
    except DecodeError as error:
        result.diagnostics.append(file_error(path, "decode-error", f"cannot decode file: {error}",
                                             error.line, error.column))
        return result
    if ignores_file(source.text):
        return result
    analysis = analyse(path, source, source.text, active, {rule.code for rule in rules})
    result.parsed = analysis.parsed
    result.diagnostics = analysis.diagnostics
    return result


def parse(path: str, text: str) -> tuple[object, Diagnostic | None]:
    """``text`` parsed by libcst, or the syntax error that stops it (as a diagnostic). In a
    large file, top-level definitions no rule can care about are blanked first (their lines
    kept empty: see ``lrlint.slicing``)."""
    import libcst as cst

    from lrlint.cst_parse import parse_module
    from lrlint.slicing import slice_source

    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    try:
        return parse_module(slice_source(text) or text, path), None
    except cst.ParserSyntaxError as error:
        return None, syntax_error(path, text, error)
    except (RecursionError, MemoryError) as error:
        return None, file_error(path, "syntax-error", f"cannot parse file: {type(error).__name__}")
    except Exception as error:  # the native parser can fail in other ways on odd input
        return None, file_error(path, "syntax-error", f"cannot parse file: {error}")


def analyse(path: str, source: SourceText, text: str, rules: Sequence[Rule],
            enabled: Collection[str] | None = None,
            workspace: Workspace | None = None) -> Analysis:
    """Parse ``text`` and run ``rules``; positions and fixes refer to ``text``. ``enabled`` are
    the codes enabled for the file (default: the rules'), which LR100 judges directives by.
    With a ``workspace``, the file is modelled among the workspace's other members."""
    from lrlint.analysis.model import ModuleModel

    module, error = parse(path, text)
    if error is not None:
        return Analysis([error], parsed=False)
    try:
        if workspace is None:
            model = ModuleModel(module, path=path)
        else:
            model = workspace.project(replace=(path, module)).models[path]
    except RecursionError:
        return Analysis([file_error(path, "internal-error", "file nests too deeply to analyse")], True)
    except Exception:
        return Analysis([internal_error(path, "building the training model")], True)
    return check(path, source, text, model, rules, enabled)


def analyse_workspace(workspace: Workspace, sources: dict[str, SourceText],
                      rules: dict[str, Sequence[Rule]]) -> dict[str, Analysis]:
    """Model every member of ``workspace`` together and run each member's rules on it.

    Every enabled rule runs on every member: a value or an object can come from another module
    (``lr=settings.LEARNING_RATE``), so a file's own text does not tell which rules may fire
    in it. (The byte prefilter decides which files are worth parsing at all.)"""
    try:
        built = workspace.project()
    except RecursionError:
        return {path: Analysis([file_error(path, "internal-error", "file nests too deeply to analyse")],
                               True) for path in sources}
    except Exception:
        return {path: Analysis([internal_error(path, "building the training model")], True)
                for path in sources}
    return {path: check(path, source, source.text, built.models[path], rules[path])
            for path, source in sources.items()}


def check(path: str, source: SourceText, text: str, model, rules: Sequence[Rule],
          enabled: Collection[str] | None = None) -> Analysis:
    """Run ``rules`` on a built model; only findings on this module's own nodes are kept, and
    suppression comments apply."""
    context = RuleContext(model, source, path)
    diagnostics: list[Diagnostic] = []
    for rule in rules:
        context.rule = rule
        before = len(context.reports)
        try:
            rule.check(context)
        except Exception:
            del context.reports[before:]
            diagnostics.append(internal_error(path, f"rule {rule.code} ({rule.name})"))
    if context.reports:
        diagnostics.extend(_to_diagnostics(path, text, source, model.module, context.reports, rules))
    diagnostics = _suppress(path, text, diagnostics, rules, enabled)
    return Analysis(diagnostics, parsed=True)


def _suppress(path, text, diagnostics, rules, enabled) -> list[Diagnostic]:
    from lrlint.checks import known_codes
    from lrlint.suppression import apply_suppressions, may_have_directives

    if not may_have_directives(text):
        return diagnostics
    enabled = {rule.code for rule in rules} if enabled is None else enabled
    return apply_suppressions(path, text, split_lines(text), diagnostics, enabled, known_codes())


def internal_error(path: str, stage: str) -> Diagnostic:
    last = traceback.format_exc().strip().splitlines()[-1]
    return file_error(path, "internal-error", f"lrlint failed while {stage}: {last} (please report this)")


def syntax_error(path: str, text: str, error: Exception) -> Diagnostic:
    """One clear line for a file that does not parse, located as CPython locates it."""
    try:
        ast.parse(text)
    except SyntaxError as python_error:
        message = python_error.msg
        return file_error(path, "syntax-error", f"SyntaxError: {message}",
                          python_error.lineno or 1, python_error.offset or 1)
    except (ValueError, RecursionError, MemoryError) as python_error:  # null bytes, deep nesting
        return file_error(path, "syntax-error", f"SyntaxError: {python_error}")
    message = re.sub(r"^parser error: error at \d+:\d+: ", "", getattr(error, "message", str(error)))
    return file_error(path, "syntax-error", f"libcst cannot parse this file: {message}",
                      getattr(error, "raw_line", 1), getattr(error, "raw_column", 0) + 1)


# -- reports to diagnostics ---------------------------------------------------------------------


def _to_diagnostics(path, text, source, module, reports: list[Report], rules) -> list[Diagnostic]:
    from lrlint.positions import node_positions

    positions = node_positions(module, [node for report in reports for node in (
        report.node, *(edit.node for edit in (report.fix.edits if report.fix else ())))])
    lines = split_lines(text)
    by_code = {rule.code: rule for rule in rules}
    diagnostics: list[Diagnostic] = []
    seen: set[tuple] = set()
    for report in reports:
        code_range = positions[report.node]
        start = Position(code_range.start.line, code_range.start.column + 1)
        end = Position(code_range.end.line, code_range.end.column + 1)
        key = (report.code, start, end)
        if key in seen:  # one node reached through two paths, or one call of several objects
            continue
        seen.add(key)
        rule = by_code[report.code]
        fix = _fix(report.fix, positions, lines, source.newline) if report.fix else None
        diagnostic = Diagnostic(
            path=path, code=rule.code, name=rule.name, message=report.message, start=start,
            end=end, severity=rule.severity, fix=fix, url=rule.url(),
        )
        diagnostics.append(diagnostic)
    return diagnostics


def _fix(plan: FixPlan, positions, lines: list[str], newline: str) -> Fix:
    edits = []
    for edit in plan.edits:
        code_range = positions[edit.node]
        first, last = code_range.start.line, code_range.end.line
        if isinstance(edit, ReplaceNode):
            content = edit.content
            if edit.reindent:
                indent = _indentation(lines[first - 1])
                content = "\n".join(
                    (indent + line) if index and line else line
                    for index, line in enumerate(content.split("\n"))
                )
            edits.append(Edit(
                Position(first, code_range.start.column + 1),
                Position(last, code_range.end.column + 1),
                content.replace("\n", newline),
            ))
        elif isinstance(edit, DeleteLines):
            if last < len(lines):
                edits.append(Edit(Position(first, 1), Position(last + 1, 1), ""))
            else:  # the file's last line: remove the line break before it instead
                previous = max(first - 1, 1)
                column = len(lines[previous - 1]) + 1 if first > 1 else 1
                edits.append(Edit(Position(previous, column), Position(last, len(lines[last - 1]) + 1), ""))
        elif isinstance(edit, InsertLinesAfter):
            indent = _indentation(lines[first - 1])
            body = newline.join(indent + line if line else line for line in edit.content.split("\n"))
            end_of_line = Position(last, len(lines[last - 1]) + 1)
            edits.append(Edit(end_of_line, end_of_line, newline + body))
    return Fix(plan.message, tuple(edits), plan.applicability)


def _indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]
