"""LR018 scheduler-never-stepped: a scheduler that nothing ever steps."""

from __future__ import annotations

from lrlint.analysis.chains import frames
from lrlint.analysis.loops import LoopKind
from lrlint.analysis.model import TrackedObject
from lrlint.analysis.queries import is_number
from lrlint.checks.base import Rule, RuleContext
from lrlint.checks.common import fmt
from lrlint.prefilter import SCHEDULER


class SchedulerNeverStepped(Rule):
    code = "LR018"
    name = "scheduler-never-stepped"
    summary = "a scheduler is created but never stepped, and not handed to anything that could"
    vocabulary = (SCHEDULER,)

    def check(self, context: RuleContext) -> None:
        model = context.model
        for scheduler in model.standalone_schedulers:
            if scheduler.steps:
                continue
            optimizers = model.optimizers_of(scheduler)
            stepped = [e for o in optimizers for e in o.events_named("step")]
            if not stepped:
                continue  # the training loop is elsewhere: so may be the scheduler's step
            escape = model.escapes.of(scheduler)
            if escape.anywhere:
                continue
            if escape.on_self and not _owns_training_loop(model, stepped):
                continue  # an outer driver may step `trainer.scheduler` once per epoch
            context.report(scheduler.node, _message(context, scheduler, stepped))


def _owns_training_loop(model, optimizer_steps) -> bool:
    """The optimizer steps inside an epoch loop (or two nested loops) visible in this module."""
    loops = model.loop_kinds
    for step in optimizer_steps:
        for outer in model.contexts(step.chain[0].function):
            found = frames(outer + step.chain)
            if len(found) >= 2 or any(loops.kind(f) is LoopKind.EPOCH for f in found):
                return True
    return False


def _message(context: RuleContext, scheduler: TrackedObject, optimizer_steps) -> str:
    optimizer_call = context.code_for(optimizer_steps[0].node)
    head = (f"{scheduler.short} is created but never stepped: nothing in this module calls its "
            f"`step()` (while `{optimizer_call}` runs) and it is not handed to anything that could")
    if scheduler.torch_class == "ReduceLROnPlateau":
        return f"{head}, so the LR is never reduced"
    values = context.model.schedule_values(scheduler, 1)
    if values and values[0] == 0:
        return f"{head}: its warm-up starts at LR 0 and stays there, so the model does not train"
    if values and is_number(values[0]):
        return f"{head}: the LR stays at its initial {fmt(values[0])} for the whole run"
    return f"{head}: the LR stays at its initial value for the whole run"

