"""Facts read from live torch objects when a watch starts or a checkpoint is loaded (never per
step): the schedulers that drive an optimizer, and how many steps an optimizer's state holds."""

from __future__ import annotations

import gc
from typing import Any

import torch

from lrlint.runtime.scheduler_tap import is_tapped
from lrlint.runtime.unwrap import scheduler_optimizer, unwrap_optimizer

_SCHEDULER_TYPES = (
    torch.optim.lr_scheduler.LRScheduler,
    torch.optim.lr_scheduler.ReduceLROnPlateau,
)


def schedulers_driving(optimizer: torch.optim.Optimizer) -> list[Any]:
    """The torch schedulers built on ``optimizer`` (or on a framework's wrapper of it) that no
    watch taps yet; a scheduler nested in a SequentialLR or ChainedScheduler is stepped by its
    parent and is left out. Found through the garbage collector's referrer scans (in C): call
    it once, at watch start."""
    holders: list[Any] = [optimizer]  # the optimizer, and the wrappers around it
    found: list[Any] = []
    seen: set[int] = set()
    for _ in range(4):  # referrer -> instance dict -> owner: a few hops at most
        next_holders = []
        for referrer in gc.get_referrers(*holders):
            if id(referrer) in seen or referrer is holders:
                continue
            seen.add(id(referrer))
            kind = type(referrer)
            if issubclass(kind, _SCHEDULER_TYPES):
                if scheduler_optimizer(referrer) is optimizer:
                    found.append(referrer)
            elif (
                # an instance's __dict__, or a wrapper (AcceleratedOptimizer ...): follow it
                kind is dict and any(v is h for v in referrer.values() for h in holders)
            ) or (kind is not dict and unwrap_optimizer(referrer) is optimizer):
                next_holders.append(referrer)
        if not next_holders:
            break
        holders = next_holders
    nested = {id(child) for s in found for child in getattr(s, "_schedulers", ())}
    return [s for s in found if id(s) not in nested and not is_tapped(s)]


def state_steps(optimizer: torch.optim.Optimizer) -> int | None:
    """The step count an optimizer's state holds (Adam's ``state["step"]``), or None when its
    state keeps none (plain SGD). Reads one parameter's state; may wait for the device."""
    for state in optimizer.state.values():
        step = state.get("step") if isinstance(state, dict) else None
        if step is not None:
            return int(step.item() if isinstance(step, torch.Tensor) else step)
    return None


def as_floats(values: Any) -> list[float] | None:
    """A scheduler's ``_last_lr`` as numbers (tensor LRs are read once: this runs on loads)."""
    if values is None:
        return None
    return [float(v.item() if isinstance(v, torch.Tensor) else v) for v in values]
