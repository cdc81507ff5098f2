"""Running the body of a def: assignments, ``if``, ``for``, ``while``, ``return`` ...

Handlers take the ``Evaluator`` of ``evaluate_core`` and a statement, and return None (go
on), ``BREAK``, ``CONTINUE`` or a ``Returned``. Mutation of containers (``x[0] = 1``,
``lst += [1]``) is refused: values may be shared with the caller's module model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import libcst as cst

from lrlint.analysis.evaluate_natives import qualified_value
from lrlint.analysis.evaluate_scope import FunctionScope, dotted_name, target_names
from lrlint.analysis.evaluate_values import (
    MAX_DEPTH,
    LimitExceeded,
    NotStaticError,
    Unknown,
    UserCodeError,
)


class Returned:
    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


# `x += y` computes what `x = x + y` computes for the immutable values it is allowed on.
AUGMENTED_OPERATORS: dict[type, type] = {
    cst.AddAssign: cst.Add, cst.SubtractAssign: cst.Subtract, cst.MultiplyAssign: cst.Multiply,
    cst.DivideAssign: cst.Divide, cst.FloorDivideAssign: cst.FloorDivide,
    cst.ModuloAssign: cst.Modulo, cst.PowerAssign: cst.Power,
    cst.LeftShiftAssign: cst.LeftShift, cst.RightShiftAssign: cst.RightShift,
    cst.BitOrAssign: cst.BitOr, cst.BitAndAssign: cst.BitAnd, cst.BitXorAssign: cst.BitXor,
    cst.MatrixMultiplyAssign: cst.MatrixMultiply,
}
BREAK = object()
CONTINUE = object()
_MUTABLE = (list, dict, set)


def _type_error(message: str, node: cst.CSTNode) -> UserCodeError:
    return UserCodeError(message, TypeError, node)


def bind_arguments(scope: FunctionScope, defaults: dict[str, object], args: list,
                   kwargs: dict, node: cst.CSTNode) -> dict[str, object]:
    """The initial locals of a call, bound the way CPython binds them."""
    name = scope.name
    positional = scope.positional
    if len(args) > len(positional) and scope.star_arg is None:
        raise _type_error(f"{name}() takes {len(positional)} positional arguments but "
                          f"{len(args)} were given", node)
    values: dict[str, object] = dict(zip(positional, args))
    if scope.star_arg is not None:
        values[scope.star_arg] = tuple(args[len(positional):])
    by_keyword = set(positional[scope.positional_only:]) | set(scope.keyword_only)
    extra: dict[str, object] = {}
    for keyword, value in kwargs.items():
        if keyword in by_keyword:
            if keyword in values:
                raise _type_error(f"{name}() got multiple values for argument '{keyword}'",
                                  node)
            values[keyword] = value
        elif scope.star_kwarg is not None:
            extra[keyword] = value
        else:
            raise _type_error(f"{name}() got an unexpected keyword argument '{keyword}'", node)
    if scope.star_kwarg is not None:
        values[scope.star_kwarg] = extra
    for parameter in (*positional, *scope.keyword_only):
        if parameter not in values:
            if parameter not in defaults:
                raise _type_error(f"{name}() missing required argument: '{parameter}'", node)
            values[parameter] = defaults[parameter]  # Unknown defaults fail when read
    return values


def assign(ev: Any, target: cst.CSTNode, value: object, node: cst.CSTNode) -> None:
    kind = type(target)
    if kind is cst.Name:
        ev.store(target.value, value, target)  # type: ignore[attr-defined]
        return
    if kind is not cst.Tuple and kind is not cst.List:
        raise NotStaticError("assignment to attributes or items is not supported", target)
    elements = target.elements  # type: ignore[attr-defined]
    items = ev.materialize(value, target)
    starred = [i for i, e in enumerate(elements) if type(e) is cst.StarredElement]
    if not starred:
        if len(items) != len(elements):
            raise _unpack_error(len(elements), len(items), target)
        for element, item in zip(elements, items):
            assign(ev, element.value, item, node)
        return
    star = starred[0]
    after = len(elements) - star - 1
    if len(items) < len(elements) - 1:
        raise _unpack_error(len(elements) - 1, len(items), target, at_least=True)
    for element, item in zip(elements[:star], items[:star]):
        assign(ev, element.value, item, node)
    assign(ev, elements[star].value, list(items[star:len(items) - after]), node)
    for element, item in zip(elements[star + 1:], items[len(items) - after:]):
        assign(ev, element.value, item, node)


def _unpack_error(expected: int, got: int, node: cst.CSTNode,
                  at_least: bool = False) -> UserCodeError:
    if got > expected and not at_least:
        message = f"too many values to unpack (expected {expected})"
    else:
        least = "at least " if at_least else ""
        message = f"not enough values to unpack (expected {least}{expected}, got {got})"
    return UserCodeError(message, ValueError, node)


def run_body(ev: Any, body: cst.BaseSuite) -> object:
    """Run a def's body; its return value (None when it falls off the end)."""
    flow = run_block(ev, body.body)
    return flow.value if type(flow) is Returned else None


def run_block(ev: Any, statements: Sequence[cst.CSTNode]) -> object:
    for statement in statements:
        handler = _STATEMENTS.get(type(statement))
        if handler is None:
            raise NotStaticError(f"{type(statement).__name__} statements are not supported",
                                 statement)
        ev.charge(1, statement)
        if ev.depth >= MAX_DEPTH:
            raise LimitExceeded("statements nested too deeply", statement)
        ev.depth += 1
        try:
            flow = handler(ev, statement)
        finally:
            ev.depth -= 1
        if flow is not None:
            return flow
    return None


def _suite(ev: Any, node: cst.SimpleStatementLine) -> object:
    return run_block(ev, node.body)


def _expression(ev: Any, node: cst.Expr) -> None:
    ev.eval(node.value)


def _assign(ev: Any, node: cst.Assign) -> None:
    value = ev.eval(node.value)
    for target in node.targets:
        assign(ev, target.target, value, node)


def _annotated_assign(ev: Any, node: cst.AnnAssign) -> None:
    if node.value is not None:
        assign(ev, node.target, ev.eval(node.value), node)


def _augmented_assign(ev: Any, node: cst.AugAssign) -> None:
    if type(node.target) is not cst.Name:
        raise NotStaticError("augmented assignment to attributes or items is not supported",
                             node)
    name = node.target.value
    current = ev.read_name(name, node.target)
    if isinstance(current, _MUTABLE):
        raise NotStaticError(f"in-place update of a {type(current).__name__} is not supported",
                             node)
    value = ev.eval(node.value)
    ev.store(name, ev.binary(AUGMENTED_OPERATORS[type(node.operator)], current, value, node),
             node)


def _return(ev: Any, node: cst.Return) -> Returned:
    return Returned(None if node.value is None else ev.eval(node.value))


def _nothing(ev: Any, node: cst.CSTNode) -> None:
    return None  # pass; global and nonlocal were taken into account statically


def _break(ev: Any, node: cst.Break) -> object:
    return BREAK


def _continue(ev: Any, node: cst.Continue) -> object:
    return CONTINUE


def _assert(ev: Any, node: cst.Assert) -> None:
    if not ev.truth(ev.eval(node.test)):
        raise UserCodeError("assertion failed", AssertionError, node)


def _raise(ev: Any, node: cst.Raise) -> None:
    raise UserCodeError("the code raises an exception here", Exception, node)


def _import(ev: Any, node: cst.Import) -> None:
    for alias in node.names:
        full = alias.evaluated_name
        if alias.asname is None:
            full = full.partition(".")[0]  # `import a.b` binds `a` to the package
        value = qualified_value(full, None) or Unknown(f"module {full} is not supported")
        ev.store(alias.evaluated_alias or full, value, alias)


def _import_from(ev: Any, node: cst.ImportFrom) -> None:
    if isinstance(node.names, cst.ImportStar):
        raise NotStaticError("import * is not supported", node)
    module = None if node.relative or node.module is None else dotted_name(node.module)
    for alias in node.names:
        full = f"{module}.{alias.evaluated_name}" if module else alias.evaluated_name
        value = qualified_value(full, None) if module else None
        if value is None:
            value = Unknown(f"{full} is not supported")
        ev.store(alias.evaluated_alias or alias.evaluated_name, value, alias)


def _delete(ev: Any, node: cst.Del) -> None:
    if type(node.target) not in (cst.Name, cst.Tuple, cst.List):
        raise NotStaticError("del of attributes or items is not supported", node)
    for name in target_names(node.target):
        ev.read_name(name, node)  # an unbound name is an error, as in CPython
        if ev.frame is None or name not in ev.frame.local_names:
            raise NotStaticError(f"del of non-local '{name}' is not supported", node)
        del ev.frame.values[name]


def _if(ev: Any, node: cst.If) -> object:
    branch: cst.If | cst.Else | None = node
    while type(branch) is cst.If:
        if ev.truth(ev.eval(branch.test)):
            return run_block(ev, branch.body.body)
        branch = branch.orelse
    if branch is not None:
        return run_block(ev, branch.body.body)
    return None


def _loop_flow(flow: object) -> tuple[bool, object]:
    """(stop the loop, what the loop statement returns) after one pass of its body."""
    if flow is BREAK:
        return True, None
    if type(flow) is Returned:
        return True, flow
    return False, None


def _for(ev: Any, node: cst.For) -> object:
    if node.asynchronous is not None:
        raise NotStaticError("async for is not supported", node)
    for item in ev.iterate(ev.eval(node.iter), node.iter):
        assign(ev, node.target, item, node)
        stop, flow = _loop_flow(run_block(ev, node.body.body))
        if stop:
            return flow
    return run_block(ev, node.orelse.body.body) if node.orelse is not None else None


def _while(ev: Any, node: cst.While) -> object:
    while ev.truth(ev.eval(node.test)):
        ev.charge(1, node)
        stop, flow = _loop_flow(run_block(ev, node.body.body))
        if stop:
            return flow
    return run_block(ev, node.orelse.body.body) if node.orelse is not None else None


def _function_def(ev: Any, node: cst.FunctionDef) -> None:
    ev.store(node.name.value, ev.make_function(node), node)


_STATEMENTS: dict[type, Callable[[Any, Any], object]] = {
    cst.SimpleStatementLine: _suite,
    cst.SimpleStatementSuite: _suite,
    cst.Expr: _expression,
    cst.Assign: _assign,
    cst.AnnAssign: _annotated_assign,
    cst.AugAssign: _augmented_assign,
    cst.Return: _return,
    cst.Pass: _nothing,
    cst.Global: _nothing,
    cst.Nonlocal: _nothing,
    cst.Break: _break,
    cst.Continue: _continue,
    cst.Assert: _assert,
    cst.Raise: _raise,
    cst.Import: _import,
    cst.ImportFrom: _import_from,
    cst.Del: _delete,
    cst.If: _if,
    cst.For: _for,
    cst.While: _while,
    cst.FunctionDef: _function_def,
}
