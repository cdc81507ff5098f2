"""Read a live torch scheduler's constructor arguments back from the object.

``watch(optimizer, expect=scheduler)`` checks the run against the schedule the scheduler's own
arguments *declare*, computed by ``lrlint.schedules`` — independently of the scheduler object that
is being run, whose state a callback, a second scheduler or a checkpoint load may have bent.
The arguments are read when the watch starts, before training changes anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.optim import lr_scheduler as torch_schedulers


class UnsupportedSchedulerError(TypeError):
    """The scheduler's class has no known constructor-argument layout."""


@dataclass(frozen=True)
class SchedulerSpec:
    """A scheduler as ``lrlint.schedules.build`` takes it: class name, base LR(s), constructor
    arguments minus ``optimizer`` (nested schedulers as specs), and how many times the scheduler
    had already been stepped when the watch started."""

    name: str
    base_lr: float | list[float]
    kwargs: dict[str, Any] = field(default_factory=dict)
    already_stepped: int = 0


def _as_float(value: float | torch.Tensor) -> float:
    # A tensor LR's base value is read once, when the watch starts — never per step.
    return float(value.item()) if isinstance(value, torch.Tensor) else float(value)


def _one_or_list(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else list(values)


def _base_lrs(scheduler: Any) -> list[float]:
    if hasattr(scheduler, "base_lrs"):
        return [_as_float(v) for v in scheduler.base_lrs]
    groups = scheduler.optimizer.param_groups
    return [_as_float(g.get("initial_lr", g["lr"])) for g in groups]


def _lambdas(s: Any) -> dict[str, Any]:
    return {"lr_lambda": _one_or_list(list(s.lr_lambdas))}


def _multistep(s: Any) -> dict[str, Any]:
    return {"milestones": sorted(s.milestones.elements()), "gamma": s.gamma}


def _cyclic(s: Any) -> dict[str, Any]:
    step_size_up = s.total_size * s.step_ratio
    if abs(step_size_up - round(step_size_up)) < 1e-9 * s.total_size:
        step_size_up = round(step_size_up)
    step_size_down = s.total_size - step_size_up
    if abs(step_size_down - round(step_size_down)) < 1e-9 * s.total_size:
        step_size_down = round(step_size_down)
    return {
        "base_lr": _one_or_list([_as_float(v) for v in s.base_lrs]),
        "max_lr": _one_or_list([_as_float(v) for v in s.max_lrs]),
        "step_size_up": step_size_up,
        "step_size_down": step_size_down,
        "mode": s.mode,
        "gamma": s.gamma,
        "scale_fn": s._scale_fn_custom,
        "scale_mode": s.scale_mode,
        "cycle_momentum": False,  # momentum does not change the LR curve
    }


def _pct_start(end_step: float, total_steps: int) -> float:
    """The ``pct_start`` whose ``float(pct_start * total_steps) - 1`` is exactly ``end_step``:
    OneCycleLR compares integer steps with that product, so one ulp off can move a phase edge."""
    pct = (end_step + 1) / total_steps
    for direction in (math.inf, -math.inf):
        candidate = pct
        for _ in range(4):
            if float(candidate * total_steps) - 1 == end_step:
                return candidate
            candidate = math.nextafter(candidate, direction)
    return pct


def _one_cycle(s: Any) -> dict[str, Any]:
    groups = s.optimizer.param_groups
    max_lrs = [_as_float(g["max_lr"]) for g in groups]
    initial = [_as_float(g["initial_lr"]) for g in groups]
    minimum = [_as_float(g["min_lr"]) for g in groups]
    return {
        "max_lr": _one_or_list(max_lrs),
        "total_steps": s.total_steps,
        "pct_start": _pct_start(s._schedule_phases[0]["end_step"], s.total_steps),
        "anneal_strategy": s._anneal_func_type,
        "div_factor": max_lrs[0] / initial[0],
        "final_div_factor": initial[0] / minimum[0],
        "three_phase": len(s._schedule_phases) == 3,
        "cycle_momentum": False,
    }


def _plateau(s: Any) -> dict[str, Any]:
    return {
        "mode": s.mode,
        "factor": s.factor,
        "patience": s.patience,
        "threshold": s.threshold,
        "threshold_mode": s.threshold_mode,
        "cooldown": s.cooldown,
        "min_lr": _one_or_list(list(s.min_lrs)),
        "eps": s.eps,
    }


def _attributes(*names: str) -> Callable[[Any], dict[str, Any]]:
    return lambda s: {name: getattr(s, name) for name in names}


_ARGUMENTS: dict[type, Callable[[Any], dict[str, Any]]] = {
    torch_schedulers.LambdaLR: _lambdas,
    torch_schedulers.MultiplicativeLR: _lambdas,
    torch_schedulers.StepLR: _attributes("step_size", "gamma"),
    torch_schedulers.MultiStepLR: _multistep,
    torch_schedulers.ConstantLR: _attributes("factor", "total_iters"),
    torch_schedulers.LinearLR: _attributes("start_factor", "end_factor", "total_iters"),
    torch_schedulers.ExponentialLR: _attributes("gamma"),
    torch_schedulers.PolynomialLR: _attributes("total_iters", "power"),
    torch_schedulers.CosineAnnealingLR: _attributes("T_max", "eta_min"),
    torch_schedulers.CosineAnnealingWarmRestarts: _attributes("T_0", "T_mult", "eta_min"),
    torch_schedulers.CyclicLR: _cyclic,
    torch_schedulers.OneCycleLR: _one_cycle,
    torch_schedulers.ReduceLROnPlateau: _plateau,
}
_COMPOSITES = (torch_schedulers.SequentialLR, torch_schedulers.ChainedScheduler)
_BEHAVIOUR = ("step", "get_lr", "_get_closed_form_lr", "_update_lr")


def _torch_class(scheduler: Any) -> type:
    """The torch scheduler class whose behaviour ``scheduler`` has: its own class, or a torch
    class it subclasses without overriding how the LR is computed."""
    # A watched scheduler's class is lrlint's tap subclass; judge the class underneath.
    own_class = getattr(type(scheduler), "_lrlint_original", type(scheduler))
    for cls in own_class.__mro__:
        if cls in _ARGUMENTS or cls in _COMPOSITES:
            same = all(
                getattr(own_class, name, None) is getattr(cls, name, None) for name in _BEHAVIOUR
            )
            if same:
                return cls
            break
    raise UnsupportedSchedulerError(
        f"lrlint cannot declare the schedule of {own_class.__qualname__}: it is not a "
        "torch.optim.lr_scheduler class (or it overrides how the LR is computed). Pass the "
        "declared schedule instead: expect=[...], expect=lambda step: ..., or "
        "expect=lrlint.schedules.build(...), with scheduler=<your scheduler> to keep the "
        "scheduler-order checks."
    )


def _already_stepped(scheduler: Any, cls: type) -> int:
    if cls is torch_schedulers.ChainedScheduler:
        return _already_stepped(scheduler._schedulers[0], _torch_class(scheduler._schedulers[0]))
    # A fresh scheduler has made its initial step: last_epoch == 0.
    return int(scheduler.last_epoch)


def scheduler_spec(scheduler: Any) -> SchedulerSpec:
    """The declared schedule of a live torch scheduler, as constructor arguments."""
    cls = _torch_class(scheduler)
    base_lr = _one_or_list(_base_lrs(scheduler))
    stepped = _already_stepped(scheduler, cls)
    if cls is torch_schedulers.SequentialLR:
        kwargs: dict[str, Any] = {
            "schedulers": [scheduler_spec(s) for s in scheduler._schedulers],
            "milestones": list(scheduler._milestones),
        }
    elif cls is torch_schedulers.ChainedScheduler:
        kwargs = {"schedulers": [scheduler_spec(s) for s in scheduler._schedulers]}
    else:
        kwargs = _ARGUMENTS[cls](scheduler)
    if cls is torch_schedulers.ReduceLROnPlateau and stepped:
        raise UnsupportedSchedulerError(
            "ReduceLROnPlateau was already stepped when the watch started: its state (best "
            "metric, bad epochs, cooldown) is not a constructor argument. Start the watch first."
        )
    return SchedulerSpec(cls.__name__, base_lr, kwargs, stepped)


# Arguments that torch takes per param group (a list, or one value for every group).
_PER_GROUP = ("lr_lambda", "base_lr", "max_lr", "min_lr")


def _nth(value: Any, group: int) -> Any:
    return value[group] if isinstance(value, list) else value


def _group_key(spec: SchedulerSpec, group: int) -> tuple:
    """Everything that decides one group's curve: its base LR and its per-group arguments."""
    parts: list[Any] = [_nth(spec.base_lr, group)]
    for name in _PER_GROUP:
        if name in spec.kwargs:
            value = _nth(spec.kwargs[name], group)
            parts.append(value if isinstance(value, (int, float, str)) else id(value))
    for child in spec.kwargs.get("schedulers", ()):
        parts.extend(_group_key(child, group))
    return tuple(parts)


def _restrict(spec: SchedulerSpec, groups: list[int]) -> SchedulerSpec:
    def pick(value: Any) -> Any:
        return _one_or_list([value[g] for g in groups]) if isinstance(value, list) else value

    kwargs = {k: pick(v) if k in _PER_GROUP else v for k, v in spec.kwargs.items()}
    if "schedulers" in kwargs:
        kwargs["schedulers"] = [_restrict(child, groups) for child in kwargs["schedulers"]]
    return SchedulerSpec(spec.name, pick(spec.base_lr), kwargs, spec.already_stepped)


def distinct_curves(spec: SchedulerSpec, group_count: int) -> tuple[SchedulerSpec, list[int]]:
    """``spec`` over one param group per distinct curve, and the curve of every group.

    Param groups often share their whole configuration (a weight-decay and a no-decay group);
    computing each curve once keeps the declared schedule cheap for many groups."""
    keys = [_group_key(spec, g) for g in range(group_count)]
    curve_of_key: dict[tuple, int] = {}
    representatives: list[int] = []
    for group, key in enumerate(keys):
        if key not in curve_of_key:
            curve_of_key[key] = len(representatives)
            representatives.append(group)
    return _restrict(spec, representatives), [curve_of_key[key] for key in keys]


def build_declared(spec: SchedulerSpec) -> Any:
    """The ``lrlint.schedules`` Schedule that ``spec`` declares (nested specs built first)."""
    from lrlint import schedules

    kwargs = dict(spec.kwargs)
    if "schedulers" in kwargs:
        kwargs["schedulers"] = [build_declared(inner) for inner in kwargs["schedulers"]]
    return schedules.build(spec.name, spec.base_lr, **kwargs)
