"""timm's scheduler factories (``timm.scheduler.scheduler_factory``, timm 1.0.31).

``create_scheduler_v2`` turns epoch-based arguments into one scheduler class and its
arguments: with ``step_on_epochs=False`` (train.py's ``--sched-on-updates``) every length
(``num_epochs``, ``warmup_epochs``, ``decay_epochs``, ``decay_milestones``,
``cooldown_epochs``, ``stable_timescale``) is multiplied by ``updates_per_epoch`` and the
scheduler gets ``t_in_epochs=False``. :func:`choose_v2` is that mapping on its own (which
class, which keyword arguments); ``create_scheduler_v2`` and ``create_scheduler`` build
it on a stand-in optimizer and return ``(scheduler, num_epochs)`` as timm does.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, NamedTuple

from lrlint.schedules.errors import ScheduleError
from lrlint.schedules.timm_mirror import TIMM_CLASSES, Scheduler, _require
from lrlint.schedules.torch_mirror import Optimizer

PREFIX = "timm."


def scheduler_kwargs(cfg: Any, decreasing_metric: bool | None = None) -> dict[str, Any]:
    """The keyword arguments of ``create_scheduler_v2`` read from train.py's ``args``."""
    eval_metric = getattr(cfg, "eval_metric", "top1")
    if decreasing_metric is not None:
        plateau_mode = "min" if decreasing_metric else "max"
    else:
        plateau_mode = "min" if "loss" in eval_metric else "max"
    return {
        "sched": cfg.sched,
        "num_epochs": getattr(cfg, "epochs", 100),
        "decay_epochs": getattr(cfg, "decay_epochs", 30),
        "decay_milestones": getattr(cfg, "decay_milestones", [30, 60]),
        "warmup_epochs": getattr(cfg, "warmup_epochs", 5),
        "cooldown_epochs": getattr(cfg, "cooldown_epochs", 0),
        "patience_epochs": getattr(cfg, "patience_epochs", 10),
        "decay_rate": getattr(cfg, "decay_rate", 0.1),
        "min_lr": getattr(cfg, "min_lr", 0.0),
        "warmup_lr": getattr(cfg, "warmup_lr", 1e-5),
        "warmup_prefix": getattr(cfg, "warmup_prefix", False),
        "noise": getattr(cfg, "lr_noise", None),
        "noise_pct": getattr(cfg, "lr_noise_pct", 0.67),
        "noise_std": getattr(cfg, "lr_noise_std", 1.0),
        "noise_seed": getattr(cfg, "seed", 42),
        "cycle_mul": getattr(cfg, "lr_cycle_mul", 1.0),
        "cycle_decay": getattr(cfg, "lr_cycle_decay", 0.1),
        "cycle_limit": getattr(cfg, "lr_cycle_limit", 1),
        "k_decay": getattr(cfg, "lr_k_decay", 1.0),
        "decay_fn": getattr(cfg, "lr_decay_fn", None),
        "stable_timescale": getattr(cfg, "lr_stable_timescale", None),
        "plateau_mode": plateau_mode,
        "step_on_epochs": not getattr(cfg, "sched_on_updates", False),
    }


def _noise_range(noise: Any, t_initial: Any) -> Any:
    """``noise`` is given as fractions of the schedule length."""
    if noise is None:
        return None
    if isinstance(noise, (list, tuple)):
        noise_range = [n * t_initial for n in noise]
        return noise_range[0] if len(noise_range) == 1 else noise_range
    return noise * t_initial


class Choice(NamedTuple):
    """What ``create_scheduler_v2`` builds: the class (None for ``sched="none"``), its
    keyword arguments, and the cooldown in the scheduler's unit."""

    name: str | None
    kwargs: dict[str, Any]
    cooldown_t: Any


def choose_v2(arguments: dict[str, Any]) -> Choice:
    """``create_scheduler_v2``'s choice for all its arguments but the optimizer (defaults
    filled in), with timm's checks in timm's order."""
    a = SimpleNamespace(**arguments)
    sched, decay_epochs, decay_milestones = a.sched, a.decay_epochs, a.decay_milestones
    step_on_epochs, updates_per_epoch = a.step_on_epochs, a.updates_per_epoch
    if decay_epochs is None:
        decay_epochs = 0.2 if sched in ("wsd", "rsqrt") else 90
    t_initial, warmup_t, decay_t = a.num_epochs, a.warmup_epochs, decay_epochs
    cooldown_t, timescale_t = a.cooldown_epochs, a.stable_timescale
    if not step_on_epochs:
        _require(updates_per_epoch > 0, _NEEDS_UPDATES_PER_EPOCH)
        t_initial = t_initial * updates_per_epoch
        warmup_t = warmup_t * updates_per_epoch
        decay_t = decay_t * updates_per_epoch
        decay_milestones = [d * updates_per_epoch for d in decay_milestones]
        cooldown_t = cooldown_t * updates_per_epoch
        if timescale_t is not None:
            timescale_t = timescale_t * updates_per_epoch
    warmup = {"warmup_lr_init": a.warmup_lr, "warmup_t": warmup_t, "warmup_prefix": a.warmup_prefix}
    noise_args = {
        "noise_range_t": _noise_range(a.noise, t_initial),
        "noise_pct": a.noise_pct,
        "noise_std": a.noise_std,
        "noise_seed": a.noise_seed,
    }
    cycles = {"cycle_mul": a.cycle_mul, "cycle_decay": a.cycle_decay, "cycle_limit": a.cycle_limit}
    unit = {"t_in_epochs": step_on_epochs}
    decaying = {"t_initial": t_initial, "lr_min": a.min_lr, **unit, **cycles, **warmup}
    name: str | None
    if sched == "cosine":
        name, kwargs = "CosineLRScheduler", {**decaying, **noise_args, "k_decay": a.k_decay}
    elif sched == "tanh":
        name, kwargs = "TanhLRScheduler", {**decaying, **noise_args}
    elif sched == "step":
        name = "StepLRScheduler"
        kwargs = {"decay_t": decay_t, "decay_rate": a.decay_rate, **unit, **warmup, **noise_args}
    elif sched == "constant":
        # A step schedule that never decays: warmup and lr_scale still apply.
        name = "StepLRScheduler"
        kwargs = {"decay_t": 1, "decay_rate": 1.0, **unit, **warmup, **noise_args}
    elif sched == "multistep":
        name = "MultiStepLRScheduler"
        kwargs = {"decay_t": decay_milestones, "decay_rate": a.decay_rate, **unit, **warmup}
        kwargs.update(noise_args)
    elif sched == "plateau":
        _require(step_on_epochs, "Plateau LR only supports step per epoch.")
        del warmup["warmup_prefix"]
        name = "PlateauLRScheduler"
        kwargs = {"decay_rate": a.decay_rate, "patience_t": a.patience_epochs, "cooldown_t": 0}
        kwargs.update(warmup, lr_min=a.min_lr, mode=a.plateau_mode, **noise_args)
    elif sched == "poly":
        name = "PolyLRScheduler"
        kwargs = {"power": a.decay_rate, **decaying, "k_decay": a.k_decay, **noise_args}
    elif sched in ("wsd", "rsqrt"):
        name = "WSDLRScheduler"
        kwargs = _wsd_arguments(sched, t_initial, warmup_t, decay_epochs, decay_t, a.warmup_prefix)
        kwargs.update(
            lr_min=a.min_lr,
            stable_fn="rsqrt" if sched == "rsqrt" else "constant",
            stable_timescale=timescale_t,
            decay_fn=a.decay_fn or ("linear" if sched == "rsqrt" else "1-sqrt"),
            t_in_epochs=step_on_epochs,
            warmup_t=warmup_t,
            warmup_lr_init=a.warmup_lr,
            **noise_args,
        )
    elif sched != "none":
        raise ValueError(f"Unknown scheduler '{sched}'.")
    else:
        name, kwargs = None, {}
    return Choice(name, kwargs, cooldown_t)


_NEEDS_UPDATES_PER_EPOCH = "updates_per_epoch must be set to number of dataloader batches"


def _wsd_arguments(
    sched: str,
    t_initial: Any,
    warmup_t: Any,
    decay_epochs: Any,
    decay_t: Any,
    warmup_prefix: Any,
) -> dict[str, Any]:
    """WSD's ``t_initial`` and ``decay_t``: the warmup is always a prefix of WSD, so
    without ``warmup_prefix`` the stable and decay phases are fitted into num_epochs."""
    t_sched = t_initial if warmup_prefix else t_initial - warmup_t
    if 0 < decay_epochs < 1:
        decay_t = decay_epochs * t_sched  # a fraction of the stable + decay length
    decay_t = int(round(decay_t))  # noqa: RUF046 - timm casts, as here
    if not 0 < decay_t <= t_sched:
        limit = "" if warmup_prefix else " - warmup_epochs"
        raise ValueError(
            f"{sched} schedule requires 0 < decay_epochs <= epochs{limit}, "
            f"got decay {decay_t} and stable + decay length {t_sched}."
        )
    return {"t_initial": t_sched, "decay_t": decay_t}


def create_scheduler_v2(
    optimizer: Optimizer,
    sched: str = "cosine",
    num_epochs: int = 300,
    decay_epochs: float | None = None,
    decay_milestones: Any = (90, 180, 270),
    cooldown_epochs: int = 0,
    patience_epochs: int = 10,
    decay_rate: float = 0.1,
    min_lr: float = 0.0,
    warmup_lr: float = 1e-5,
    warmup_epochs: int = 0,
    warmup_prefix: bool = False,
    noise: Any = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
    cycle_mul: float = 1.0,
    cycle_decay: float = 0.1,
    cycle_limit: int = 1,
    k_decay: float = 1.0,
    decay_fn: str | None = None,
    stable_timescale: float | None = None,
    plateau_mode: str = "max",
    step_on_epochs: bool = True,
    updates_per_epoch: int = 0,
) -> tuple[Scheduler | None, Any]:
    arguments = dict(locals())  # every parameter but the optimizer goes to choose_v2
    del arguments["optimizer"]
    choice = choose_v2(arguments)
    scheduler = None
    if choice.name is not None:
        scheduler = TIMM_CLASSES[choice.name](optimizer, **choice.kwargs)
    if hasattr(scheduler, "get_cycle_length"):
        # Cycle schedulers (and WSD) count their cycles, warmup prefix and cooldown.
        total_t = scheduler.get_cycle_length() + choice.cooldown_t  # type: ignore[union-attr]
        return scheduler, total_t if step_on_epochs else total_t // updates_per_epoch
    if warmup_prefix:
        num_epochs += warmup_epochs
    return scheduler, num_epochs


def create_scheduler(args: Any, optimizer: Optimizer, updates_per_epoch: int = 0) -> Any:
    kwargs = scheduler_kwargs(args)
    return create_scheduler_v2(optimizer, **kwargs, updates_per_epoch=updates_per_epoch)


TIMM_FACTORIES = {fn.__name__: fn for fn in (create_scheduler, create_scheduler_v2)}

# Every timm name build() knows, prefixed "timm.", to its constructor (for signatures).
TIMM_CONSTRUCTORS: dict[str, Any] = {
    **{PREFIX + name: cls.__init__ for name, cls in TIMM_CLASSES.items()},
    **{PREFIX + name: fn for name, fn in TIMM_FACTORIES.items()},
}


def _with_defaults(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``create_scheduler_v2``'s arguments (optimizer aside), its defaults filled in."""
    code, defaults = create_scheduler_v2.__code__, create_scheduler_v2.__defaults__ or ()
    names = code.co_varnames[1 : code.co_argcount]
    return {**dict(zip(names[len(names) - len(defaults) :], defaults)), **kwargs}


def construct(name: str, optimizer: Optimizer, kwargs: dict[str, Any]) -> tuple[Scheduler, Any]:
    """The mirror scheduler ``name`` (prefixed) makes on ``optimizer``, and the factory's
    ``num_epochs`` (None for a class)."""
    short = name.removeprefix(PREFIX)
    if short in TIMM_CLASSES:
        return TIMM_CLASSES[short](optimizer, **kwargs), None
    if short == "create_scheduler":
        scheduler, num_epochs = create_scheduler(optimizer=optimizer, **kwargs)
    else:
        scheduler, num_epochs = create_scheduler_v2(optimizer, **kwargs)
    if scheduler is None:
        raise ScheduleError(
            f"{short}(sched='none') makes no scheduler: the LR stays at the optimizer's"
        )
    return scheduler, num_epochs


def chosen(name: str, kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The prefixed class name and its arguments that ``name(**kwargs)`` builds."""
    short = name.removeprefix(PREFIX)
    if short in TIMM_CLASSES:
        return name, dict(kwargs)
    if short == "create_scheduler":
        kwargs = dict(kwargs)
        factory_kwargs = scheduler_kwargs(kwargs.pop("args"))
        factory_kwargs.update(kwargs)
    else:
        factory_kwargs = dict(kwargs)
    choice = choose_v2(_with_defaults(factory_kwargs))
    if choice.name is None:
        raise ScheduleError(f"{short}(sched='none') makes no scheduler")
    return PREFIX + choice.name, choice.kwargs
