"""A small, safe evaluator over libcst expressions: constant folding and step functions.

lrlint's rules quote real numbers, so they need the value of ``lr=BASE_LR * 0.1`` and the
curve of ``LambdaLR(opt, lambda e: min(1.0, (e + 1) / WARMUP))``. This module computes
them by interpreting the libcst tree itself: it never calls ``eval``/``exec``/``compile``,
never imports what the linted code names, and bounds the time and memory any input can
cost (see ``evaluate_values`` for the limits).

Conventions
-----------
* ``EvalEnv.lookup(name, node)`` gives the value of a free name: plain data, a
  ``FunctionValue`` (build one with ``function_value``), ``Unknown``, or ``BUILTIN`` when
  the linted module does not bind the name at all, so that the builtin of that name (if we
  model it: ``min max abs int float round sum pow len bool range divmod list tuple sorted
  any all``) applies. A shadowed builtin is whatever lookup returns for it.
* ``EvalEnv.qualified_name(expr)`` resolves imports: ``math.cos``, ``numpy.pi``. It is
  asked first, for names that are not locals of the function being evaluated.
* ``fold`` returns plain data (int, float, bool, str, None, tuple, list, dict, set, range)
  or ``Unknown``; it never raises. A list or dict it returns may be the very object the
  env gave it: read it, never mutate it. ``Unknown.error`` is the exception CPython would raise
  when that is certain: ``fold(1 / 0)`` is ``Unknown("division by zero",
  ZeroDivisionError)``.
* A ``StepFunction`` call returns what CPython would return, or raises an
  ``EvaluationError``: ``UserCodeError`` when the code itself would raise
  (``DivisionByZeroError``, also a ``ZeroDivisionError``, for a division by zero), else
  ``NotStaticError`` (an unknown name, an unsupported construct; ``LimitExceeded``, a
  subclass, when a bound on size, nesting or steps was hit).
"""

from __future__ import annotations

from typing import Protocol

import libcst as cst

from lrlint.analysis.evaluate_core import Evaluator, type_name
from lrlint.analysis.evaluate_returns import collect_returns, public_value
from lrlint.analysis.evaluate_scope import (
    FunctionNode,
    FunctionScope,
    FunctionValue,
    GeneratorValue,
)
from lrlint.analysis.evaluate_values import (
    BUILTIN,
    DivisionByZeroError,
    EvaluationError,
    LimitExceeded,
    NotStaticError,
    Unknown,
    UserCodeError,
    is_known,
    is_plain,
    unknown_from,
)

__all__ = [
    "BUILTIN", "DivisionByZeroError", "EvalEnv", "EvaluationError", "FunctionValue",
    "LimitExceeded", "NotStaticError", "StepFunction", "Unknown", "UserCodeError", "evaluate_binding", "fold",
    "function_value", "is_known", "make_step_function", "returned_values",
]


class EvalEnv(Protocol):
    """What the evaluator asks the module model (see the module docstring)."""

    def lookup(self, name: str, node: cst.CSTNode) -> object: ...

    def qualified_name(self, expr: cst.BaseExpression) -> str | None: ...


def _guarded(compute, node: cst.CSTNode) -> object:  # type: ignore[no-untyped-def]
    """Run ``compute``; Unknown instead of any exception (no input may stop a lint run)."""
    try:
        return compute()
    except EvaluationError as error:
        return unknown_from(error)
    except RecursionError:
        return Unknown("expression nested too deeply", node=node)
    except Exception as exc:  # noqa: BLE001 -- a bug of ours or of the env must not stop a lint run
        return Unknown(f"internal error: {type(exc).__name__}: {exc}"[:200], node=node)


def fold(expr: cst.BaseExpression, env: EvalEnv) -> object:
    """The value of ``expr`` as plain data, or Unknown. Never raises."""
    return _guarded(lambda: public_value(Evaluator(env).eval(expr)), expr)


def evaluate_binding(expr: cst.BaseExpression, env: EvalEnv) -> object:
    """Like ``fold`` but functions are values too: what ``EvalEnv.lookup`` should return
    for ``warmup = lambda e: ...`` or ``schedule = make_schedule``."""
    value = _guarded(lambda: Evaluator(env).eval(expr), expr)
    if type(value) is GeneratorValue:  # lazy: it would keep running in this evaluator
        return Unknown("a generator is not a constant", node=expr)
    return value


def function_value(node: FunctionNode, env: EvalEnv) -> FunctionValue | Unknown:
    """A module-level (or env-scoped) lambda or def as a callable value for ``lookup``."""
    return _guarded(lambda: Evaluator(env).make_function(node), node)  # type: ignore


class StepFunction:
    """``lr_lambda`` of the linted code as a Python callable: ``step -> factor``."""

    __slots__ = ("function",)

    def __init__(self, function: FunctionValue) -> None:
        self.function = function

    @property
    def node(self) -> FunctionNode:
        return self.function.node

    def __call__(self, step: int) -> object:
        evaluator = Evaluator(self.function.env)
        try:
            value = evaluator.call_function(self.function, [step], {}, self.function.node)
        except EvaluationError:
            raise
        except RecursionError:
            raise LimitExceeded("calls nested too deeply", self.function.node) from None
        except Exception as exc:  # a bug of ours or of the env
            raise NotStaticError(f"internal error: {type(exc).__name__}: {exc}"[:200],
                                 self.function.node) from exc
        if not is_plain(value):
            raise NotStaticError(f"returns a {type_name(value)}", self.function.node)
        return value

    def __repr__(self) -> str:
        return f"StepFunction({self.function.scope.name})"


def _single_argument_problem(scope: FunctionScope, defaults: dict[str, object]) -> str | None:
    """Why ``f(step)`` would be a TypeError, if it would."""
    if not scope.positional and scope.star_arg is None:
        return f"{scope.name}() takes no positional argument; a scheduler passes the step"
    missing = [name for name in (*scope.positional[1:], *scope.keyword_only)
               if name not in defaults]
    if missing:
        return (f"{scope.name}() needs {len(missing) + 1} arguments; a scheduler passes only "
                "the step")
    return None


def make_step_function(fn: cst.CSTNode, env: EvalEnv) -> StepFunction | Unknown:
    """A callable for a lambda/def node, or for an expression naming a local function."""
    if type(fn) is cst.Lambda or type(fn) is cst.FunctionDef:
        function = function_value(fn, env)  # type: ignore[arg-type]
    else:
        function = evaluate_binding(fn, env)  # type: ignore[arg-type]
    if type(function) is Unknown:
        return function  # type: ignore[return-value]
    if type(function) is not FunctionValue:
        return Unknown(f"a {type_name(function)} is not a function of the linted code", node=fn)
    if function.scope.unsupported is not None:  # type: ignore[union-attr]
        return Unknown(function.scope.unsupported, node=fn)  # type: ignore[union-attr]
    problem = _single_argument_problem(function.scope, function.defaults)  # type: ignore
    if problem is not None:
        return Unknown(problem, TypeError, fn)
    return StepFunction(function)  # type: ignore[arg-type]


def returned_values(fn: FunctionNode, env: EvalEnv) -> list[tuple[cst.CSTNode, object]]:
    """Each returned expression (each branch of a conditional expression separately) with
    its value folded without knowing the argument: Unknown where it depends on it."""
    result = _guarded(lambda: collect_returns(fn, Evaluator(env)), fn)
    return result if type(result) is list else []  # type: ignore[return-value]
