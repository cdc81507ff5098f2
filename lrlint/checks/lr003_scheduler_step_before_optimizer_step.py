"""LR003 scheduler-step-before-optimizer-step: the first value of the schedule is skipped."""

from __future__ import annotations

import libcst as cst

from lrlint.analysis.chains import blocks_inside
from lrlint.analysis.loops import range_bounds
from lrlint.analysis.model import Event, Relation, TrackedObject
from lrlint.analysis.trips import is_fast_forward
from lrlint.checks.base import FixPlan, Rule, RuleContext
from lrlint.checks.common import fmt, move_statement_after
from lrlint.prefilter import SCHEDULER

# ReduceLROnPlateau has no schedule to skip: it reacts to the metric it is given.
_NOT_SKIPPING = frozenset({"ReduceLROnPlateau"})
# How far to look for the schedule's first change when quoting the shift.
_HORIZON = 10_000


class SchedulerStepBeforeOptimizerStep(Rule):
    code = "LR003"
    name = "scheduler-step-before-optimizer-step"
    summary = "`scheduler.step()` runs before `optimizer.step()`, skipping the schedule's first value"
    fixable = True
    vocabulary = (SCHEDULER,)

    def check(self, context: RuleContext) -> None:
        model = context.model
        # One finding per `scheduler.step()` call, naming every class it may step.
        found: dict[object, list[tuple[TrackedObject, TrackedObject, Event, Event]]] = {}
        for scheduler in model.schedulers:
            if scheduler.torch_class in _NOT_SKIPPING or scheduler.family == "timm":
                continue  # timm's step(epoch) sets the position outright
            for sched_step in scheduler.events_named("step"):
                if sched_step.node.args:
                    # step(epoch) sets the position outright, so nothing is skipped (LR011
                    # reports the deprecated argument).
                    continue
                if is_fast_forward(sched_step) or model.inside_scheduler_class(sched_step.site.scope):
                    continue  # a resume replaying steps; a wrapper scheduler's own machinery
                optimizers = model.optimizers_of(scheduler, sched_step.made_by)
                first = self._first_optimizer_step_after(context, sched_step, optimizers)
                if first is not None:
                    optimizer, opt_step, relation = first
                    found.setdefault(sched_step.node, []).append(
                        (scheduler, optimizer, sched_step, opt_step, relation))
        for candidates in found.values():
            self._report(context, candidates)

    def _first_optimizer_step_after(self, context, sched_step: Event, optimizers):
        """An optimizer step that the scheduler step precedes in one iteration, unless another
        step of the same optimizer already ran before it in that iteration."""
        model = context.model
        for optimizer in optimizers:
            steps = optimizer.events_named("step")
            before = [e for e in steps if (r := model.relate(e, sched_step)) and r.first_before_second]
            after = [(e, r) for e in steps
                     if (r := model.relate(sched_step, e)) and r.first_before_second
                     and not _skips_first_iteration(r)]
            if after and not before:
                return optimizer, *after[0]
        return None

    def _report(self, context, candidates) -> None:
        scheduler, optimizer, sched_step, opt_step, relation = candidates[0]
        sched_call = context.code_for(sched_step.node)
        opt_call = context.code_for(opt_step.node)
        names = list(dict.fromkeys(c[0].short for c in candidates))
        schedule = f"the {names[0]} schedule" if len(names) == 1 else \
            f"the schedule (it may be {_either(names)})"
        consequence = _consequence(context, scheduler) if len(candidates) == 1 else ""
        context.report(
            sched_step.node,
            f"`{sched_call}` runs before `{opt_call}` {_when(relation)}, so PyTorch "
            f"skips the first value of {schedule}{consequence}",
            self._move(sched_step, opt_step),
            facts={"effect": "shift", "steps": 1},  # each step uses the next step's LR
        )

    @staticmethod
    def _move(sched_step: Event, opt_step: Event) -> FixPlan | None:
        """Move the scheduler statement to just after the optimizer statement, when both are
        plain statements of one block (nothing conditional in between changes meaning)."""
        first, second = sched_step.site, opt_step.site
        if sched_step.via != opt_step.via or not (first.is_statement and second.is_statement):
            return None
        if first.statement.block is not second.statement.block:
            return None
        if first.statement.index >= second.statement.index:
            return None
        return move_statement_after(first.statement.line, second.statement.line,
                                    "Move `scheduler.step()` after the optimizer step")


def _consequence(context, scheduler: TrackedObject) -> str:
    """What the one-step shift does to this schedule, in its own numbers."""
    values = context.model.schedule_values(scheduler, _HORIZON)
    if not values or len(values) < 2:
        return ""
    if values[0] != values[1]:
        return f": the first optimizer step already uses LR {fmt(values[1])} instead of {fmt(values[0])}"
    change = next((k for k in range(1, len(values)) if values[k] != values[k - 1]), None)
    if change is None:
        return ""
    return (f": the LR changes to {fmt(values[change])} at step {change - 1} instead of "
            f"{change}, and every later change comes one step early")


def _either(names: list[str]) -> str:
    return ", ".join(names[:-1]) + f" or {names[-1]}"


def _when(relation: Relation) -> str:
    """"in each iteration" when both steps repeat in one loop; a one-off step before the loop
    skips the first value once."""
    return "in each iteration" if relation.loops else "before the training loop"



def _skips_first_iteration(relation: Relation) -> bool:
    """``if epoch > start_epoch: scheduler.step()`` at the top of the shared loop: the step
    never runs in the first iteration, so each one follows the previous iteration's updates."""
    loop = relation.innermost_loop
    if loop is None or not loop.target_names:
        return False
    counter = loop.target_names[0]
    bounds = range_bounds(loop.iter)
    start = bounds[1] if bounds is not None else None
    for node, branch in blocks_inside(relation.first_chain, loop) or []:
        if isinstance(node, cst.If) and branch == "body" and _after_first(node.test, counter, start):
            return True
    return False


def _after_first(test: cst.BaseExpression, counter: str, start: cst.BaseExpression | None) -> bool:
    """``counter > start``, ``counter != start`` (``> 0``/``!= 0`` when the loop starts at 0),
    or ``counter >= 1`` on a loop from 0."""
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1
            and isinstance(test.left, cst.Name) and test.left.value == counter):
        return False
    operator = test.comparisons[0].operator
    other = test.comparisons[0].comparator
    if start is None:
        first = isinstance(other, cst.Integer) and other.evaluated_value == 0
        return isinstance(operator, (cst.GreaterThan, cst.NotEqual)) and first or (
            isinstance(operator, cst.GreaterThanEqual) and isinstance(other, cst.Integer)
            and other.evaluated_value == 1)
    same = cst.Module(body=[]).code_for_node(other) == cst.Module(body=[]).code_for_node(start)
    return same and isinstance(operator, (cst.GreaterThan, cst.NotEqual))
