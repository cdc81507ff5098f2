"""What a lambda or def returns on each path, without knowing its argument.

The body is walked once, in order, with the parameters Unknown. Straight-line assignments
keep their folded values; a name assigned differently on two branches of an ``if``, in a
loop, or by a statement we cannot evaluate becomes Unknown, so a reported value is one the
function really returns whenever that ``return`` is reached.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from lrlint.analysis.evaluate_core import Evaluator, type_name
from lrlint.analysis.evaluate_scope import (
    Frame,
    FunctionNode,
    analyse_function,
    bound_names,
)
from lrlint.analysis.evaluate_statements import run_block
from lrlint.analysis.evaluate_values import (
    CONTAINER_TYPES,
    EvaluationError,
    Unknown,
    UserCodeError,
    is_known,
    is_plain,
)

Returns = list[tuple[cst.CSTNode, object]]
_MISSING = object()
_MUTABLE = (list, dict, set)
_LOOPS = (cst.For, cst.While)
_OTHER_COMPOUND = (cst.Try, cst.TryStar, cst.With, cst.Match, cst.ClassDef)


def public_value(value: object) -> object:
    """``value`` if it is plain data, else Unknown (a function is not a learning rate)."""
    if type(value) is Unknown or is_plain(value):
        return value
    if type(value) in CONTAINER_TYPES:
        return Unknown(f"the {type_name(value)} holds a function or another non-constant")
    return Unknown(f"the value is a {type_name(value)}, not a constant")


def collect_returns(fn: FunctionNode, ev: Evaluator) -> Returns:
    scope = analyse_function(fn)
    values: dict[str, object] = {
        name: Unknown(f"depends on the argument '{name}'") for name in scope.parameters}
    ev.frame = Frame(values, scope.local_names, None, scope.global_names, scope.nonlocal_names)
    returns: Returns = []
    if type(fn) is cst.Lambda:
        _leaves(ev, fn.body, returns)
    else:
        _walk(ev, fn.body.body, returns)
    return returns


def _leaves(ev: Evaluator, expr: cst.BaseExpression, returns: Returns) -> None:
    """The value of each branch of (nested) conditional expressions that can be taken."""
    if type(expr) is cst.IfExp:
        test = ev.try_eval(expr.test)
        if is_known(test):
            _leaves(ev, expr.body if ev.truth(test) else expr.orelse, returns)
        else:
            _leaves(ev, expr.body, returns)
            _leaves(ev, expr.orelse, returns)
        return
    returns.append((expr, public_value(ev.try_eval(expr))))


def _walk(ev: Evaluator, statements: Sequence[cst.CSTNode], returns: Returns) -> bool:
    """Walk a block; True when control never falls off its end."""
    for statement in statements:
        if _walk_statement(ev, statement, returns):
            return True
    return False


def _walk_statement(ev: Evaluator, node: cst.CSTNode, returns: Returns) -> bool:
    kind = type(node)
    if kind is cst.SimpleStatementLine or kind is cst.SimpleStatementSuite:
        return _walk(ev, node.body, returns)  # type: ignore[attr-defined]
    if kind is cst.Return:
        if node.value is None:  # type: ignore[attr-defined]
            returns.append((node, None))
        else:
            _leaves(ev, node.value, returns)  # type: ignore[attr-defined]
        return True
    if kind in (cst.Raise, cst.Break, cst.Continue):
        return True
    if kind is cst.If:
        return _walk_if(ev, node, returns)  # type: ignore[arg-type]
    if kind in _LOOPS:
        _walk_loop(ev, node, returns)
        return False
    if kind in _OTHER_COMPOUND:
        return _walk_opaque(ev, node, returns)
    try:
        run_block(ev, [node])  # a simple statement or a nested def: run it for real
    except UserCodeError:
        return True  # the code raises here (e.g. a failing assert): nothing follows
    except EvaluationError as error:
        _poison(ev, bound_names([node]).bound, error.reason, mutable_too=True)
    return False


def _poison(ev: Evaluator, names: set[str], reason: str, mutable_too: bool = False) -> None:
    """Forget what we know of ``names`` (and of mutable locals a call may have changed)."""
    values = ev.frame.values  # type: ignore[union-attr]
    for name in names:
        values[name] = Unknown(reason)
    if mutable_too:
        for name, value in values.items():
            if isinstance(value, _MUTABLE):
                values[name] = Unknown(f"'{name}' may have been changed in place")


def _branch(ev: Evaluator, branch: cst.If | cst.Else | None, returns: Returns) -> bool:
    if branch is None:
        return False
    if type(branch) is cst.If:
        return _walk_if(ev, branch, returns)
    return _walk(ev, branch.body.body, returns)


def _walk_if(ev: Evaluator, node: cst.If, returns: Returns) -> bool:
    test = ev.try_eval(node.test)
    if is_known(test):
        if ev.truth(test):
            return _walk(ev, node.body.body, returns)
        return _branch(ev, node.orelse, returns)
    frame = ev.frame
    before = dict(frame.values)  # type: ignore[union-attr]
    body_ends = _walk(ev, node.body.body, returns)
    after_body = frame.values  # type: ignore[union-attr]
    frame.values = before  # type: ignore[union-attr]
    else_ends = _branch(ev, node.orelse, returns)
    live = [values for values, ends in ((after_body, body_ends),
                                        (frame.values, else_ends)) if not ends]  # type: ignore
    if not live:
        return True
    frame.values = _merge(live)  # type: ignore[union-attr]
    return False


def _same(a: object, b: object) -> bool:
    return a is b or (type(a) is type(b) and type(a) in (int, float, str, bool) and a == b)


def _merge(branches: list[dict[str, object]]) -> dict[str, object]:
    merged: dict[str, object] = {}
    for name in set().union(*branches):
        first = branches[0].get(name, _MISSING)
        if all(_same(first, values.get(name, _MISSING)) for values in branches[1:]) \
                and first is not _MISSING:
            merged[name] = first
        else:
            merged[name] = Unknown(f"'{name}' depends on the path taken")
    return merged


def _walk_loop(ev: Evaluator, node: cst.For | cst.While, returns: Returns) -> None:
    if type(node) is cst.While:
        test = ev.try_eval(node.test)
        if is_known(test) and not ev.truth(test):
            _branch(ev, node.orelse, returns)  # the body never runs
            return
    assigned = bound_names([node]).bound
    reason = "assigned in a loop"
    _poison(ev, assigned, reason, mutable_too=True)
    _walk(ev, node.body.body, returns)
    _poison(ev, assigned, reason, mutable_too=True)
    _branch(ev, node.orelse, returns)


def _walk_opaque(ev: Evaluator, node: cst.CSTNode, returns: Returns) -> bool:
    """try/with/match/class: walk the bodies (with what they bind unknown), merge nothing."""
    assigned = bound_names([node]).bound
    reason = f"assigned in a {type(node).__name__.lower()} statement"
    _poison(ev, assigned, reason, mutable_too=True)
    if type(node) is cst.ClassDef:
        return False
    for block in _bodies(node):
        _walk(ev, block, returns)
        _poison(ev, assigned, reason, mutable_too=True)
    return False


def _bodies(node: cst.CSTNode) -> list[Sequence[cst.CSTNode]]:
    kind = type(node)
    if kind is cst.Match:
        return [case.body.body for case in node.cases]  # type: ignore[attr-defined]
    suites = [node.body]  # type: ignore[attr-defined]
    if kind in (cst.Try, cst.TryStar):
        suites += [handler.body for handler in node.handlers]  # type: ignore[attr-defined]
        suites += [part.body for part in (node.orelse, node.finalbody)  # type: ignore
                   if part is not None]
    return [suite.body for suite in suites]
