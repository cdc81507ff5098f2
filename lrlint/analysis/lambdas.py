"""The shape of an ``lr_lambda``: what it may return, and the factors of a product (LR005, LR017).

Works on the syntax alone: a *leaf* is an expression the function may return (through
conditional expressions, ``min``/``max`` and ``return`` statements); the *factors* of a leaf are
the operands of its top-level product, split into numerator and denominator.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from lrlint.analysis.walk import child_nodes

_NEW_FRAMES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_CLAMPS = frozenset({"min", "max"})


@dataclass
class Leaf:
    """A value the function may return, and the ``if``/conditional tests it sits under
    (``(test, True)`` for the body, ``(test, False)`` for the else branch)."""

    expr: cst.BaseExpression
    guards: list[tuple[cst.BaseExpression, bool]] = field(default_factory=list)
    clamp: cst.Call | None = None  # the min()/max() it is an argument of, not the whole value


def parameter(function: cst.Lambda | cst.FunctionDef) -> str | None:
    """The name of the step parameter (the first positional one)."""
    params = function.params.posonly_params + function.params.params
    return params[0].name.value if params else None


def leaves(function: cst.Lambda | cst.FunctionDef) -> list[Leaf]:
    """Every returned value, with the tests guarding it."""
    found: list[Leaf] = []
    if isinstance(function, cst.Lambda):
        _expression_leaves(function.body, [], None, found)
    else:
        _statement_leaves(function.body, [], found)
    return found


def _expression_leaves(expr: cst.BaseExpression, guards: list, clamp: cst.Call | None,
                       found: list[Leaf]) -> None:
    if isinstance(expr, cst.IfExp):
        _expression_leaves(expr.body, guards + [(expr.test, True)], clamp, found)
        _expression_leaves(expr.orelse, guards + [(expr.test, False)], clamp, found)
        return
    found.append(Leaf(expr, guards, clamp))
    if clamp_name(expr) is not None:
        for arg in expr.args:  # type: ignore[attr-defined]
            _expression_leaves(arg.value, guards, expr, found)  # type: ignore[arg-type]


def clamp_name(expr: cst.BaseExpression) -> str | None:
    """``"min"``/``"max"`` for a plain ``min(a, b)``/``max(a, b)`` call."""
    if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name)
            and expr.func.value in _CLAMPS):
        return None
    if any(arg.star or arg.keyword is not None for arg in expr.args):
        return None
    return expr.func.value


def _statement_leaves(node: cst.CSTNode, guards: list, found: list[Leaf]) -> None:
    if isinstance(node, cst.Return):
        if node.value is not None:
            _expression_leaves(node.value, guards, None, found)
        return
    if isinstance(node, cst.If):
        _statement_leaves(node.body, guards + [(node.test, True)], found)
        if node.orelse is not None:
            orelse = node.orelse
            inner = orelse if isinstance(orelse, cst.If) else orelse.body
            _statement_leaves(inner, guards + [(node.test, False)], found)
        return
    for child in child_nodes(node):
        if not isinstance(child, _NEW_FRAMES):
            _statement_leaves(child, guards, found)


def factors(expr: cst.BaseExpression) -> tuple[list[cst.BaseExpression], list[cst.BaseExpression]]:
    """(numerator factors, denominator factors) of a product: ``a * b / c`` -> ([a, b], [c])."""
    numerators: list[cst.BaseExpression] = []
    denominators: list[cst.BaseExpression] = []
    _split(expr, True, numerators, denominators)
    return numerators, denominators


def _split(expr: cst.BaseExpression, upper: bool, numerators: list, denominators: list) -> None:
    # libcst keeps parentheses on the node itself: ``(a * b)`` is a BinaryOperation too.
    if isinstance(expr, cst.BinaryOperation):
        if isinstance(expr.operator, cst.Multiply):
            _split(expr.left, upper, numerators, denominators)
            _split(expr.right, upper, numerators, denominators)
            return
        if isinstance(expr.operator, cst.Divide):
            _split(expr.left, upper, numerators, denominators)
            _split(expr.right, not upper, numerators, denominators)
            return
    (numerators if upper else denominators).append(expr)


def names_in(expr: cst.CSTNode) -> Iterator[cst.Name]:
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            yield node
        stack.extend(child for child in child_nodes(node) if not isinstance(child, _NEW_FRAMES))
