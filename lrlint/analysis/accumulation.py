"""Gradient accumulation: the ``if (i + 1) % accum_steps == 0:`` gate around ``optimizer.step()``.

A gate is an ``if`` inside a loop whose test takes a counter of that loop modulo some ``k``
(``(i + 1) % k == 0``, ``step % k == k - 1``, ``not (i + 1) % k``, ``... or i == len(loader) - 1``;
the ``else`` branch of ``% k != 0``). The counter is a target of the loop or a name assigned
inside it (``global_step += 1``); ``k`` must not be the constant 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.facts import Block, Loop, Scope
from lrlint.analysis.model import ModuleModel
from lrlint.analysis.walk import iter_tree

_ACCUMULATION_NAME = re.compile(r"accum|update_freq|iters_to_accumulate", re.IGNORECASE)


@dataclass(frozen=True)
class Gate:
    block: Block  # (the If node, the branch the optimizer step is in)
    modulus: cst.BinaryOperation  # the `counter % k` expression
    divisor: cst.BaseExpression  # k

    @property
    def node(self) -> cst.If:
        return self.block[0]

    @property
    def named_like_accumulation(self) -> bool:
        return any(isinstance(n, cst.Name) and _ACCUMULATION_NAME.search(n.value)
                   for n in iter_tree(self.divisor))


def loop_names(model: ModuleModel, loop: Loop, scope: Scope) -> set[str]:
    """Names a loop rebinds on each iteration: its targets, and names assigned in its body."""
    names = set(loop.target_names)
    function_scope = scope
    while function_scope.kind in ("comprehension", "lambda") and function_scope.parent is not None:
        function_scope = function_scope.parent
    for name, assignments in function_scope.assignments.items():
        if any(loop.order_start <= a.order <= loop.order_end for a in assignments):
            names.add(name)
    return names


def gate_of(block: Block, counters: set[str]) -> Gate | None:
    """The accumulation gate ``block`` is, when it is one over one of ``counters``."""
    node, branch = block
    if not isinstance(node, cst.If):
        return None
    wanted = "==" if branch == "body" else "!=" if branch == "else" else None
    if wanted is None:
        return None
    for modulus in _moduli(node.test, wanted):
        if _names(modulus.left) & counters and not _is_one(modulus.right):
            return Gate(block, modulus, modulus.right)
    return None


def depends_on(expr: cst.CSTNode, counters: set[str]) -> bool:
    """True when ``expr`` reads a loop counter or takes a modulus (a gate of some kind)."""
    return bool(_names(expr) & counters) or any(
        isinstance(n, cst.BinaryOperation) and isinstance(n.operator, cst.Modulo)
        for n in iter_tree(expr)
    )


def _moduli(test: cst.BaseExpression, wanted: str):
    """``a % k`` terms of ``test`` that make it true once every k iterations."""
    if isinstance(test, cst.BooleanOperation):
        # `or`: the gate also opens at the last batch; `and`: an extra condition. Either way
        # the optimizer steps at most once per k micro-batches (plus the tail).
        yield from _moduli(test.left, wanted)
        yield from _moduli(test.right, wanted)
        return
    if wanted == "==" and isinstance(test, cst.UnaryOperation) \
            and isinstance(test.operator, cst.Not):
        inner = test.expression
        if _is_modulus(inner):
            yield inner
        return
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        operator = test.comparisons[0].operator
        spelled = "==" if isinstance(operator, cst.Equal) else \
            "!=" if isinstance(operator, cst.NotEqual) else None
        if spelled != wanted:
            return
        for side in (test.left, test.comparisons[0].comparator):
            if _is_modulus(side):
                yield side


def _is_modulus(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo)


def _is_one(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Integer) and expr.evaluated_value in (0, 1)


def _names(expr: cst.CSTNode) -> set[str]:
    return {n.value for n in iter_tree(expr) if isinstance(n, cst.Name)}


def traced_nodes(model: ModuleModel, expr: cst.BaseExpression, scope: Scope, order: int,
                 depth: int = 0, seen: set[int] | None = None):
    """(node, scope, order) for every node of ``expr`` and of the values assigned to the names
    it reads, recursively (each assignment once): what ``num_training_steps=total_steps`` is
    computed from."""
    if depth > 6:
        return
    seen = set() if seen is None else seen
    for node in iter_tree(expr):
        yield node, scope, order
        if isinstance(node, cst.Name):
            name_scope = model.scope_of(node) or scope
            name_order = model.facts.name_orders.get(node, order)
            for assignment in model.assignments_reaching(node.value, name_scope, name_order):
                if assignment.value is not None and assignment.kind in ("assign", "annassign") \
                        and id(assignment) not in seen:
                    seen.add(id(assignment))
                    yield from traced_nodes(model, assignment.value, assignment.scope,
                                            assignment.order, depth + 1, seen)
