"""Jupyter notebooks: their code cells as one module, findings mapped back to cells, fixes
written back into the cells.

The code cells are joined, in order, into one module (each cell ends with a line break), so a
scheduler built in one cell and stepped in another is seen as the run would see it. IPython
syntax is masked line for line, so every line keeps its number: a line magic (``%time``), a
shell escape (``!pip``), a help query (``obj?``) or an assignment from one (``files = !ls``)
becomes ``pass`` (or a comment, for its continuation lines and for the first line of a cell magic
whose body is Python: ``%%time``, ``%%capture`` ...). A cell under any other cell magic
(``%%bash``) is not Python and is left out, as are markdown and raw cells, and every cell of a
notebook whose kernel is not Python.

Positions are reported per cell: ``cell 3:2:5`` is line 2, column 5 of the third cell of the
notebook (counting every cell, as Jupyter shows them), and the JSON output's ``cell`` field is
that number, as Ruff's is. Fixes never cross a cell boundary (see :mod:`lrlint.edits`); the cells
they change get their new source in the notebook's own JSON text, and nothing else of the file
changes: not its indentation, key order or line ending, not outputs or metadata.

Plain ``json``: no nbformat dependency. A notebook that is not JSON, or is nbformat 3, is a
clear file error.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from lrlint.diagnostics import Diagnostic, Edit, FileResult, Position
from lrlint.source import SourceText, line_starts, split_lines

__all__ = [
    "Notebook",
    "NotebookError",
    "cell_lines",
    "is_notebook",
    "notebook_diff",
    "parse_notebook",
    "run_notebook_job",
]

SUFFIX = ".ipynb"
# Cell magics whose body is Python that IPython runs as such.
PYTHON_CELL_MAGICS = frozenset(
    {"time", "timeit", "capture", "prun", "debug", "python", "python3", "pypy", "snakeviz",
     "memit", "mprun", "tensorflow_version"}
)
_MASK = "# lrlint:masked-ipython-"  # + the original line's key; never a suppression directive
_MASKED_LINE = re.compile(r"^(?:[ \t]*pass  )?" + re.escape(_MASK) + r"(\d+)$")
_HELP = re.compile(r"^\s*(?:\?\??[\w.]+|[\w.]+\?\??)\s*$")
_FROM_MAGIC = re.compile(r"^\s*[\w.]+(?:\s*,\s*[\w.]+)*\s*=\s*[%!]")


class NotebookError(ValueError):
    """The file is not a notebook lrlint can read; ``line`` and ``column`` locate bad JSON."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line, self.column = line, column


def is_notebook(path: object) -> bool:
    return str(path).endswith(SUFFIX)


@dataclass(frozen=True)
class Cell:
    number: int  # 1-based, among all the notebook's cells
    source: str  # the cell's text as the notebook holds it
    masked: str  # the text as it goes into the module (line breaks completed)
    is_list: bool  # the notebook stores the source as a list of lines


@dataclass
class Notebook:
    raw: str  # the JSON text
    bom: bool
    cells: list[Cell]  # the cells in the module, in order
    all_sources: list[list[str]]  # every cell's lines (what reports show)
    masked_lines: dict[int, str]  # mask key -> original line

    @property
    def module(self) -> str:
        return "".join(cell.masked for cell in self.cells)

    @property
    def fences(self) -> tuple[int, ...]:
        """Where each linted cell after the first starts in :attr:`module`."""
        fences, offset = [], 0
        for cell in self.cells[:-1]:
            offset += len(cell.masked)
            fences.append(offset)
        return tuple(fences)

    def cell_map(self, text: str | None = None, fences: Sequence[int] | None = None) -> CellMap:
        """How lines of ``text`` (a version of the module, cut at ``fences``) fall into cells."""
        return CellMap(self.module if text is None else text,
                       self.fences if fences is None else fences,
                       [cell.number for cell in self.cells])

    def sources_of(self, text: str, fences: Sequence[int]) -> dict[int, str]:
        """The new source of each cell that ``text`` (the fixed module) changed, by number."""
        bounds = [0, *fences, len(text)]
        changed = {}
        for cell, begin, end in zip(self.cells, bounds, bounds[1:]):
            restored = "".join(self._unmask(line) for line in lines_with_ends(text[begin:end]))
            if not cell.source.endswith("\n") and restored.endswith("\n"):
                restored = restored[:-1]  # the line break the module added
            if restored != cell.source:
                changed[cell.number] = restored
        return changed

    def _unmask(self, line: str) -> str:
        body = line.rstrip("\r\n")
        match = _MASKED_LINE.match(body)
        if match is None:
            return line
        return self.masked_lines[int(match.group(1))] + line[len(body):]

    def with_sources(self, sources: dict[int, str]) -> str:
        """The notebook's JSON text with the given cells' sources replaced, nothing else."""
        return write_sources(self.raw, sources)


class CellMap:
    """Module lines to (cell number, line in the cell)."""

    def __init__(self, text: str, fences: Sequence[int], numbers: Sequence[int]) -> None:
        starts = line_starts(text)
        # The first module line of each cell.
        self.first_lines = [bisect_right(starts, fence) for fence in (0, *fences)]
        self.numbers = list(numbers)
        self.total = len(starts)

    def locate(self, position: Position) -> tuple[int, Position]:
        index = max(bisect_right(self.first_lines, position.line) - 1, 0)
        line = position.line - self.first_lines[index] + 1
        return index, Position(max(line, 1), position.column)

    def lines_in(self, index: int) -> int:
        end = self.first_lines[index + 1] if index + 1 < len(self.first_lines) else self.total
        return end - self.first_lines[index]

    def to_cell(self, diagnostic: Diagnostic) -> Diagnostic:
        """``diagnostic`` (module positions) with positions in its cell, and the cell number."""
        if not self.numbers:
            return diagnostic
        index, start = self.locate(diagnostic.start)
        end = self._end_in(index, diagnostic.end, start)
        fix = diagnostic.fix
        if fix is not None:
            fix = replace(fix, edits=tuple(self._edit(edit) for edit in fix.edits))
        return replace(diagnostic, start=start, end=end, fix=fix, cell=self.numbers[index])

    def _end_in(self, index: int, position: Position, start: Position) -> Position:
        """An end in the same cell; the start of the next cell is the end of this one."""
        end_index, end = self.locate(position)
        if end_index == index:
            return end
        if end_index == index + 1 and end == Position(1, 1):
            return Position(self.lines_in(index) + 1, 1)
        return start

    def _edit(self, edit: Edit) -> Edit:
        index, start = self.locate(edit.start)
        return Edit(start, self._end_in(index, edit.end, start), edit.content)


# --- reading -----------------------------------------------------------------------------------


def _load(data: bytes) -> tuple[Any, str, bool]:
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise NotebookError(f"cannot read notebook: invalid UTF-8 byte on line {line}",
                            line) from None
    try:
        return json.loads(raw), raw, bom
    except json.JSONDecodeError as error:
        raise NotebookError(f"cannot read notebook: invalid JSON: {error.msg}",
                            error.lineno, error.colno) from None
    except RecursionError:
        raise NotebookError("cannot read notebook: JSON nested too deeply") from None


def _cells(document: Any) -> list[dict]:
    if not isinstance(document, dict):
        raise NotebookError("not a Jupyter notebook: the JSON is not an object")
    version = document.get("nbformat")
    if isinstance(version, int) and version < 4:
        raise NotebookError(
            f"notebook format {version} is not supported (lrlint reads nbformat 4): convert it "
            "with `jupyter nbconvert --to notebook --nbformat 4`"
        )
    cells = document.get("cells")
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        raise NotebookError("not a Jupyter notebook: no list of cells")
    return cells


def _source_text(cell: dict) -> tuple[str, bool]:
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source), True
    if isinstance(source, str):
        return source, False
    raise NotebookError(f"not a Jupyter notebook: a cell's source is {type(source).__name__}")


def _is_python(document: dict) -> bool:
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return True
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(field), str):
            return section[field].lower() in ("python", "python3", "ipython", "ipython3")
    return True


def parse_notebook(data: bytes) -> Notebook:
    """Read a notebook's JSON; raise :class:`NotebookError` for anything that is not one."""
    document, raw, bom = _load(data)
    raw_cells = _cells(document)
    python = _is_python(document)
    masked_lines: dict[int, str] = {}
    cells: list[Cell] = []
    all_sources: list[list[str]] = []
    for number, raw_cell in enumerate(raw_cells, start=1):
        source, is_list = _source_text(raw_cell)
        all_sources.append(split_lines(source))
        if not python or raw_cell.get("cell_type") != "code":
            continue
        masked = mask_ipython(source, masked_lines)
        if masked is None:  # under a cell magic that is not Python
            continue
        if not masked.endswith(("\n", "\r")):
            masked += "\n"
        cells.append(Cell(number, source, masked, is_list))
    return Notebook(raw, bom, cells, all_sources, masked_lines)


def cell_lines(data: bytes) -> list[list[str]]:
    """Every cell's lines, in notebook order (what reports show beside a finding)."""
    document, _, _ = _load(data)
    return [split_lines(_source_text(cell)[0]) for cell in _cells(document)]


def notebook_module(data: bytes) -> str:
    """The notebook's code as lrlint lints it: code cells joined, IPython syntax masked."""
    return parse_notebook(data).module


# --- masking IPython syntax ----------------------------------------------------------------


def mask_ipython(source: str, masked_lines: dict[int, str]) -> str | None:
    """``source`` with IPython-only lines masked (see the module docstring); None for a cell
    under a cell magic that is not Python. Masked originals go into ``masked_lines``."""
    lines = lines_with_ends(source)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    out = list(lines)
    if first is not None and lines[first].lstrip().startswith("%%"):
        name = lines[first].lstrip()[2:].split(None, 1)[0] if lines[first].strip() != "%%" else ""
        if name not in PYTHON_CELL_MAGICS:
            return None
        out[first] = _mask(lines[first], masked_lines, statement=False)
        start = first + 1
    else:
        start = 0
    scanner = _Scanner()
    continued = False  # inside a masked line that ends with a backslash
    for index in range(start, len(lines)):
        line = lines[index]
        if continued:
            out[index] = _mask(line, masked_lines, statement=False)
            continued = line.rstrip("\r\n").endswith("\\")
            continue
        if scanner.at_statement_start() and _is_ipython(line):
            out[index] = _mask(line, masked_lines, statement=True)
            continued = line.rstrip("\r\n").endswith("\\")
            continue
        scanner.feed(line)
    return "".join(out)


def lines_with_ends(text: str) -> list[str]:
    """The lines of ``text`` with their line endings, split where Python splits them."""
    starts = line_starts(text)
    ends = [*starts[1:], len(text)]
    return [text[a:b] for a, b in zip(starts, ends) if a < b]


def _is_ipython(line: str) -> bool:
    stripped = line.lstrip()
    if stripped[:1] in ("%", "!", "?"):
        return True
    return bool(_HELP.match(line) or _FROM_MAGIC.match(line))


def _mask(line: str, masked_lines: dict[int, str], statement: bool) -> str:
    body = line.rstrip("\r\n")
    key = len(masked_lines)
    masked_lines[key] = body
    indent = body[: len(body) - len(body.lstrip(" \t"))] if statement else ""
    prefix = f"{indent}pass  " if statement else ""
    return f"{prefix}{_MASK}{key}{line[len(body):]}"


class _Scanner:
    """Just enough of Python's lexer to know whether a line starts a new statement: open
    brackets, an unterminated triple-quoted string, a backslash continuation."""

    def __init__(self) -> None:
        self.depth = 0
        self.string: str | None = None  # the open triple quote
        self.continued = False

    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.string is None and not self.continued

    def feed(self, line: str) -> None:
        i, n = 0, len(line)
        self.continued = False
        while i < n:
            if self.string is not None:
                end = line.find(self.string, i)
                while end > 0 and _escaped(line, end):
                    end = line.find(self.string, end + 1)
                if end < 0:
                    return
                i, self.string = end + 3, None
                continue
            char = line[i]
            if char == "#":
                return
            if char in "\"'":
                if line.startswith(char * 3, i):
                    self.string, i = char * 3, i + 3
                    continue
                end = i + 1
                while end < n and line[end] not in (char, "\n"):
                    end += 2 if line[end] == "\\" else 1
                i = end + 1
                continue
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(self.depth - 1, 0)
            elif char == "\\" and line[i + 1 : i + 2] in ("\n", "\r", ""):
                self.continued = True
            i += 1


def _escaped(line: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and line[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


# --- writing -------------------------------------------------------------------------------


def write_sources(raw: str, sources: dict[int, str]) -> str:
    """``raw`` (a notebook's JSON text) with the ``source`` of the given cells replaced.

    Only the bytes of those values change, laid out as the file lays out its values (a list of
    lines or one string; indented like its neighbours, or compact).
    """
    spans = _source_spans(raw)
    ensure_ascii = raw.isascii() and "\\u" in raw
    unit = _indent_unit(raw)
    pieces, last = [], 0
    for number in sorted(sources):
        span = spans[number - 1]
        if span is None:
            raise NotebookError(f"cell {number} has no source to replace")
        begin, end = span
        pieces.append(raw[last:begin])
        pieces.append(_format_source(raw, begin, end, sources[number], ensure_ascii, unit))
        last = end
    pieces.append(raw[last:])
    return "".join(pieces)


def _format_source(raw: str, begin: int, end: int, source: str, ensure_ascii: bool,
                   unit: str) -> str:
    original = raw[begin:end]
    if original.startswith('"'):
        return json.dumps(source, ensure_ascii=ensure_ascii)
    items = [json.dumps(line, ensure_ascii=ensure_ascii) for line in source.splitlines(True)]
    if not items:
        return "[]"
    if "\n" not in original:  # a compact file
        match = re.match(r'\[\s*"(?:[^"\\]|\\.)*"(\s*,\s*)', original)
        return "[" + (match.group(1) if match else ", ").join(items) + "]"
    line_start = raw.rfind("\n", 0, begin) + 1
    key_indent = re.match(r"[ \t]*", raw[line_start:begin]).group()
    first_item = re.match(r"\[\s*\n([ \t]*)\S", original)
    item_indent = first_item.group(1) if first_item else key_indent + unit
    closing = re.search(r"\n([ \t]*)\]$", original)
    close_indent = closing.group(1) if closing else key_indent
    body = (",\n" + item_indent).join(items)
    return f"[\n{item_indent}{body}\n{close_indent}]"


def _indent_unit(raw: str) -> str:
    match = re.search(r"\n([ \t]+)\S", raw)
    return match.group(1) if match else " "


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _source_spans(raw: str) -> list[tuple[int, int] | None]:
    """Where each cell's ``source`` value lies in ``raw``: (start, end) offsets, by cell."""
    spans: list[tuple[int, int] | None] = []

    def cell_member(key: str, pos: int) -> int:
        end = _DECODER.raw_decode(raw, pos)[1]
        if key == "source":
            spans[-1] = (pos, end)
        return end

    def cell(pos: int) -> int:
        spans.append(None)
        return _walk_object(raw, pos, cell_member)

    def top_member(key: str, pos: int) -> int:
        if key == "cells":
            return _walk_array(raw, pos, cell)
        return _DECODER.raw_decode(raw, pos)[1]

    _walk_object(raw, _skip(raw, 0), top_member)
    return spans


def _skip(raw: str, pos: int) -> int:
    return _WHITESPACE.match(raw, pos).end()


def _walk_object(raw: str, pos: int, member: Callable[[str, int], int]) -> int:
    """Walk the object at ``pos``; ``member(key, value_start)`` returns the value's end."""
    pos = _skip(raw, pos + 1)
    if raw[pos] == "}":
        return pos + 1
    while True:
        key, pos = _DECODER.raw_decode(raw, pos)
        pos = _skip(raw, _skip(raw, pos) + 1)  # past the ':'
        pos = _skip(raw, member(key, pos))
        if raw[pos] == "}":
            return pos + 1
        pos = _skip(raw, pos + 1)  # past the ','


def _walk_array(raw: str, pos: int, item: Callable[[int], int]) -> int:
    pos = _skip(raw, pos + 1)
    if raw[pos] == "]":
        return pos + 1
    while True:
        pos = _skip(raw, item(pos))
        if raw[pos] == "]":
            return pos + 1
        pos = _skip(raw, pos + 1)


# --- linting -------------------------------------------------------------------------------


def run_notebook_job(job, rules: Sequence) -> FileResult:
    """Lint (and maybe fix) one notebook: the runner's job for ``.ipynb`` files."""
    from lrlint.engine import file_error, lint_bytes, rules_for
    from lrlint.suppression import ignores_file

    try:
        notebook = parse_notebook(job.data)
    except NotebookError as error:
        return FileResult(job.path, [file_error(job.path, "decode-error", str(error),
                                                error.line, error.column)])
    module = notebook.module
    data = module.encode("utf-8", "surrogatepass")
    if job.fix == "off":
        result = lint_bytes(job.path, data, rules)
        to_cell = notebook.cell_map().to_cell
        result.diagnostics = [to_cell(d) for d in result.diagnostics]
        return result
    if not rules_for(data, rules) or ignores_file(module):
        return FileResult(job.path)
    return _fix_notebook(job, notebook, rules)


def _fix_notebook(job, notebook: Notebook, rules: Sequence) -> FileResult:
    from lrlint.fixer import fix_text, write_fixed

    module = notebook.module
    outcome = fix_text(job.path, SourceText(module), rules, unsafe=job.fix == "unsafe",
                       fences=notebook.fences)
    before = notebook.cell_map()
    after = notebook.cell_map(outcome.text, outcome.fences)
    result = FileResult(job.path, [after.to_cell(d) for d in outcome.diagnostics],
                        parsed=outcome.parsed, fixes_applied=outcome.applied,
                        fixed=[before.to_cell(d) for d in outcome.fixed])
    sources = notebook.sources_of(outcome.text, outcome.fences) if outcome.text != module else {}
    if not sources:
        return result
    text = notebook.with_sources(sources)
    result.original_source, result.fixed_source = notebook.raw, text
    if job.write:
        bom = b"\xef\xbb\xbf" if notebook.bom else b""
        problem = write_fixed(job.path, lambda: bom + text.encode("utf-8"))
        if problem is not None:  # nothing was written: report the notebook as it still is
            result.diagnostics = [*(before.to_cell(d) for d in outcome.initial), problem]
            result.fixes_applied, result.fixed = 0, []
            result.original_source = result.fixed_source = None
    return result


def notebook_diff(path: str, before: str, after: str) -> list[str]:
    """``--diff`` for a notebook: a unified diff per changed cell, named ``path:cell N``."""
    import difflib

    old = cell_lines(before.encode("utf-8"))
    new = cell_lines(after.encode("utf-8"))
    out: list[str] = []
    for number, (a, b) in enumerate(zip(old, new), start=1):
        if a == b:
            continue
        name = f"{path}:cell {number}"
        out.extend(line + "\n" for line in difflib.unified_diff(a, b, name, name, lineterm=""))
    return out


def add_directives_to_notebook(data: bytes, findings: Sequence[Diagnostic]) -> tuple[bytes, int]:
    """``--add-noqa`` in a notebook: the directives go into the cells' lines."""
    from lrlint.suppression import add_directives, commentable_lines

    try:
        notebook = parse_notebook(data)
    except NotebookError:
        return data, 0
    cell_map = notebook.cell_map()
    commentable: dict[int, set[int]] = {}
    for module_line in commentable_lines(notebook.module):
        index, position = cell_map.locate(Position(module_line, 1))
        commentable.setdefault(notebook.cells[index].number, set()).add(position.line)
    sources: dict[int, str] = {}
    count = 0
    for cell in notebook.cells:
        in_cell = [d for d in findings if d.cell == cell.number]
        if not in_cell:
            continue
        lines = [line.rstrip("\r\n") for line in lines_with_ends(cell.source)]
        new_lines, added = add_directives(lines, in_cell, commentable.get(cell.number, set()))
        if added:
            endings = [line[len(line.rstrip("\r\n")):] for line in lines_with_ends(cell.source)]
            sources[cell.number] = "".join(a + b for a, b in zip(new_lines, endings))
            count += added
    if not sources:
        return data, 0
    bom = b"\xef\xbb\xbf" if notebook.bom else b""
    return bom + notebook.with_sources(sources).encode("utf-8"), count
