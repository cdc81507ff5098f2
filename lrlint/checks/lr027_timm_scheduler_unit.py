"""LR027 timm-scheduler-unit: a timm scheduler driven by the call its ``t_in_epochs`` ignores,
or configured with lengths in two different units."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.evaluate import Unknown
from lrlint.analysis.model import Event, TrackedObject
from lrlint.analysis.queries import is_number
from lrlint.analysis.timm import (
    EPOCH_METHOD,
    UPDATE_METHOD,
    DriveMismatch,
    Length,
    drive,
    drive_mismatch,
    factory_lengths_in_updates,
    lengths,
    may_be_driven_unseen,
    moving_method,
    named,
    schedule_end,
    t_in_epochs,
    timm_schedulers,
    unit_mix,
    unit_words,
)
from lrlint.analysis.units import Unit
from lrlint.checks.base import Rule, RuleContext
from lrlint.checks.common import fmt
from lrlint.prefilter import SCHEDULER

_FACTORIES = ("create_scheduler", "create_scheduler_v2")
_UNIT_NAMES = {Unit.EPOCH: "epochs", Unit.ITERATION: "updates"}


class TimmSchedulerUnit(Rule):
    code = "LR027"
    name = "timm-scheduler-unit"
    summary = ("timm: a scheduler stepped only by the call its `t_in_epochs` ignores, or with "
               "lengths in epochs and in updates")
    vocabulary = (SCHEDULER,)

    def check(self, context: RuleContext) -> None:
        for scheduler in timm_schedulers(context.model):
            _check_driving(context, scheduler)
            _check_lengths(context, scheduler)


# -- (a) and (b): only the call that does nothing --------------------------------------------


def _check_driving(context: RuleContext, scheduler: TrackedObject) -> None:
    model = context.model
    moving = moving_method(model, scheduler)
    if moving is None:
        return
    calls = drive(scheduler)
    ignored = UPDATE_METHOD if moving == EPOCH_METHOD else EPOCH_METHOD
    if calls.of(moving) or not calls.of(ignored):
        return
    # A bare `step()` raises before anything else matters: LR028's.
    wrong = [e for e in calls.of(ignored) if ignored == UPDATE_METHOD or e.node.args]
    if not wrong or may_be_driven_unseen(model, scheduler):
        return
    seen: set[cst.Call] = set()
    for event in wrong:
        if event.node in seen:
            continue
        seen.add(event.node)
        context.report(event.node, _frozen_message(context, scheduler, event, moving),
                       facts={"effect": "frozen", "moves_with": moving, "called": ignored})


def _frozen_message(context: RuleContext, scheduler: TrackedObject, event: Event,
                    moving: str) -> str:
    model = context.model
    call = context.code_for(event.node)
    head = (f"`{call}` never changes the LR of {named(scheduler)}: with "
            f"{unit_words(model, scheduler)} only `{moving}(...)` moves it, and nothing calls that")
    curve = _landmarks(context, scheduler)
    if curve is not None:
        head += f": the LR stays at {curve.stays} for the whole run{curve.instead}"
    else:
        head += ": the LR stays at its initial value for the whole run"
    return f"{head}; {_remedy(context, scheduler, moving)}"


def _remedy(context: RuleContext, scheduler: TrackedObject, moving: str) -> str:
    model = context.model
    found, _ = lengths(model, scheduler)
    units = {length.unit for length in found} - {Unit.LITERAL}
    short = scheduler.torch_class
    if moving == UPDATE_METHOD:
        if units == {Unit.ITERATION}:
            return "its lengths count updates: call `step_update(num_updates)` after each update"
        return "call `step_update(num_updates)` after each optimizer update"
    if short == "PlateauLRScheduler":
        return "call `step(epoch + 1, metric)` after each epoch"
    switch = ("pass step_on_epochs=False with updates_per_epoch" if short == "create_scheduler_v2"
              else "set `args.sched_on_updates`" if short == "create_scheduler"
              else "pass t_in_epochs=False")
    lengths_text = ", ".join(f"`{f.name}={context.code_for(f.expr)}`" for f in found)
    if units == {Unit.ITERATION} and short not in _FACTORIES:
        return f"its lengths count updates ({lengths_text}): {switch}"
    if units == {Unit.EPOCH}:
        return (f"its lengths count epochs ({lengths_text}): also call `step(epoch + 1)` after "
                "each epoch, as timm's train.py does")
    return f"{switch}, or also call `step(epoch + 1)` after each epoch as timm's train.py does"


# -- (c) and (d): lengths in two units -----------------------------------------------------


def _check_lengths(context: RuleContext, scheduler: TrackedObject) -> None:
    model = context.model
    if scheduler.has_star_args:
        return
    mixed = unit_mix(model, scheduler)
    if mixed is not None:
        context.report(*_mix(context, scheduler, *mixed))
        return
    doubled = factory_lengths_in_updates(model, scheduler)
    if doubled:
        context.report(scheduler.node, _doubled_message(context, scheduler, doubled))
        return
    mismatch = drive_mismatch(model, scheduler)
    if mismatch is not None:
        for event in mismatch.calls:
            context.report(event.node, _drive_message(context, scheduler, mismatch, event))


def _mix(context: RuleContext, scheduler: TrackedObject, length: Length,
         warmup: Length) -> tuple[cst.BaseExpression, str]:
    """The argument in the wrong unit (the warm-up when the unit is unknown), and why."""
    model = context.model
    shown = [f"`{x.name}={context.code_for(x.expr)}` counts {_UNIT_NAMES[x.unit]}"
             for x in (length, warmup)]
    head = f"{scheduler.short} mixes units: {shown[0]} but {shown[1]}"
    if scheduler.torch_class == "create_scheduler_v2":
        wrong = length if length.unit is Unit.ITERATION else warmup
        return wrong.expr, (
            f"{head}: create_scheduler_v2 reads every length in epochs (and multiplies them by "
            f"updates_per_epoch when step_on_epochs=False), so `{wrong.name}` lasts "
            f"{_count(context, scheduler, wrong)} epochs, not updates")
    unit = t_in_epochs(model, scheduler)
    if isinstance(unit, Unknown):
        return warmup.expr, (f"{head}: whichever unit the loop steps it in, one of them is off "
                             "by the number of updates per epoch")
    stepped = Unit.EPOCH if unit else Unit.ITERATION
    wrong = warmup if warmup.unit is not stepped else length
    per = "epoch" if unit else "update"
    return wrong.expr, (f"{head}: with {unit_words(model, scheduler)} it is stepped per {per}, "
                        f"so `{wrong.name}` lasts {_count(context, scheduler, wrong)} "
                        f"{_UNIT_NAMES[stepped]}, not {_UNIT_NAMES[wrong.unit]}")


def _doubled_message(context: RuleContext, scheduler: TrackedObject,
                     doubled: list[Length]) -> str:
    shown = ", ".join(f"`{x.name}={context.code_for(x.expr)}`" for x in doubled)
    per_epoch = scheduler.args.get("updates_per_epoch")
    times = f"`{context.code_for(per_epoch)}`" if per_epoch is not None else "updates_per_epoch"
    return (f"create_scheduler_v2 with step_on_epochs=False multiplies its lengths by "
            f"updates_per_epoch, but {shown} already count{'s' if len(doubled) == 1 else ''} "
            f"updates: the schedule is {times} times too long")


def _drive_message(context: RuleContext, scheduler: TrackedObject, mismatch: DriveMismatch,
                   event: Event) -> str:
    length = mismatch.length
    shown = f"`{length.name}={context.code_for(length.expr)}`"
    call = context.code_for(event.node)
    count = _count(context, scheduler, length)
    setting = unit_words(context.model, scheduler)
    if mismatch.unit is Unit.EPOCH:
        return (f"{scheduler.short} counts {shown} in epochs, but with {setting} it follows "
                f"`{call}`, which passes the update count (once per batch): the whole schedule "
                f"is spent after {count} updates, within the first epochs, and the LR stays at "
                f"its end for the rest of the run; count the lengths in updates (× the batches "
                "per epoch) or pass t_in_epochs=True and call `step(epoch + 1)`")
    return (f"{scheduler.short} counts {shown} in updates, but with {setting} it follows "
            f"`{call}`, which passes the epoch: after E epochs it has taken E of its {count} "
            "steps, so the schedule is stretched by the updates per epoch; pass "
            "t_in_epochs=False and call `step_update(num_updates)` after each update, or "
            "count the lengths in epochs")


def _count(context: RuleContext, scheduler: TrackedObject, length: Length) -> str:
    value = context.fold(length.expr, scheduler.site.scope, scheduler.site.order)
    return fmt(value) if is_number(value) else f"`{context.code_for(length.expr)}`"


# -- the curve's numbers -------------------------------------------------------------------


@dataclass(frozen=True)
class Landmarks:
    stays: str  # the LR nothing moves: "1e-6 (warmup_lr_init)"
    instead: str  # ", where the schedule reaches 5e-4 at t=5 (end of warm-up) and ..."


def _landmarks(context: RuleContext, scheduler: TrackedObject) -> Landmarks | None:
    """The LR the run keeps, and what the schedule would have done, from the timm mirror."""
    from lrlint.analysis.declared import evaluation_errors

    declared = context.model.schedule_of(scheduler)
    if not declared.ok:
        return _initial_only(context, scheduler)
    schedule = declared.schedule
    try:
        resolved = schedule.resolved()
        initial = _first(schedule.values_by_update(1)[0])
        a = resolved.arguments
        warmup = a.get("warmup_t") or 0
        points = []
        if is_number(warmup) and warmup > 0:
            points.append(f"reaches {fmt(_first(resolved.lr_at(warmup)))} at t={fmt(warmup)} "
                          "(end of warm-up)")
        end = schedule_end(resolved.name, a)
        if end is not None:
            points.append(f"ends at {fmt(_first(resolved.lr_at(end)))} at t={fmt(end)}")
    except evaluation_errors():
        return None
    source = "warmup_lr_init" if is_number(warmup) and warmup > 0 else "the optimizer's lr"
    instead = f", where the schedule {' and '.join(points)}" if points else ""
    return Landmarks(_stays(initial, source), instead)


def _initial_only(context: RuleContext, scheduler: TrackedObject) -> Landmarks | None:
    """The LR set at construction when the whole schedule does not fold: warmup_lr_init
    after a warm-up, else the optimizer's."""
    model = context.model
    short = scheduler.torch_class
    if short == "create_scheduler" or scheduler.custom is not None:
        return None
    factory = short == "create_scheduler_v2"
    warmup = model.folded_arg(scheduler, "warmup_epochs" if factory else "warmup_t", 0)
    if not is_number(warmup):
        return None
    if warmup:
        value = model.folded_arg(scheduler, "warmup_lr" if factory else "warmup_lr_init",
                                 1e-5 if factory else 0.0)
        source = "warmup_lr" if factory else "warmup_lr_init"
    else:
        value, source = model.scheduler_base_lr(scheduler), "the optimizer's lr"
    return Landmarks(_stays(value, source), "") if is_number(value) else None


def _stays(value: object, source: str) -> str:
    text = f"{fmt(value)} ({source})"
    return f"{text}, so the model does not train" if value == 0 else text


def _first(value: object) -> object:
    return value[0] if isinstance(value, list) else value

