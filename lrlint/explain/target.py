"""Where a step decay was meant to end, when the code says so.

``gamma = (final_lr / initial_lr) ** (1 / n_updates)`` states a target: ``final_lr`` after
``n_updates`` decays. Only that form (or ``pow``/``math.pow`` of it), with ``initial_lr`` equal to
the optimizer's LR, counts as a target; anything else is not a target we can honestly infer.
The usual derivation forgets that the last of ``N`` optimizer steps runs after ``N - 1``
scheduler steps, so a ``step_size = N // n_updates`` run decays only ``n_updates - 1`` times
and ends at ``final_lr / gamma``; :func:`lrlint.schedules.step_decay_to` gives the fix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.evaluate import Unknown
from lrlint.analysis.facts import Scope
from lrlint.analysis.model import ModuleModel, TrackedObject
from lrlint.analysis.values import fold_in
from lrlint.explain.find import one_line
from lrlint.explain.numbers import lr_text, steps_text
from lrlint.schedules import step_decay_to

DECAYING = ("StepLR", "MultiStepLR", "ExponentialLR")
_MAX_HOPS = 4


@dataclass(frozen=True)
class TargetCheck:
    target: float
    expression: str  # gamma's formula as written
    planned: int  # decays the formula assumes
    happened: int  # decays that take effect by the last step
    final: float  # the LR of the last step
    advice: str | None  # how to end exactly at the target, when the run misses it

    @property
    def relative_error(self) -> float:
        return self.final / self.target - 1


def target_check(model: ModuleModel, scheduler: TrackedObject, schedule, final: float,
                 count: int) -> TargetCheck | None:
    """Where the run ends (``final``, the LR of the last of ``count`` steps) against the target
    gamma's formula states, when it states one."""
    if schedule.name not in DECAYING or schedule.groups != 1 or scheduler.site is None:
        return None
    gamma_expr = scheduler.args.get("gamma")
    if gamma_expr is None:
        return None
    found = _target_formula(model, gamma_expr, scheduler.site.scope, scheduler.site.order)
    if found is None:
        return None
    target, initial, planned, expression = found
    if not math.isclose(initial, schedule.base_lrs[0], rel_tol=1e-12):
        return None
    happened = _decays(schedule, count)
    advice = None if happened == planned else _advice(schedule, initial, target, planned, count)
    return TargetCheck(target, expression, planned, happened, final, advice)


def _target_formula(model: ModuleModel, expr: cst.BaseExpression, scope: Scope,
                    order: int) -> tuple[float, float, int, str] | None:
    """``(target, initial, decays, formula)`` for ``(target / initial) ** (1 / decays)``."""
    expr, scope, order = _follow(model, expr, scope, order)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Power):
        base, exponent = expr.left, expr.right
    elif (isinstance(expr, cst.Call) and len(expr.args) == 2
          and model.qualified_name(expr.func) in ("math.pow", None)
          and _name(expr.func) == "pow"):
        base, exponent = expr.args[0].value, expr.args[1].value
    else:
        return None
    base, base_scope, base_order = _follow(model, base, scope, order)
    exponent, exp_scope, exp_order = _follow(model, exponent, scope, order)
    if not (_is_division(base) and _is_division(exponent)):
        return None
    target = fold_in(model, base.left, base_scope, base_order)
    initial = fold_in(model, base.right, base_scope, base_order)
    one = fold_in(model, exponent.left, exp_scope, exp_order)
    decays = fold_in(model, exponent.right, exp_scope, exp_order)
    if not all(_is_number(v) for v in (target, initial, one, decays)):
        return None
    if one != 1 or target <= 0 or initial <= 0 or target == initial:
        return None
    if decays != int(decays) or decays < 1:
        return None
    return target, initial, int(decays), one_line(model.module.code_for_node(expr))


def _follow(model: ModuleModel, expr: cst.BaseExpression, scope: Scope,
            order: int) -> tuple[cst.BaseExpression, Scope, int]:
    """Look through names bound once (``lr_gamma = (...) ** (...)``) to the written formula."""
    for _ in range(_MAX_HOPS):
        if not isinstance(expr, cst.Name):
            break
        assignments = model.assignments_reaching(expr.value, scope, order)
        if len(assignments) != 1:
            break
        assignment = assignments[0]
        if assignment.kind != "assign" or assignment.value is None or assignment.unpack:
            break
        expr, scope, order = assignment.value, assignment.scope, assignment.order
    return expr, scope, order


def _name(func: cst.BaseExpression) -> str | None:
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


def _is_division(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide)


def _is_number(value: object) -> bool:
    return not isinstance(value, (bool, Unknown)) and isinstance(value, (int, float))


def _decays(schedule, count: int) -> int:
    """How many decays take effect by the last of ``count`` steps (after ``count - 1``
    scheduler steps)."""
    a = schedule.arguments
    if schedule.name == "StepLR":
        return (count - 1) // a["step_size"]
    if schedule.name == "MultiStepLR":
        return sum(1 for milestone in a["milestones"] if milestone <= count - 1)
    return count - 1


def _advice(schedule, initial: float, target: float, planned: int, count: int) -> str | None:
    if schedule.name == "ExponentialLR":
        if count < 2:
            return None
        gamma = (target / initial) ** (1 / (count - 1))
        return (f"gamma = (final / initial) ** (1 / {count - 1}) = {gamma:.10g} ends there "
                f"on step {steps_text(count - 1)}")
    if planned >= count:
        return None
    plan = step_decay_to(initial, target, count, planned)
    call = f"step_decay_to({initial!r}, {target!r}, {count}, {planned})"
    if schedule.name == "MultiStepLR":
        return f"MultiStepLR(milestones={call}.milestones, gamma={plan.gamma:.10g}) ends there"
    if plan.step_size is not None:
        return f"StepLR(step_size={plan.step_size}, gamma={plan.gamma:.10g}) ends there ({call})"
    if plan.nearest_step_lr is None:
        return None
    size, decays, gamma = plan.nearest_step_lr
    return (f"no step_size gives exactly {steps_text(planned)} decays in {steps_text(count)} "
            f"steps; StepLR(step_size={size}, gamma=(final / initial) ** (1 / {decays}) = "
            f"{gamma:.10g}) ends there, or MultiStepLR with {call}.milestones")


def describe(check: TargetCheck) -> str:
    """One sentence for the text report."""
    if check.advice is None:
        return (f"{lr_text(check.target)} (gamma = {check.expression}): reached, after "
                f"{steps_text(check.happened)} decays")
    direction = "above" if check.final > check.target else "below"
    advice = check.advice[0].upper() + check.advice[1:]
    return (f"{lr_text(check.target)} (gamma = {check.expression}) assumes "
            f"{steps_text(check.planned)} decays, but {steps_text(check.happened)} take effect "
            f"by the last step: the run ends {abs(check.relative_error):.3%} {direction} the "
            f"target, at {lr_text(check.final)}. {advice}.")
