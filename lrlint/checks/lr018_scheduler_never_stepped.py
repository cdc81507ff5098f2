"""LR018 scheduler-never-stepped: a scheduler that nothing ever steps."""

from __future__ import annotations

import os

import libcst as cst

from lrlint.analysis.chains import frames
from lrlint.analysis.frameworks import LIGHTNING_SCHEDULER_HOOK, TIMM_STEP_METHODS
from lrlint.analysis.lightning import (
    ANY,
    WHOLE,
    LightningModuleInfo,
    SchedulerEntry,
    accessor_index,
    lightning_modules,
    unmodelled_scheduler_steps,
)
from lrlint.analysis.loops import LoopKind
from lrlint.analysis.model import TrackedObject
from lrlint.analysis.queries import is_number
from lrlint.checks.base import Rule, RuleContext
from lrlint.checks.common import fmt
from lrlint.prefilter import SCHEDULER, Vocabulary


class SchedulerNeverStepped(Rule):
    code = "LR018"
    name = "scheduler-never-stepped"
    summary = ("a scheduler is created but never stepped, and not handed to anything that could "
               "(Lightning: returned with manual optimization and never stepped)")
    vocabulary = (SCHEDULER, Vocabulary(gates=(b"automatic_optimization",)))

    def check(self, context: RuleContext) -> None:
        model = context.model
        # Schedulers a factory returns to the same callers: one finding for the factory's
        # branches (`MultiStepLR` or `CosineAnnealingLR`, whichever the config picks).
        returned: dict[tuple, list] = {}
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
            if escape.returned_to:
                key = tuple(id(site.node) for _, site in escape.returned_to)
                returned.setdefault(key, []).append((scheduler, stepped, escape))
                continue
            context.report(scheduler.node, _message(context, [scheduler], stepped, escape))
        for group in returned.values():
            schedulers = [scheduler for scheduler, _, _ in group]
            _, stepped, escape = group[0]
            context.report(schedulers[0].node, _message(context, schedulers, stepped, escape))
        for module in lightning_modules(model):
            if module.optimization == "manual" and module.trains:
                for entry in module.entries:
                    for scheduler in module.schedulers(entry):
                        if not _maybe_stepped(model, module, entry, scheduler):
                            # where it is handed to Lightning, else where it is built
                            node = scheduler.node if not model.owns(entry.node) \
                                and model.owns(scheduler.node) else entry.node
                            context.report(node, _manual_message(context, scheduler))


def _maybe_stepped(model, module: LightningModuleInfo, entry: SchedulerEntry,
                   scheduler: TrackedObject) -> bool:
    """Anything in the project that may step a scheduler Lightning hands back under manual
    optimization: its own ``step()``, a step on what ``lr_schedulers()`` returns (whatever the
    receiver), a call of the ``lr_scheduler_step`` hook, or a ``.step()`` lrlint cannot resolve
    on something named like a scheduler (``pl_module.scheduler.step()`` in a callback)."""
    if scheduler.steps or module.manual_steps(entry, scheduler):
        return True
    if unmodelled_scheduler_steps(model):
        return True  # a callback the run did not model may step it
    names = set(model.binding_names(scheduler)) | {"scheduler", "lr_scheduler", "sched"}
    for member in model.project.members or [model]:
        for site in member.calls:
            if module.of_another_module(site):
                continue  # another LightningModule steps its own schedulers
            if site.method == LIGHTNING_SCHEDULER_HOOK:
                return True
            if site.method not in TIMM_STEP_METHODS:
                continue
            index = accessor_index(member, site.receiver, site.scope, site.order, None)
            if index is not None:
                if index in (WHOLE, ANY, entry.index):
                    return True  # it may be this one
                continue
            if not member.resolve(site.receiver, site.scope, site.order, site.path) \
                    and _named_like(site.receiver, names):
                return True
    return False


def _named_like(receiver: cst.BaseExpression | None, names: set[str]) -> bool:
    last = receiver.value if isinstance(receiver, cst.Name) else \
        receiver.attr.value if isinstance(receiver, cst.Attribute) else None
    return last is not None and (last in names or "sched" in last.lower())


def _manual_message(context: RuleContext, scheduler: TrackedObject) -> str:
    head = (f"{scheduler.short} is returned from configure_optimizers, but this LightningModule "
            "uses manual optimization (`automatic_optimization = False`), where Lightning never "
            "steps schedulers, and nothing calls `self.lr_schedulers().step()` or steps it "
            "otherwise")
    return _with_consequence(context, scheduler, head)


def _owns_training_loop(model, optimizer_steps) -> bool:
    """The optimizer steps inside an epoch loop (or two nested loops) visible in this module."""
    loops = model.loop_kinds
    for step in optimizer_steps:
        for outer in model.contexts(step.chain[0].function):
            found = frames(outer + step.chain)
            if len(found) >= 2 or any(loops.kind(f) is LoopKind.EPOCH for f in found):
                return True
    return False


def _message(context: RuleContext, schedulers: list[TrackedObject], optimizer_steps,
             escape) -> str:
    scheduler = schedulers[0]
    optimizer_call = context.code_for(optimizer_steps[0].node)
    bound = _bindings(context, escape.returned_to)
    if bound:
        names = " or ".join(dict.fromkeys(s.short for s in schedulers))
        which = f"{names} (whichever the factory builds)" if len(schedulers) > 1 else names
        head = (f"{which} is created but never stepped: it is returned to {bound}, "
                f"where nothing calls its `step()` (while `{optimizer_call}` runs) or hands it to "
                "anything that could")
    else:
        head = (f"{scheduler.short} is created but never stepped: nothing in this module calls "
                f"its `step()` (while `{optimizer_call}` runs) and it is not handed to anything "
                "that could")
    return _with_consequence(context, scheduler, head)


def _bindings(context: RuleContext, followed) -> str:
    """`scheduler` (train_net.py), for the call sites a factory returns the scheduler to."""
    shown = []
    for caller, site in followed:
        names = ", ".join(f"`{context.code_for(t)}`" for t in site.assigned_to)
        if not names:
            continue
        place = f" ({os.path.basename(caller.path)})" if caller is not context.model \
            and caller.path else ""
        shown.append(f"{names}{place}")
    return " and ".join(dict.fromkeys(shown))


def _with_consequence(context: RuleContext, scheduler: TrackedObject, head: str) -> str:
    if scheduler.torch_class == "ReduceLROnPlateau":
        return f"{head}, so the LR is never reduced"
    values = context.model.schedule_values(scheduler, 1)
    if values and values[0] == 0:
        return f"{head}: its warm-up starts at LR 0 and stays there, so the model does not train"
    if values and is_number(values[0]):
        return f"{head}: the LR stays at its initial {fmt(values[0])} for the whole run"
    return f"{head}: the LR stays at its initial value for the whole run"

