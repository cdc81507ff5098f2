"""Large files: blank out the top-level definitions no rule can care about before libcst.

libcst's parse costs about 0.1 ms a line, and a 50k-line module of helpers with one training
loop pays it in full. CPython's ``ast`` parses ten times faster: it finds the top-level ``def``
and ``class`` statements whose text spells none of the words training code uses on an
optimizer, scheduler or scaler, and that no kept statement refers to by name (to a fixpoint). Their lines become empty
lines, so every kept node keeps its line and column: positions, fixes and suppression comments
refer to the original text unchanged. Everything else (imports, module code, the ``if
__name__`` block, kept definitions) stays as written.
"""

from __future__ import annotations

import ast
import re

# Files below this many lines are parsed whole: slicing pays only on large files.
MIN_LINES = 2_000

# Words that make a definition worth modelling: the project gates and receiver vocabulary,
# and the (case-insensitive) stems of the names training code gives these objects.
_KEEP = re.compile(
    r"optim|_schedule|TrainingArguments|sched|scaler|step|zero_grad|param_groups|get_lr|"
    r"last_epoch|base_lrs|lr|opt|warmup|accelerat|lightning|trainer|checkpoint|state_dict",
    re.IGNORECASE)


def slice_source(text: str) -> str | None:
    """``text`` with the unneeded top-level definitions blanked, or None when nothing is
    blanked (a small file, a syntax error, every definition needed)."""
    if text.count("\n") < MIN_LINES or not _may_drop(text):
        return None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # libcst reports it, or parses what CPython cannot
    lines = text.splitlines(keepends=True)
    definitions: dict[int, tuple[str, int, int]] = {}  # statement index -> (name, first, last)
    for index, statement in enumerate(tree.body):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([statement.lineno, *(d.lineno for d in statement.decorator_list)])
            definitions[index] = (statement.name, first, statement.end_lineno or statement.lineno)
    if not definitions:
        return None
    kept = set(range(len(tree.body))) - set(definitions)
    for index, (_, first, last) in definitions.items():
        if _KEEP.search("".join(lines[first - 1:last])):
            kept.add(index)
    by_name: dict[str, list[int]] = {}
    for index, (name, _, _) in definitions.items():
        by_name.setdefault(name, []).append(index)
    pending = list(kept)
    seen_names: set[str] = set()
    while pending:  # what kept statements name is kept too
        for name in _names(tree.body[pending.pop()]) - seen_names:
            seen_names.add(name)
            for index in by_name.get(name, ()):
                if index not in kept:
                    kept.add(index)
                    pending.append(index)
    dropped = [definitions[i] for i in definitions if i not in kept]
    if not dropped:
        return None
    for _, first, last in dropped:
        for number in range(first - 1, last):
            line = lines[number]
            ending = line[len(line.rstrip("\r\n")):]
            lines[number] = ending or ""
    return "".join(lines)


_TOP_DEFINITION = re.compile(r"^(?:@|def\s|async\s+def\s|class\s)", re.MULTILINE)


def _may_drop(text: str) -> bool:
    """A quick look before ``ast``: is there a top-level definition (roughly: from a line
    starting ``def``/``class``/``@`` to the next) that spells no word worth keeping? A file of
    training functions only is parsed whole at once."""
    starts = [m.start() for m in _TOP_DEFINITION.finditer(text)]
    for begin, end in zip(starts, [*starts[1:], len(text)]):
        region = text[begin:end]
        if not region.startswith("@") and not _KEEP.search(region):
            return True
    return False


def _names(statement: ast.stmt) -> set[str]:
    """Every name a statement reads or binds, and the attribute names it uses (a method or a
    module attribute may name a top-level definition too)."""
    found = set()
    for node in ast.walk(statement):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                node.value.isidentifier():
            found.add(node.value)  # __all__, getattr(module, "name"), registries
    return found
