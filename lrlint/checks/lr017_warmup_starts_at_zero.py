"""LR017 warmup-starts-at-zero: ``step / warmup_steps`` makes the first step's LR 0.

What counts as a warmup ramp: a value an ``lr_lambda`` of ``LambdaLR`` returns that is exactly
``step / W`` (``float(step) / W`` too) for its step parameter ``step``, bounded as a warmup is,
by ``min(1.0, step / W)`` or by an ``if step < W`` (``<=``) around it, and reached at step 0.
A denominator written ``max(1, W)`` is Hugging Face's own deliberate form (its
``get_linear_schedule_with_warmup`` starts at 0 by design, and guards W = 0): not a finding.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.composites import bounded_by_milestone
from lrlint.analysis.evaluate import EvaluationError
from lrlint.analysis.evaluate_values import DivisionByZeroError
from lrlint.analysis.lambdas import Leaf, clamp_name, leaves, names_in, parameter
from lrlint.analysis.model import TrackedObject
from lrlint.analysis.queries import is_number
from lrlint.analysis.test_code import deliberate_in_a_test
from lrlint.analysis.values import step_function_in
from lrlint.checks.base import FixPlan, ReplaceNode, Rule, RuleContext
from lrlint.checks.common import fmt
from lrlint.prefilter import SCHEDULER, Vocabulary

_CASTS = frozenset({"float", "int"})


@dataclass(frozen=True)
class Ramp:
    """``numerator / denominator`` in ``leaf``; ``whole`` is what the fix replaces."""

    division: cst.BinaryOperation
    numerator: cst.BaseExpression
    denominator: cst.BaseExpression
    whole: cst.BaseExpression
    leaf: Leaf


class WarmupStartsAtZero(Rule):
    code = "LR017"
    name = "warmup-starts-at-zero"
    summary = "a warmup lambda `step / warmup_steps` gives the first step LR 0 (and divides by 0)"
    fixable = True
    vocabulary = (SCHEDULER.also(Vocabulary(gates=(b"LambdaLR",))),)

    def check(self, context: RuleContext) -> None:
        milestoned = None
        for scheduler in context.model.schedulers:
            if (scheduler.short != "LambdaLR" or scheduler.site is None
                    or "lr_lambda" not in scheduler.args):
                continue
            if _stepped_before_the_optimizer(context, scheduler):
                continue  # the first optimizer step already sees lr_lambda(1) (LR003's finding)
            if deliberate_in_a_test(context.model, scheduler.site):
                continue
            if milestoned is None:
                milestoned = bounded_by_milestone(context.model)
            site = scheduler.site
            functions = context.model.callables_of(scheduler.args["lr_lambda"], site.scope, site.order)
            for function in functions:
                ramp = _ramp(context, function, scheduler in milestoned)
                if ramp is None:
                    continue
                start = _value_at_zero(context, function, scheduler)
                if start == "nonzero":
                    continue
                context.report(ramp.division, _message(context, scheduler, ramp, start),
                               _fix(context, scheduler, function, ramp),
                               here=scheduler.args["lr_lambda"])


def _stepped_before_the_optimizer(context: RuleContext, scheduler: TrackedObject) -> bool:
    model = context.model
    return any(
        (relation := model.relate(scheduler_step, optimizer_step)) is not None
        and relation.first_before_second
        for optimizer in model.optimizers_of(scheduler)
        for optimizer_step in optimizer.events_named("step")
        for scheduler_step in scheduler.events_named("step")
    )


def _ramp(context: RuleContext, function: cst.CSTNode, milestoned: bool) -> Ramp | None:
    """The warmup ramp the function returns at step 0, if it is ``step / W`` (a SequentialLR
    milestone may be what ends it: ``milestoned``)."""
    step = parameter(function)
    if step is None:
        return None
    found = leaves(function)
    top = [leaf for leaf in found if leaf.clamp is None]
    if not top:
        return None
    first = top[0]  # the value returned at step 0, if its guards hold there
    for leaf in found:
        if leaf is not first and leaf.clamp is not first.expr:
            continue
        ramp = _as_ramp(context, leaf, step)
        if ramp is not None and _warmup_bounded(context, ramp, step, milestoned):
            return ramp
    return None


def _as_ramp(context: RuleContext, leaf: Leaf, step: str) -> Ramp | None:
    division = leaf.expr
    if not (isinstance(division, cst.BinaryOperation) and isinstance(division.operator, cst.Divide)):
        return None
    if not _is_step(division.left, step) or _mentions(division.right, step):
        return None
    if _hf_guarded(division.right):
        return None  # Hugging Face's deliberate form: starts at 0, and never divides by 0
    whole = leaf.clamp if leaf.clamp is not None and _is_unit_min(leaf.clamp) else division
    return Ramp(division, division.left, division.right, whole, leaf)


def _warmup_bounded(context: RuleContext, ramp: Ramp, step: str, milestoned: bool) -> bool:
    """Capped at 1 by ``min(1, ...)``, inside ``if step < W``, or ended by a milestone: a
    warmup, not a growth. Every guard around it must hold at step 0 (an upper bound on the
    step)."""
    denominator = _code(context, _uncast(ramp.denominator))
    guards = ramp.leaf.guards
    if not all(taken and _upper_bound(context, test, step) is not None for test, taken in guards):
        return False
    if ramp.whole is not ramp.division or milestoned:
        return True
    return any(_upper_bound(context, test, step) == denominator for test, _ in guards)


def _upper_bound(context: RuleContext, test: cst.BaseExpression, step: str) -> str | None:
    """``W`` for ``step < W``, ``step <= W``, ``W > step``, ``W >= step``; else None."""
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
        return None
    target = test.comparisons[0]
    if _is_step(test.left, step) and isinstance(target.operator, (cst.LessThan, cst.LessThanEqual)):
        return _code(context, _uncast(target.comparator))
    if _is_step(target.comparator, step) and isinstance(
            target.operator, (cst.GreaterThan, cst.GreaterThanEqual)):
        return _code(context, _uncast(test.left))
    return None


def _value_at_zero(context: RuleContext, function: cst.CSTNode, scheduler: TrackedObject) -> str:
    """"zero", "nonzero", "zero division" (W is 0), or "unknown" (W does not fold)."""
    site = scheduler.site
    step_function = step_function_in(context.model, function, site.scope, site.order)
    if not callable(step_function):
        return "unknown"
    try:
        value = step_function(0)
    except DivisionByZeroError:
        return "zero division"
    except (EvaluationError, ArithmeticError):
        return "unknown"
    if is_number(value):
        return "zero" if value == 0 else "nonzero"
    return "unknown"


def _message(context: RuleContext, scheduler: TrackedObject, ramp: Ramp, start: str) -> str:
    ratio = _code(context, ramp.division)
    denominator = _code(context, ramp.denominator)
    if start == "zero division":
        zero = "" if isinstance(ramp.denominator, (cst.Integer, cst.Float)) else (
            f": `{denominator}` is 0 here")
        return (f"`{ratio}` divides by zero{zero}; LambdaLR calls lr_lambda(0) when it is "
                "built, so torch raises ZeroDivisionError")
    site = scheduler.site
    width = context.fold(ramp.denominator, site.scope, site.order)
    base = context.model.scheduler_base_lr(scheduler)
    built = "(LambdaLR applies lr_lambda(0) when it is built)"
    if is_number(width) and width > 0:
        first = f" instead of {fmt(base / width)}" if is_number(base) else ""
        wasted = f": 1 of the {fmt(width)} warmup steps is wasted" if width >= 1 else ""
        return (f"`{ratio}` is 0 at step 0: the first optimizer step runs with LR 0{first} "
                f"{built}{wasted}")
    zero = f"the first optimizer step runs with LR 0 {built}"
    reachable_at_zero = all(
        not isinstance(test.comparisons[0].operator, (cst.LessThan, cst.GreaterThan))
        for test, _ in ramp.leaf.guards if isinstance(test, cst.Comparison))
    division = (f", and `{denominator} = 0` raises ZeroDivisionError when the scheduler is built"
                if reachable_at_zero else "")
    return f"`{ratio}` is 0 at step 0: {zero}{division}"


def _fix(context: RuleContext, scheduler: TrackedObject, function: cst.CSTNode,
         ramp: Ramp) -> FixPlan:
    numerator = _code(context, ramp.numerator)
    denominator = _code(context, ramp.denominator)
    content = f"min(1.0, ({numerator} + 1) / max(1, {denominator}))"
    safe = _only_used_by(context, scheduler, function)
    return FixPlan(
        "Start the warmup at 1/W: `min(1.0, (step + 1) / max(1, W))`",
        (ReplaceNode(ramp.whole, content),),
        "safe" if safe else "unsafe",
    )


def _only_used_by(context: RuleContext, scheduler: TrackedObject, function: cst.CSTNode) -> bool:
    """The function is written in the scheduler call, or named and used only there: changing
    it changes nothing else."""
    expr = scheduler.args["lr_lambda"]
    if expr is function:
        return True
    if not isinstance(expr, cst.Name):
        return False
    loads = context.model.facts.loads.get(expr.value, [])
    return len(loads) == 1 and isinstance(function, (cst.Lambda, cst.FunctionDef))


def _is_unit_min(call: cst.Call) -> bool:
    """``min(1.0, x)`` or ``min(x, 1)``."""
    return clamp_name(call) == "min" and len(call.args) == 2 and any(
        isinstance(arg.value, (cst.Integer, cst.Float)) and float(arg.value.value) == 1.0
        for arg in call.args)


def _hf_guarded(expr: cst.BaseExpression) -> bool:
    """``max(1, W)``, ``max(W, 1.0)``, ``float(max(1, W))``."""
    expr = _uncast(expr)
    return clamp_name(expr) == "max" and any(
        isinstance(arg.value, (cst.Integer, cst.Float)) and float(arg.value.value) >= 1
        for arg in expr.args)  # type: ignore[attr-defined]


def _is_step(expr: cst.BaseExpression, step: str) -> bool:
    return _is_name(_uncast(expr), step)


def _uncast(expr: cst.BaseExpression) -> cst.BaseExpression:
    if (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value in _CASTS
            and len(expr.args) == 1 and not expr.args[0].star and expr.args[0].keyword is None):
        return expr.args[0].value
    return expr


def _is_name(expr: cst.BaseExpression, name: str) -> bool:
    return isinstance(expr, cst.Name) and expr.value == name


def _mentions(expr: cst.BaseExpression, name: str) -> bool:
    return any(node.value == name for node in names_in(expr))


def _code(context: RuleContext, node: cst.CSTNode) -> str:
    return " ".join(context.code_for(node).split())
