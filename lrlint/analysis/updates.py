"""How a scheduler sets the LR at each ``step()`` in torch 2.13, and what that means for an LR
somebody else wrote into the param group (LR013, LR015).

- *chainable*: the new LR is computed from the LR currently in the param group
  (``group["lr"] * gamma``...). A manual write carries on into the schedule and compounds with it.
- *closed*: the new LR is computed from the scheduler's own ``base_lrs`` and step count. A manual
  write is erased at the next ``step()``.
- *plateau*: ``ReduceLROnPlateau`` multiplies the group's current LR only when the metric stalls;
  between reductions it leaves the group alone.
"""

from __future__ import annotations

from typing import Literal

import libcst as cst

from lrlint.analysis.model import ModuleModel, TrackedObject
from lrlint.analysis.torch_api import COMPOSITE_SCHEDULERS, HF_SCHEDULES, Kind

Update = Literal["chainable", "closed", "plateau"]

CHAINABLE = frozenset({
    "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
    "PolynomialLR", "CosineAnnealingLR", "SWALR",
})
CLOSED_FORM = frozenset({"LambdaLR", "CyclicLR", "CosineAnnealingWarmRestarts", "OneCycleLR"})


def lr_update(model: ModuleModel, scheduler: TrackedObject, depth: int = 0) -> Update | None:
    """How ``scheduler`` computes each new LR, or None when lrlint cannot tell."""
    if scheduler.custom is not None or depth > 4:
        return None  # a subclass may override get_lr
    name = scheduler.torch_class
    if name == "ReduceLROnPlateau":
        return "plateau"
    if name in CHAINABLE:
        return "chainable"
    if name in CLOSED_FORM or name in HF_SCHEDULES:
        return "closed"  # the Hugging Face factories return a LambdaLR
    if name == "get_scheduler":
        kind = model.folded_arg(scheduler, "name", None)
        if not isinstance(kind, str):
            return None
        return "plateau" if kind == "reduce_lr_on_plateau" else "closed"
    if name in COMPOSITE_SCHEDULERS:
        children = model.children_of(scheduler)
        kinds = {lr_update(model, child, depth + 1) for child in children}
        if not children or None in kinds or "plateau" in kinds:
            return None
        return "closed" if "closed" in kinds else "chainable"
    return None


def schedulers_driving(model: ModuleModel, optimizer: TrackedObject) -> list[TrackedObject]:
    """Schedulers that set ``optimizer``'s LR; a SequentialLR/ChainedScheduler stands in for the
    children it composes (their state and steps go through it)."""
    schedulers = list(dict.fromkeys(
        [*model.schedulers, *(o for o in model.project.objects() if o.kind is Kind.SCHEDULER)]))
    composed = {child for s in schedulers for child in model.children_of(s)}
    found = []
    for scheduler in schedulers:
        if scheduler in composed:
            continue
        driven = model.optimizers_of(scheduler) or [
            o for child in model.children_of(scheduler) for o in model.optimizers_of(child)
        ]
        if optimizer in driven or (not driven and _held_together(model, scheduler, optimizer)):
            found.append(scheduler)
    return found


def _held_together(model: ModuleModel, scheduler: TrackedObject, optimizer: TrackedObject) -> bool:
    """A scheduler whose optimizer is not known (both handed in, or built by a config system)
    drives the optimizer kept beside it: a class that holds one optimizer and one scheduler in
    ``self.<attr>``s (a Trainer given ``optimizer=`` and ``lr_scheduler=``)."""
    return any(_holds_one_of_each(model, cls, scheduler, optimizer)
               for cls in _holding_classes(model, scheduler) & _holding_classes(model, optimizer))


def _holds_one_of_each(model: ModuleModel, cls, scheduler: TrackedObject,
                       optimizer: TrackedObject) -> bool:
    held: dict[Kind, set[TrackedObject]] = {}
    for assignments in cls.attributes.values():
        for assignment in assignments:
            owner = assignment.scope.module_model or model
            for ref in owner._resolve_assignment(assignment, 0):
                held.setdefault(ref.obj.kind, set()).add(ref.obj)
    return held.get(Kind.OPTIMIZER) == {optimizer} and held.get(Kind.SCHEDULER) == {scheduler}


def _holding_classes(model: ModuleModel, obj: TrackedObject) -> set:
    """The classes whose ``self.<attr>`` loads resolve to ``obj`` (where its events are)."""
    classes = set()
    for event in obj.events:
        receiver = event.site.receiver
        if isinstance(receiver, cst.Attribute):
            owner = event.site.scope.module_model or model
            cls = owner.instance_class(receiver.value, event.site.scope)
            if cls is not None:
                classes.add(cls)
    return classes

