"""Fast iteration over libcst child nodes.

``CSTNode.children`` and ``CSTVisitor`` rebuild nodes as they go; reading the dataclass fields
directly is several times faster, and lrlint walks each tree exactly once.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Iterator

import libcst as cst

# Fields that hold only whitespace, commas, brackets and other tokens: never an expression or
# statement we care about.
_TOKEN_FIELD_PREFIXES = ("whitespace", "lpar", "rpar", "lbracket", "rbracket", "lbrace", "rbrace")
_TOKEN_FIELDS = frozenset(
    {"comma", "dot", "colon", "equal", "semicolon", "leading_lines", "lines_after_decorators",
     "header", "footer", "trailing_whitespace", "star", "asynchronous", "operator", "newline",
     "first_line", "empty_lines", "indent", "walrus", "arrow", "semicolon", "await_"}
)

_FIELDS_BY_TYPE: dict[type, tuple[str, ...]] = {}


def _node_fields(node_type: type) -> tuple[str, ...]:
    names = tuple(
        f.name
        for f in fields(node_type)
        if f.name not in _TOKEN_FIELDS and not f.name.startswith(_TOKEN_FIELD_PREFIXES)
    )
    _FIELDS_BY_TYPE[node_type] = names
    return names


def child_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Yield the direct children of ``node`` that can contain code, in source order."""
    names = _FIELDS_BY_TYPE.get(type(node)) or _node_fields(type(node))
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (tuple, list)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


def iter_tree(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Pre-order iteration over ``node`` and everything below it."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(child_nodes(current))))
