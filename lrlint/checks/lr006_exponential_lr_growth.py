"""LR006 exponential-lr-growth: ``gamma > 1`` makes a decay schedule grow the LR."""

from __future__ import annotations

import libcst as cst

from lrlint.analysis.composites import last_sequential_children
from lrlint.analysis.model import Event, TrackedObject
from lrlint.analysis.queries import is_number
from lrlint.analysis.range_test import is_range_test
from lrlint.analysis.torch_api import COMPOSITE_SCHEDULERS
from lrlint.analysis.trips import most_times_run, unit_of
from lrlint.checks.base import Rule, RuleContext
from lrlint.checks.common import fmt
from lrlint.prefilter import SCHEDULER, Vocabulary

_GROWING = frozenset({"ExponentialLR", "StepLR", "MultiStepLR"})


class ExponentialLrGrowth(Rule):
    code = "LR006"
    name = "exponential-lr-growth"
    summary = "`gamma > 1` in ExponentialLR/StepLR/MultiStepLR makes the LR grow, not decay"
    vocabulary = (SCHEDULER.also(Vocabulary(gates=(b"ExponentialLR", b"StepLR"))),)

    def check(self, context: RuleContext) -> None:
        model = context.model
        composed = last = None
        for scheduler in model.schedulers:
            if (scheduler.short not in _GROWING or scheduler.site is None
                    or "gamma" not in scheduler.args):
                continue
            gamma = context.fold(scheduler.args["gamma"], scheduler.site.scope, scheduler.site.order)
            if not is_number(gamma) or gamma <= 1:
                continue
            if composed is None:
                composed = context.model.composed_children()
                last = last_sequential_children(context.model)
            if scheduler in composed - last:
                continue  # a milestone (or the other factors of a chain) ends its growth
            if _is_bounded_warmup(context, scheduler, composed):
                continue
            if is_range_test(context.model, scheduler):
                continue
            context.report(scheduler.args["gamma"], _message(context, scheduler, gamma))


def _message(context: RuleContext, scheduler: TrackedObject, gamma: float) -> str:
    base = context.model.scheduler_base_lr(scheduler)
    known = most_times_run(context.model, scheduler.events_named("step"))
    shown = f"{scheduler.short}(gamma={_code_and_value(context, scheduler.args['gamma'], gamma)})"
    site = scheduler.site
    if scheduler.short == "MultiStepLR":
        milestones = context.fold(scheduler.args.get("milestones"), site.scope, site.order)
        unit = unit_of(context.model, known[1]) if known is not None else "steps"
        return _milestones_message(shown, gamma, milestones, base, known, unit)
    period = 1
    if scheduler.short == "StepLR":
        period = context.fold(scheduler.args.get("step_size"), site.scope, site.order)
        if not _is_count(period) or period <= 0:
            return (f"{shown} multiplies the LR by {gamma:.6g} every `step_size` steps: it "
                    "grows without bound")
    every = "at every step" if period == 1 else f"every {period} steps"
    if known is not None:
        count, event = known
        growth = gamma ** (count // period)
        return (f"{shown} multiplies the LR by {gamma:.6g} {every}: "
                f"{_times(growth)} over {count} {unit_of(context.model, event)}"
                f"{_from_to(base, growth)}")
    steps = max(100, 3 * period)
    growth = gamma ** (steps // period)
    return (f"{shown} multiplies the LR by {gamma:.6g} {every}: it grows without bound, "
            f"{_times(growth)} after {steps} steps{_from_to(base, growth)}")


def _milestones_message(shown: str, gamma: float, milestones: object, base: object,
                        known: tuple[int, Event] | None, unit: str) -> str:
    if not isinstance(milestones, (list, tuple)) or not all(map(_is_count, milestones)):
        return (f"{shown} multiplies the LR by {gamma:.6g} at each milestone: it rises instead "
                "of decaying")
    reached = [m for m in milestones if known is None or m <= known[0]]
    growth = gamma ** len(reached)
    if known is not None:
        span = f"over {known[0]} {unit}"
    else:
        span = f"over its {len(reached)} milestones {sorted(milestones)}"
    return (f"{shown} multiplies the LR by {gamma:.6g} at each milestone: "
            f"{_times(growth)} {span}{_from_to(base, growth)}")


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _code_and_value(context: RuleContext, expr: cst.BaseExpression, value: float) -> str:
    """``1.0489`` as written; ``(END / START) ** (1 / N)`` with its value."""
    code = " ".join(context.code_for(expr).split())
    if isinstance(expr, (cst.Float, cst.Integer)):
        return code
    return f"{code} = {fmt(value)}"


def _times(growth: float) -> str:
    """×118, ×1.05e+03 -> ×1,050, ×1e99."""
    if growth < 1000:
        return f"×{growth:.3g}"
    if growth < 1e6:
        return f"×{growth:,.0f}"
    return f"×{fmt(growth)}"


def _from_to(base: object, growth: float) -> str:
    if not is_number(base):
        return ""
    return f": the LR goes from {fmt(base)} to {fmt(base * growth)}"


def _is_bounded_warmup(context: RuleContext, scheduler: TrackedObject,
                       composed: set[TrackedObject]) -> bool:
    """Named as a warmup, paired with another standalone scheduler on its optimizer (switched
    by hand), or only ever stepped under ``if step < N``: the growth is meant, and it stops."""
    model = context.model
    if any("warm" in name.lower() for name in model.binding_names(scheduler)):
        return True
    optimizers = set(model.optimizers_of(scheduler))
    if scheduler not in composed and any(
            other is not scheduler and other not in composed
            and other.torch_class not in COMPOSITE_SCHEDULERS
            and optimizers & set(model.optimizers_of(other))
            for other in model.schedulers):
        return True
    steps = scheduler.events_named("step")
    return bool(steps) and all(_under_upper_bound(event) for event in steps)


def _under_upper_bound(event: Event) -> bool:
    """The call is in the body of an ``if x < n`` (or ``<=``)."""
    return any(
        isinstance(node, cst.If) and branch == "body" and isinstance(node.test, cst.Comparison)
        and any(isinstance(target.operator, (cst.LessThan, cst.LessThanEqual))
                for target in node.test.comparisons)
        for site in event.chain for node, branch in site.path
    )
