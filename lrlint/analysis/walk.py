"""Fast iteration over libcst child nodes.

``CSTNode.children`` and ``CSTVisitor`` rebuild nodes as they go; reading the dataclass fields
directly is several times faster, and lrlint walks each tree exactly once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields

import libcst as cst

# Fields that hold only whitespace, commas, brackets and other tokens: never an expression or
# statement we care about.
_TOKEN_FIELD_PREFIXES = ("whitespace", "lpar", "rpar", "lbracket", "rbracket", "lbrace", "rbrace")
_TOKEN_FIELDS = frozenset(
    {"comma", "dot", "colon", "equal", "semicolon", "leading_lines", "lines_after_decorators",
     "header", "footer", "trailing_whitespace", "star", "asynchronous", "operator", "newline",
     "first_line", "empty_lines", "indent", "walrus", "arrow", "await_"}
)

_FIELDS_BY_TYPE: dict[type, tuple[str, ...]] = {}
# isinstance() against the CSTNode ABC costs microseconds; a per-type answer costs a dict lookup.
_IS_NODE: dict[type, bool] = {}


def _is_node_type(value_type: type) -> bool:
    answer = _IS_NODE.get(value_type)
    if answer is None:
        answer = _IS_NODE[value_type] = issubclass(value_type, cst.CSTNode)
    return answer


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
        value_type = type(value)
        if value_type is tuple or value_type is list:
            for item in value:
                if _is_node_type(type(item)):
                    yield item
        elif _is_node_type(value_type):
            yield value


def iter_tree(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Pre-order iteration over ``node`` and everything below it."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(child_nodes(current))))
