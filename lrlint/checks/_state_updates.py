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

from lrlint.analysis.model import TrackedObject
from lrlint.analysis.torch_api import COMPOSITE_SCHEDULERS, HF_SCHEDULES
from lrlint.checks.common import fmt, folded_arg, is_number

Update = Literal["chainable", "closed", "plateau"]

CHAINABLE = frozenset({
    "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
    "PolynomialLR", "CosineAnnealingLR", "SWALR",
})
CLOSED_FORM = frozenset({"LambdaLR", "CyclicLR", "CosineAnnealingWarmRestarts", "OneCycleLR"})


def lr_update(context, scheduler: TrackedObject, depth: int = 0) -> Update | None:
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
        kind = folded_arg(context, scheduler, "name", None)
        if not isinstance(kind, str):
            return None
        return "plateau" if kind == "reduce_lr_on_plateau" else "closed"
    if name in COMPOSITE_SCHEDULERS:
        children = context.model.children_of(scheduler)
        kinds = {lr_update(context, child, depth + 1) for child in children}
        if not children or None in kinds or "plateau" in kinds:
            return None
        return "closed" if "closed" in kinds else "chainable"
    return None


def schedulers_driving(context, optimizer: TrackedObject) -> list[TrackedObject]:
    """Schedulers that set ``optimizer``'s LR; a SequentialLR/ChainedScheduler stands in for the
    children it composes (their state and steps go through it)."""
    model = context.model
    composed = model.composed_children()
    found = []
    for scheduler in model.schedulers:
        if scheduler in composed:
            continue
        driven = model.optimizers_of(scheduler) or [
            o for child in model.children_of(scheduler) for o in model.optimizers_of(child)
        ]
        if optimizer in driven:
            found.append(scheduler)
    return found


def describe_schedule(context, scheduler: TrackedObject) -> str:
    """A few words for what the schedule does, with its own numbers where they fold."""
    def arg(name: str, default: object) -> str | None:
        """The argument's folded value, else its source text, else None when it is absent."""
        value = folded_arg(context, scheduler, name, default)
        if is_number(value):
            return fmt(value)
        if isinstance(value, (list, tuple)) and all(is_number(v) for v in value):
            return "[" + ", ".join(fmt(v) for v in value) + "]"
        expr = scheduler.args.get(name)
        return f"`{context.code_for(expr)}`" if expr is not None else None

    name = scheduler.torch_class
    gamma = arg("gamma", 0.1)
    if name == "StepLR" and gamma and (size := arg("step_size", None)):
        return f"its gamma={gamma} decay every {size} steps"
    if name == "MultiStepLR" and gamma and (milestones := arg("milestones", None)):
        return f"its gamma={gamma} decays at milestones {milestones}"
    if name == "ExponentialLR" and (gamma := arg("gamma", None)):
        return f"its gamma={gamma} decay at every step"
    if name == "CosineAnnealingLR" and (t_max := arg("T_max", None)):
        return f"its cosine decay to eta_min={arg('eta_min', 0.0) or 'eta_min'} over T_max={t_max} steps"
    return f"its {name} factors"
