"""Declared schedules stepped on the mirror, as LR007 and LR012 need them: what each
``step()`` does, where stepping raises, what ``get_lr()`` returns, and a schedule built with a
stand-in base LR for errors that do not depend on the optimizer.

``lrlint.schedules`` is imported on first use (it costs ~25 ms, and most files have no
scheduler).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from lrlint.analysis.declared import evaluation_errors
from lrlint.analysis.evaluate import Unknown
from lrlint.analysis.model import ModuleModel, TrackedObject
from lrlint.analysis.torch_api import Kind

if TYPE_CHECKING:
    from lrlint.schedules import Schedule
    from lrlint.schedules.torch_mirror import Optimizer

def _start(schedule: Schedule):
    from lrlint.schedules.schedule import instantiate
    from lrlint.schedules.torch_mirror import Optimizer

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


def step_through(schedule: Schedule, limit: int, while_zero: bool = False) -> Stepping:
    """Construct the mirror of ``schedule`` and call ``step()`` up to ``limit`` times (with
    ``while_zero``: once, then on only while every LR so far was 0)."""
    lrs: list[float] = []
    try:
        optimizer, scheduler = _start(schedule)
    except evaluation_errors() as error:
        return Stepping(lrs, error, 0)
    lrs.append(_first_lr(optimizer))
    for count in range(1, limit + 1):
        if while_zero and count > 1 and lrs[-1] != 0:
            break
        try:
            scheduler.step()
        except evaluation_errors() as error:
            return Stepping(lrs, error, count)
        lrs.append(_first_lr(optimizer))
    return Stepping(lrs)


def raises_within(schedule: Schedule, steps: int) -> bool:
    """True when ``steps`` calls of ``step()`` raise (on the fast paths where there are some)."""
    try:
        schedule.values(steps)
    except evaluation_errors():
        return True
    return False


def _first_lr(optimizer: Optimizer) -> float:
    value = optimizer.param_groups[0]["lr"]
    return float(value)


def first_get_lr_difference(model: ModuleModel, scheduler: TrackedObject,
                            limit: int = 1000) -> tuple[int, float, float] | None:
    """(step, what ``get_lr()`` returns, the current LR) at the first step where they differ,
    on the declared schedule's mirror; None when unknown or they never differ."""
    result = model.schedule_of(scheduler)
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
    except evaluation_errors():
        return


# Arguments torch spreads over the param groups (one value each, or one list entry per group):
# with the number of groups unknown, a list there proves nothing.
_PER_GROUP = frozenset({"max_lr", "base_lr", "min_lr", "base_momentum", "max_momentum", "swa_lr"})
# What a scheduler of an unknown optimizer is built on: plain SGD with momentum, which passes
# every check that depends on the optimizer.
_ANY_OPTIMIZER = {"momentum": 0.0}


def placeholder_schedule(model: ModuleModel, scheduler: TrackedObject, base_lr: float,
                         depth: int = 0) -> Schedule | Exception | None:
    """The schedule with every argument folded but the optimizer's LR replaced by ``base_lr``
    (for errors that do not depend on it): a Schedule, the exception torch would raise while
    building it, or None when an argument does not fold."""
    from lrlint import schedules

    kwargs = placeholder_arguments(model, scheduler, base_lr, depth)
    if kwargs is None:
        return None
    try:
        return schedules.build(scheduler.short, base_lr, optimizer_defaults=_ANY_OPTIMIZER,
                               **kwargs)
    except schedules.ScheduleError:
        return None
    except evaluation_errors() as error:
        return error


def placeholder_arguments(model: ModuleModel, scheduler: TrackedObject, base_lr: float,
                          depth: int) -> dict[str, object] | None:
    from lrlint import schedules

    if (scheduler.site is None or scheduler.custom is not None or scheduler.has_star_args
            or scheduler.short not in schedules.SCHEDULE_NAMES or depth > 4):
        return None
    site = scheduler.site
    kwargs: dict[str, object] = {}
    for name, expr in scheduler.args.items():
        if name == "optimizer":
            continue
        if name == "lr_lambda":
            return None  # its errors are the lambda's own, and need the number of groups
        if name == "scale_fn":
            value: object = _placeholder_scale_fn(model, expr, site)
            if value is _UNKNOWN_FUNCTION:
                return None
        elif name == "schedulers":
            if not isinstance(expr, (cst.List, cst.Tuple)):
                return None
            children = []
            for element in expr.elements:
                refs = [r for r in model.resolve(element.value, site.scope, site.order,
                                                         site.path) if r.obj.kind is Kind.SCHEDULER]
                child = (placeholder_schedule(model, refs[0].obj, base_lr, depth + 1)
                         if len(refs) == 1 else None)
                if not isinstance(child, schedules.Schedule):
                    return None
                children.append(child)
            value = children
        else:
            value = model.fold(expr, site.scope, site.order)
            if name in _PER_GROUP and isinstance(value, (list, tuple)):
                return None
        if isinstance(value, Unknown):
            return None
        kwargs[name] = value
    return kwargs


_UNKNOWN_FUNCTION = object()


def _placeholder_scale_fn(model: ModuleModel, expr: cst.BaseExpression, site) -> object:
    """``None`` for ``scale_fn=None``, a stand-in for a lambda or local function (only whether
    it is None matters to construction), else ``_UNKNOWN_FUNCTION``."""
    if model.callables_of(expr, site.scope, site.order):
        return lambda x: 1.0
    value = model.fold(expr, site.scope, site.order)
    return None if value is None else _UNKNOWN_FUNCTION
