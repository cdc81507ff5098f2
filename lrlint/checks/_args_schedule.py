"""Declared schedules as LR005/LR006/LR007/LR012 need them: never raising, and replayable.

``declared_schedule`` folds a scheduler's arguments and builds its schedule with
``lrlint.schedules``; a lambda the evaluator cannot follow makes it raise an ``EvaluationError``
instead of answering "unknown", so every rule of ours goes through :func:`declared` here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lrlint.analysis.declared import Declared, declared_schedule
from lrlint.analysis.evaluate import EvaluationError
from lrlint.analysis.model import ModuleModel, TrackedObject
from lrlint.schedules import Schedule, ScheduleError
from lrlint.schedules.schedule import instantiate
from lrlint.schedules.torch_mirror import Optimizer

# What stepping a mirror scheduler may raise: torch's errors, the evaluator's, lrlint's own.
_STEP_ERRORS = (ArithmeticError, ValueError, TypeError, KeyError, IndexError, EvaluationError,
                ScheduleError)


def declared(model: ModuleModel, scheduler: TrackedObject) -> Declared:
    """``declared_schedule``, with an unevaluable lambda reported as a reason, not raised."""
    try:
        return declared_schedule(model, scheduler)
    except (EvaluationError, ScheduleError) as error:
        return Declared(reason=f"cannot evaluate the schedule: {error}")


def _start(schedule: Schedule):
    optimizer = Optimizer(schedule.base_lrs, schedule.optimizer_defaults)
    return optimizer, instantiate(schedule, optimizer, {})


@dataclass(frozen=True)
class Stepping:
    """What ``limit`` scheduler steps do: the LR (first group) after each step, from the one
    right after construction (``lrs[0]``), and the error of the step that raised, if one did
    (``failed_at`` is the 1-based number of that ``scheduler.step()`` call)."""

    lrs: list[float]
    error: Exception | None = None
    failed_at: int | None = None


def step_through(schedule: Schedule, limit: int) -> Stepping:
    """Construct the mirror of ``schedule`` and call ``step()`` up to ``limit`` times."""
    lrs: list[float] = []
    try:
        optimizer, scheduler = _start(schedule)
    except _STEP_ERRORS as error:
        return Stepping(lrs, error, 0)
    lrs.append(_first_lr(optimizer))
    for count in range(1, limit + 1):
        try:
            scheduler.step()
        except _STEP_ERRORS as error:
            return Stepping(lrs, error, count)
        lrs.append(_first_lr(optimizer))
    return Stepping(lrs)


def _first_lr(optimizer: Optimizer) -> float:
    value = optimizer.param_groups[0]["lr"]
    return float(value)


def first_get_lr_difference(model: ModuleModel, scheduler: TrackedObject,
                            limit: int = 1000) -> tuple[int, float, float] | None:
    """(step, what ``get_lr()`` returns, the current LR) at the first step where they differ,
    on the declared schedule's mirror; None when unknown or they never differ."""
    result = declared(model, scheduler)
    if not result.ok or result.schedule.name == "ReduceLROnPlateau":
        return None
    for step, computed, current in _get_lr_pairs(result.schedule, limit):
        if computed != current:
            return step, computed, current
    return None


def _get_lr_pairs(schedule: Schedule, limit: int) -> Iterator[tuple[int, float, float]]:
    try:
        optimizer, scheduler = _start(schedule)
        for step in range(limit):
            current = _first_lr(optimizer)
            computed = float(scheduler.get_lr()[0])
            yield step, computed, current
            scheduler.step()
    except _STEP_ERRORS:
        return
