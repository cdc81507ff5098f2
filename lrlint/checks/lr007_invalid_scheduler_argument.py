"""LR007 invalid-scheduler-argument: arguments with which torch raises, now or when stepped.

The errors are torch's own: the scheduler is built (and stepped) on ``lrlint.schedules``'
mirror of ``torch.optim.lr_scheduler``, which raises what torch raises with torch's message. The
few checks the mirror cannot make (an optimizer's tensor LR, children on another optimizer, a
non-callable ``lr_lambda``, a fractional ``step_size``) are in ``_args_invalid``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lrlint.analysis.evaluate import EvaluationError
from lrlint.analysis.groups import param_groups
from lrlint.analysis.model import Event, TrackedObject
from lrlint.analysis.stepping import (
    placeholder_schedule,
    raises_within,
    step_through,
)
from lrlint.analysis.torch_api import TORCH_SCHEDULERS
from lrlint.analysis.trips import most_times_run
from lrlint.checks._invalid_arguments import (
    Problem,
    depends_on_group_count,
    expected_error_nodes,
    foreign_child,
    fractional_step_size,
    lacks_momentum,
    not_callable_lambda,
    short_code,
    tensor_lr,
)
from lrlint.checks.base import Rule, RuleContext
from lrlint.checks.common import ordinal
from lrlint.prefilter import SCHEDULER, Vocabulary

if TYPE_CHECKING:
    from lrlint.schedules import Schedule

_SCHEDULERS = TORCH_SCHEDULERS | {"SWALR"}
_TORCH_RAISES = (ValueError, TypeError, ArithmeticError)
# Which argument a construction error is about, when its message does not name it.
_MESSAGE_ARGUMENT = (
    ("Starting multiplicative factor", "start_factor"),
    ("Ending multiplicative factor", "end_factor"),
    ("multiplicative factor", "factor"),
    ("Factor should be", "factor"),
    ("threshold mode", "threshold_mode"),
    ("mode", "mode"),
    ("lr_lambdas", "lr_lambda"),
    ("min_lrs", "min_lr"),
    ("milestone", "milestones"),
    ("scheduler", "schedulers"),
    ("momentum", "cycle_momentum"),
)
# The argument that makes stepping raise, per scheduler.
_STEP_CAUSE = {"CosineAnnealingLR": "T_max", "StepLR": "step_size", "ConstantLR": "factor",
               "OneCycleLR": "total_steps"}
# Not stepped here: what a lambda raises is the linted code's own error (LR017), and
# ReduceLROnPlateau steps on a metric.
_NOT_STEPPED = frozenset({"LambdaLR", "MultiplicativeLR", "ReduceLROnPlateau"})
# How far a schedule is stepped to find an error: the loop's count (capped), or while the LR is 0.
_MAX_STEPS = 100_000


class InvalidSchedulerArgument(Rule):
    code = "LR007"
    name = "invalid-scheduler-argument"
    summary = "scheduler arguments with which torch raises when it is built or stepped"
    severity = "error"
    # A tensor LR is checked when passed by keyword: `lr=torch.tensor(...)`.
    # (literal-first pattern: Python's re scans fast for a leading literal)
    vocabulary = (SCHEDULER, Vocabulary(gates=(b"tensor(",),
                                        pattern=re.compile(rb"lr[ \t]*=[ \t]*torch\.(?:as_)?tensor\(")))

    def check(self, context: RuleContext) -> None:
        model = context.model
        composed = context.model.composed_children()
        found: list[tuple[TrackedObject, Problem]] = []
        for scheduler in model.schedulers:
            if (scheduler.site is None or scheduler.custom is not None
                    or scheduler.short not in _SCHEDULERS):
                continue
            problem = (not_callable_lambda(context, scheduler) or foreign_child(context, scheduler)
                       or self._construction(context, scheduler))
            if problem is None and scheduler not in composed:
                problem = self._stepping(context, scheduler)
            if problem is None:
                problem = fractional_step_size(context, scheduler)
            if problem is not None:
                found.append((scheduler, problem))
        for optimizer in model.optimizers:
            problem = tensor_lr(context, optimizer)
            if problem is not None:
                found.append((optimizer, problem))
        if not found:
            return
        expected = expected_error_nodes(context)  # tests that assert torch raises
        for obj, problem in found:
            if id(obj.node) not in expected and id(problem.node) not in expected:
                context.report(problem.node, problem.message)

    # -- construction ----------------------------------------------------------------------

    def _construction(self, context: RuleContext, scheduler: TrackedObject) -> Problem | None:
        error = _construction_error(context, scheduler)
        if error is None:
            return None
        node, shown = _anchor(context, scheduler, _argument_in(scheduler, str(error)))
        removed = ("unexpected keyword argument" in str(error)
                   and " (an argument older torch versions accepted; lrlint models torch 2.13)")
        return Problem(node, f"{shown}: torch raises {type(error).__name__} when it is built: "
                             f"{error}{removed or ''}")

    # -- stepping --------------------------------------------------------------------------

    def _stepping(self, context: RuleContext, scheduler: TrackedObject) -> Problem | None:
        if scheduler.short in _NOT_STEPPED:
            return None
        schedule = _schedule_of(context, scheduler)
        if schedule is None:
            return None
        events = scheduler.events_named("step")
        if any(event.node.args for event in events):
            return None  # step(epoch) takes the closed form: another schedule (LR011)
        known = most_times_run(context.model, events)
        if known is not None:
            count, event = known
            if not raises_within(schedule, min(count, _MAX_STEPS)):
                return None  # (the fast paths say so; only a failure is replayed step by step)
            stepping = step_through(schedule, min(count, _MAX_STEPS))
        else:
            event = events[0] if events else None
            stepping = step_through(schedule, _MAX_STEPS, while_zero=True)
        error, failed_at = stepping.error, stepping.failed_at
        if error is None or not failed_at or not isinstance(error, _TORCH_RAISES):
            return None
        if isinstance(error, EvaluationError):
            return None  # raised by the linted code's own lambda, not by torch (LR017)
        zero_before = all(lr == 0 for lr in stepping.lrs)
        if known is None and failed_at > 1 and not zero_before:
            return None  # the loop may stop before it gets there
        return _stepping_problem(context, scheduler, event, known, failed_at, error, zero_before)


def _construction_error(context: RuleContext, scheduler: TrackedObject) -> Exception | None:
    result = context.model.schedule_of(scheduler)
    if result.error is not None:
        error = result.error
    elif result.ok:
        return None
    else:
        error = _placeholder_error(context, scheduler)
        if error is None:
            return None
    if isinstance(error, EvaluationError) or not isinstance(error, _TORCH_RAISES):
        return None  # the lambda's own error (LR017), or something torch does not raise
    if "must support momentum" in str(error) and not lacks_momentum(context, scheduler):
        return None  # lrlint does not know this optimizer's defaults
    if depends_on_group_count(error) and not _group_count_proven(context, scheduler, result):
        return None
    return error


def _group_count_proven(context: RuleContext, scheduler: TrackedObject, result) -> bool:
    """The number of param groups the schedule was built with is the optimizer's real one."""
    optimizers = context.model.optimizers_of(scheduler)
    if len(optimizers) != 1 or not result.error:
        return False
    groups = param_groups(context.model, optimizers[0])
    assumed = len(result.base_lr) if isinstance(result.base_lr, list) else 1
    return groups is not None and len(groups) == assumed


def _placeholder_error(context: RuleContext, scheduler: TrackedObject) -> Exception | None:
    """The error of a build that does not depend on the optimizer's LR (the same with two)."""
    first = placeholder_schedule(context.model, scheduler, 1.0)
    if not isinstance(first, Exception):
        return None
    second = placeholder_schedule(context.model, scheduler, 0.5)
    if type(second) is not type(first) or str(second) != str(first):
        return None
    return first


def _schedule_of(context: RuleContext, scheduler: TrackedObject) -> Schedule | None:
    result = context.model.schedule_of(scheduler)
    if result.ok:
        return result.schedule
    built = placeholder_schedule(context.model, scheduler, 1.0)
    return None if isinstance(built, Exception) else built


def _stepping_problem(context: RuleContext, scheduler: TrackedObject, event: Event | None,
                      known: tuple[int, Event] | None, failed_at: int, error: Exception,
                      zero_before: bool) -> Problem:
    call = f"`{context.code_for(event.node)}`" if event is not None else "`scheduler.step()`"
    raised = f"torch raises {type(error).__name__} at the {ordinal(failed_at)} {call}: {error}"
    node, shown = _anchor(context, scheduler, _STEP_CAUSE.get(scheduler.short))
    if known is not None and failed_at > 1:
        # The loop's count is what runs past the schedule: report on the step call.
        return Problem(known[1].node, f"{shown}: this loop steps it {known[0]} times, and {raised}")
    if zero_before and failed_at > 1:
        raised = f"the LR is 0 for {failed_at} steps, then {raised}"
    return Problem(node, f"{shown}: {raised}")


def _argument_in(scheduler: TrackedObject, message: str) -> str | None:
    """The passed argument a torch message is about."""
    args = scheduler.args
    for fragment, name in _MESSAGE_ARGUMENT:
        if fragment in message and name in args:
            return name
    for name in args:
        if name != "optimizer" and re.search(rf"\b{re.escape(name)}\b", message):
            return name
    return None


def _anchor(context: RuleContext, scheduler: TrackedObject, argument: str | None):
    """The node to report on and how to show the call: ``StepLR(step_size=0)``."""
    args = scheduler.args
    if argument is not None and argument in args:
        expr = args[argument]
        return expr, f"{scheduler.short}({argument}={short_code(context, expr)})"
    return scheduler.node, scheduler.short
