"""``lrlint explain PATH``: the LR curve of every optimizer/scheduler pair a file declares.

Static, like the linter: the file is parsed with libcst, never run, and torch is not imported.
Each scheduler's arguments are constant-folded into a ``lrlint.schedules.Schedule`` and
evaluated once (``Schedule.values(n)``); ``find`` names the pairs, ``steps`` decides ``n``,
``summary`` computes the numbers, ``text``/``json_output``/``plot`` present them.

Exit status: 0 when the file was explained (with or without schedulers), 2 when it cannot be
read, decoded or parsed, or ``--plot`` is asked for without matplotlib.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

EXIT_OK, EXIT_ERROR = 0, 2


class ExplainError(Exception):
    """A one-line reason why the file cannot be explained."""


def run_explain(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out if out is not None else sys.stdout
    try:
        if args.plot is not None:
            from lrlint.explain.plot import require_matplotlib

            require_matplotlib()
        explanations = explain_file(args.path, args.steps)
    except ExplainError as error:
        sys.stderr.write(f"lrlint: error: {error}\n")
        return EXIT_ERROR
    if args.output_format == "json":
        from lrlint.explain.json_output import write_json

        write_json(args.path, explanations, out)
    else:
        from lrlint.explain.text import write_text

        write_text(args.path, explanations, out)
    if args.plot is not None:
        from lrlint.explain.plot import write_plot

        out.flush()  # the report first, then the line about the plot

        try:
            written = write_plot(args.path, explanations, args.plot)
        except OSError as error:
            sys.stderr.write(f"lrlint: error: cannot write {args.plot}: "
                             f"{error.strerror or error}\n")
            return EXIT_ERROR
        message = (f"wrote {args.plot}" if written
                   else f"no curve to plot in {args.path}; {args.plot} not written")
        sys.stderr.write(message + "\n")
    return EXIT_OK


def explain_file(path: str, steps: int | None = None) -> list:
    """The explanations of every pair in the file at ``path`` (see ``summary.Explanation``)."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    from lrlint.analysis.model import ModuleModel
    from lrlint.engine import syntax_error
    from lrlint.explain.find import find_pairs
    from lrlint.explain.summary import explain_pair
    from lrlint.source import DecodeError, decode

    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as error:
        raise ExplainError(f"{path}: {error.strerror or error}") from None
    try:
        text = decode(data).text
    except DecodeError as error:
        raise ExplainError(f"{path}: cannot decode file: {error}") from None
    try:
        module = cst.parse_module(text)
    except Exception as error:  # noqa: BLE001 - ParserSyntaxError and the parser's odder failures
        diagnostic = syntax_error(path, text, error)
        raise ExplainError(f"{path}:{diagnostic.start.line}:{diagnostic.start.column}: "
                           f"{diagnostic.message}") from None
    try:
        model = ModuleModel(module)
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        pairs = find_pairs(module, model, positions)
        return [explain_pair(module, model, pair, positions, steps) for pair in pairs]
    except RecursionError:
        raise ExplainError(f"{path}: the file nests too deeply to analyse") from None


__all__ = ["ExplainError", "explain_file", "run_explain"]
