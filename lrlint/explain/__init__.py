"""``lrlint explain PATH ...``: the LR curve of every optimizer/scheduler pair the code declares.

Static, like the linter: each file is parsed with libcst, never run, and torch is not imported.
Each scheduler's arguments are constant-folded into a ``lrlint.schedules.Schedule`` (with the
values the user supplies: ``inputs``), evaluated and reduced as it is computed (``evaluation``,
``curve``); ``find`` names the pairs, ``steps`` decides how many steps, ``summary`` computes
the numbers, ``text``/``json_output``/``plot`` present them. Directories are walked like the
linter walks them; of the files found there, only those that build a scheduler are shown.

Exit status: 0 when every path was explained (with or without schedulers), 2 when one cannot be
read, decoded or parsed (the others are still explained), a ``--set`` cannot be read, or
``--plot`` is asked for without matplotlib.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from typing import TextIO

EXIT_OK, EXIT_ERROR = 0, 2


class ExplainError(Exception):
    """A one-line reason why the file cannot be explained."""


@dataclass
class FileExplanation:
    path: str
    explanations: list  # summary.Explanation, one per pair


def run_explain(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from lrlint.explain.inputs import InputError, Supplied, parse_assignments

    out = out if out is not None else sys.stdout
    try:
        supplied = Supplied(args.steps, args.steps_per_epoch, parse_assignments(args.assignments))
        if args.plot is not None:
            from lrlint.explain.plot import require_matplotlib

            require_matplotlib()
    except (ExplainError, InputError) as error:
        sys.stderr.write(f"lrlint: error: {error}\n")
        return EXIT_ERROR
    files, status = explain_paths(args.paths, supplied)
    single = len(args.paths) == 1 and len(files) == 1 and files[0].path == args.paths[0]
    if args.output_format == "json":
        from lrlint.explain.json_output import write_json

        write_json(files, out, single=single)
    else:
        from lrlint.explain.text import write_text

        write_text(files, out)
        if not files and status == EXIT_OK:
            out.write(f"no LR scheduler found in {' '.join(args.paths)}\n")
    if args.plot is not None:
        status = max(status, _plot(files, args.plot, out))
    return status


def explain_paths(paths: list[str], supplied) -> tuple[list[FileExplanation], int]:
    """Every file named, and every Python file under the directories named that builds a
    scheduler; errors go to stderr, one line each, and make the status 2."""
    from lrlint.discovery import discover
    from lrlint.prefilter import SCHEDULER

    found, problems = discover(paths)
    status = EXIT_OK
    for problem in problems:
        sys.stderr.write(f"lrlint: error: {problem.path}: {problem.message}\n")
        status = EXIT_ERROR
    named = {os.path.abspath(path) for path in paths}
    files = []
    for file in found:
        path = os.fspath(file)
        is_named = os.path.abspath(path) in named
        try:
            if path.endswith(".ipynb"):
                # Its JSON parses as a Python dict display: refuse it rather than report that
                # it builds no scheduler.
                raise ExplainError(f"{path}: explain cannot read notebooks yet; export it "
                                   "with `jupyter nbconvert --to script` and explain the .py")
            data = _read(path)
            if not is_named and not SCHEDULER.matches(data):
                continue  # found in a directory, and builds no scheduler: not worth a parse
            explanations = explain_source(path, data, supplied)
        except ExplainError as error:
            sys.stderr.write(f"lrlint: error: {error}\n")
            status = EXIT_ERROR
            continue
        if explanations or is_named:
            files.append(FileExplanation(path, explanations))
    return files, status


def _plot(files: list[FileExplanation], destination: str, out: TextIO) -> int:
    from lrlint.explain.plot import write_plot

    out.flush()  # the report first, then the line about the plot
    try:
        written = write_plot(files, destination)
    except OSError as error:
        sys.stderr.write(f"lrlint: error: cannot write {destination}: "
                         f"{error.strerror or error}\n")
        return EXIT_ERROR
    where = " ".join(f.path for f in files) or "the paths given"
    sys.stderr.write(f"wrote {destination}\n" if written
                     else f"no curve to plot in {where}; {destination} not written\n")
    return EXIT_OK


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError as error:
        raise ExplainError(f"{path}: {error.strerror or error}") from None


def explain_file(path: str, supplied=None) -> list:
    """The explanations of every pair in the file at ``path`` (see ``summary.Explanation``),
    with what the user ``supplied`` (``inputs.Supplied``: --steps, --steps-per-epoch, --set)."""
    return explain_source(path, _read(path), supplied)


def explain_source(path: str, data: bytes, supplied=None) -> list:
    """Like ``explain_file``, for the file's bytes."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    from lrlint.analysis.model import ModuleModel
    from lrlint.engine import syntax_error
    from lrlint.explain.find import find_pairs
    from lrlint.explain.findings import shaping_findings
    from lrlint.explain.inputs import Supplied, apply_inputs
    from lrlint.explain.steps import data_loops
    from lrlint.explain.summary import explain_pair
    from lrlint.source import DecodeError, decode

    try:
        source = decode(data)
        text = source.text
    except DecodeError as error:
        raise ExplainError(f"{path}: cannot decode file: {error}") from None
    try:
        module = cst.parse_module(text)
    except Exception as error:  # noqa: BLE001 - ParserSyntaxError and the parser's odder failures
        diagnostic = syntax_error(path, text, error)
        raise ExplainError(f"{path}:{diagnostic.start.line}:{diagnostic.start.column}: "
                           f"{diagnostic.message}") from None
    try:
        supplied = supplied if supplied is not None else Supplied()
        model = ModuleModel(module)
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        notes = apply_inputs(model, supplied, positions)
        pairs = find_pairs(module, model, positions)
        loaders = {code for _, code in data_loops(model)}
        findings = shaping_findings(model, source, path, positions)
        explanations = [
            explain_pair(module, model, pair, positions, supplied.steps, loaders,
                         [f for f in findings if f.node in _step_calls(pair, model)])
            for pair in pairs]
        for explanation in explanations:
            explanation.notes[:0] = notes
        return explanations
    except RecursionError:
        raise ExplainError(f"{path}: the file nests too deeply to analyse") from None


def _step_calls(pair, model) -> set:
    """The nodes a finding on this pair is reported at: its step() calls (timm's step_update
    too), and its constructor or the configuration it is returned to Lightning in (LR019:
    Lightning, not a call in the file, steps it)."""
    from lrlint.explain.lightning import configuration_nodes

    scheduler = pair.scheduler_object
    return {event.node for event in scheduler.steps} | {scheduler.node} \
        | configuration_nodes(model, scheduler)


__all__ = ["ExplainError", "FileExplanation", "explain_file", "explain_paths", "explain_source",
           "run_explain"]
