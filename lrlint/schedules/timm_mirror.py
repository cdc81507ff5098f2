"""A pure-Python port of the LR arithmetic of ``timm.scheduler`` (timm 1.0.31).

Every class here has the name, ``__init__`` signature and validation of its timm
counterpart (``assert`` statements become ``AssertionError``, raised even under
``python -O``), and sets a stand-in optimizer's ``param_groups`` with the same float
operations in the same order, so the LRs are bit-identical to timm's. timm schedulers are
stateless functions of the time ``t`` their caller passes (``step(epoch)`` or
``step_update(num_updates)``), except ``PlateauLRScheduler``, which wraps torch's
``ReduceLROnPlateau`` (here the one of ``torch_mirror``).

What is deliberately left out: warnings and logging, ``state_dict``, and the LR noise.
timm draws its noise from a seeded ``torch.Generator``; the mirror does not draw it: it
leaves the LR noise-free and sets ``lr_is_noisy`` where timm would perturb a non-zero LR,
so the caller can refuse the value (:class:`NoiseNotModelled`). ``initialize=False`` on an
optimizer without ``initial_lr`` (timm: ``KeyError``; a resumed run that loaded the
optimizer's state, which lrlint cannot see) raises :class:`ResumeNotModelled`.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import Any

from lrlint.schedules.errors import ResumeNotModelled, ScheduleError
from lrlint.schedules.torch_mirror import Optimizer, ReduceLROnPlateau

TIMM_VERSION = "1.0.31"

NoiseRange = Sequence[float] | float | None


class NoiseNotModelled(ScheduleError):
    """The LR at some step carries timm's random noise (``noise_range_t``).

    The noise-free steps of the same schedule are modelled exactly; build it with
    ``noise_range_t=None`` (``noise=None`` for the factories) for the noise-free curve.
    """


def _require(condition: bool, message: str = "") -> None:
    """timm's ``assert condition``; the comparison itself raises as it does in timm."""
    if not condition:
        if message:
            raise AssertionError(message)
        raise AssertionError


class Scheduler:
    """timm's base class: ``initial_lr`` handling, ``step``/``step_update``, noise range."""

    def __init__(
        self,
        optimizer: Optimizer,
        param_group_field: str,
        t_in_epochs: bool = True,
        noise_range_t: NoiseRange = None,
        noise_type: str = "normal",
        noise_pct: float = 0.67,
        noise_std: float = 1.0,
        noise_seed: int | None = None,
        initialize: bool = True,
    ) -> None:
        self.optimizer = optimizer
        self.param_group_field = param_group_field
        initial_field = f"initial_{param_group_field}"
        for group in optimizer.param_groups:
            if initialize:
                group.setdefault(initial_field, group[param_group_field])
            elif initial_field not in group:
                raise ResumeNotModelled(
                    f"initialize=False resumes a run: timm then needs '{initial_field}' in "
                    "every param group (it raises KeyError on a fresh optimizer), and the "
                    "resumed LRs come from the loaded optimizer state, which lrlint cannot "
                    "see; only initialize=True is modelled"
                )
        self.base_values = [group[initial_field] for group in optimizer.param_groups]
        self.metric: Any = None
        self.t_in_epochs = t_in_epochs
        self.noise_range_t = noise_range_t
        self.noise_pct = noise_pct
        self.noise_type = noise_type
        self.noise_std = noise_std
        self.noise_seed = noise_seed if noise_seed is not None else 42
        # True while the LR in the param groups would carry timm's random noise.
        self.lr_is_noisy = False
        self.update_groups(self.base_values)

    def _get_lr(self, t: Any) -> list[Any]:
        raise NotImplementedError

    def _get_values(self, t: Any, on_epoch: bool = True) -> list[Any] | None:
        proceed = (on_epoch and self.t_in_epochs) or (not on_epoch and not self.t_in_epochs)
        if not proceed:
            return None
        return self._get_lr(t)

    def step(self, epoch: Any, metric: Any = None) -> None:
        self.metric = metric
        self._set(self._get_values(epoch, on_epoch=True), epoch)

    def step_update(self, num_updates: Any, metric: Any = None) -> None:
        self.metric = metric
        self._set(self._get_values(num_updates, on_epoch=False), num_updates)

    def _set(self, values: list[Any] | None, t: Any) -> None:
        if values is not None:
            self.lr_is_noisy = self.noise_changes(values, t)  # timm adds its noise here
            self.update_groups(values)

    def noise_changes(self, values: list[Any], t: Any) -> bool:
        """Whether timm's noise at ``t`` perturbs ``values``: v + v * noise leaves 0 at 0."""
        return self._is_apply_noise(t) and any(v != 0 for v in values)

    def update_groups(self, values: Any) -> None:
        if not isinstance(values, (list, tuple)):
            values = [values] * len(self.optimizer.param_groups)
        field = self.param_group_field
        for group, value in zip(self.optimizer.param_groups, values):
            group[field] = value * group["lr_scale"] if "lr_scale" in group else value

    def _is_apply_noise(self, t: Any) -> bool:
        if self.noise_range_t is None:
            return False
        if isinstance(self.noise_range_t, (list, tuple)):
            return self.noise_range_t[0] <= t < self.noise_range_t[1]
        return t >= self.noise_range_t

    # -- warmup, shared by every subclass ---------------------------------------------

    def _init_warmup(self, warmup_t: Any, warmup_lr_init: Any, targets: list[Any]) -> None:
        """Linear warmup from ``warmup_lr_init`` towards ``targets``, one slope per group."""
        self.warmup_t = warmup_t
        self.warmup_lr_init = warmup_lr_init
        if self.warmup_t:
            self.warmup_steps = [(v - warmup_lr_init) / self.warmup_t for v in targets]
            self.update_groups(self.warmup_lr_init)
        else:
            self.warmup_steps = [1 for _ in self.base_values]

    def _warmup_lrs(self, t: Any) -> list[Any]:
        return [self.warmup_lr_init + t * s for s in self.warmup_steps]

    def _init_decay(
        self, decay_t: Any, decay_rate: Any, warmup_t: Any, warmup_lr_init: Any, prefix: Any
    ) -> None:
        """Step and multistep: decay by ``decay_rate`` at ``decay_t``, after a warmup."""
        self.decay_t = decay_t
        self.decay_rate = decay_rate
        self.warmup_prefix = prefix
        self._init_warmup(warmup_t, warmup_lr_init, self.base_values)


class _CycleScheduler(Scheduler):
    """Cosine, poly and tanh: cycles of ``t_initial`` (times ``cycle_mul`` per cycle)."""

    t_initial: Any
    cycle_mul: Any
    warmup_prefix: Any

    def _cycle(self, t: Any) -> tuple[Any, Any, Any]:
        """(cycle index i, cycle length t_i, time within the cycle t_curr)."""
        mul = self.cycle_mul
        if mul != 1:
            i = math.floor(math.log(1 - t / self.t_initial * (1 - mul), mul))
            t_i = mul**i * self.t_initial
            t_curr = t - (1 - mul**i) / (1 - mul) * self.t_initial
        else:
            i = t // self.t_initial
            t_i = self.t_initial
            t_curr = t - (self.t_initial * i)
        return i, t_i, t_curr

    def _after_warmup(self, t: Any) -> Any:
        return t - self.warmup_t if self.warmup_prefix else t

    def _init_cycles(
        self, t_initial: Any, lr_min: Any, cycle_mul: Any, cycle_decay: Any, cycle_limit: Any
    ) -> None:
        _require(t_initial > 0)
        _require(lr_min >= 0)
        self.t_initial = t_initial
        self.lr_min = lr_min
        self.cycle_mul = cycle_mul
        self.cycle_decay = cycle_decay
        self.cycle_limit = cycle_limit

    def get_cycle_length(self, cycles: int = 0) -> Any:
        cycles = max(1, cycles or self.cycle_limit)
        if self.cycle_mul == 1.0:
            t = self.t_initial * cycles
        else:
            grown = -self.t_initial * (self.cycle_mul**cycles - 1) / (1 - self.cycle_mul)
            t = int(math.floor(grown))  # noqa: RUF046 - timm casts, as here
        return t + self.warmup_t if self.warmup_prefix else t


class CosineLRScheduler(_CycleScheduler):
    def __init__(
        self,
        optimizer: Optimizer,
        t_initial: int,
        lr_min: float = 0.0,
        cycle_mul: float = 1.0,
        cycle_decay: float = 1.0,
        cycle_limit: int = 1,
        warmup_t: int = 0,
        warmup_lr_init: float = 0.0,
        warmup_prefix: bool = False,
        t_in_epochs: bool = True,
        noise_range_t: NoiseRange = None,
        noise_pct: float = 0.67,
        noise_std: float = 1.0,
        noise_seed: int = 42,
        k_decay: float = 1.0,
        initialize: bool = True,
    ) -> None:
        noise = (noise_range_t, "normal", noise_pct, noise_std, noise_seed)
        super().__init__(optimizer, "lr", t_in_epochs, *noise, initialize)
        self._init_cycles(t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit)
        self.warmup_prefix = warmup_prefix
        self.k_decay = k_decay
        self._init_warmup(warmup_t, warmup_lr_init, self.base_values)

    def _get_lr(self, t: Any) -> list[Any]:
        if t < self.warmup_t:
            return self._warmup_lrs(t)
        i, t_i, t_curr = self._cycle(self._after_warmup(t))
        gamma = self.cycle_decay**i
        lr_max_values = [v * gamma for v in self.base_values]
        k, lr_min = self.k_decay, self.lr_min
        if i < self.cycle_limit:
            angle = math.pi * t_curr**k / t_i**k
            return [lr_min + 0.5 * (top - lr_min) * (1 + math.cos(angle)) for top in lr_max_values]
        return [lr_min for _ in self.base_values]


class PolyLRScheduler(_CycleScheduler):
    def __init__(
        self,
        optimizer: Optimizer,
        t_initial: int,
        power: float = 0.5,
        lr_min: float = 0.0,
        cycle_mul: float = 1.0,
        cycle_decay: float = 1.0,
        cycle_limit: int = 1,
        warmup_t: int = 0,
        warmup_lr_init: float = 0.0,
        warmup_prefix: bool = False,
        t_in_epochs: bool = True,
        noise_range_t: NoiseRange = None,
        noise_pct: float = 0.67,
        noise_std: float = 1.0,
        noise_seed: int = 42,
        k_decay: float = 1.0,
        initialize: bool = True,
    ) -> None:
        noise = (noise_range_t, "normal", noise_pct, noise_std, noise_seed)
        super().__init__(optimizer, "lr", t_in_epochs, *noise, initialize)
        self._init_cycles(t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit)
        self.power = power
        self.warmup_prefix = warmup_prefix
        self.k_decay = k_decay
        self._init_warmup(warmup_t, warmup_lr_init, self.base_values)

    def _get_lr(self, t: Any) -> list[Any]:
        if t < self.warmup_t:
            return self._warmup_lrs(t)
        i, t_i, t_curr = self._cycle(self._after_warmup(t))
        gamma = self.cycle_decay**i
        lr_max_values = [v * gamma for v in self.base_values]
        k, lr_min = self.k_decay, self.lr_min
        if i < self.cycle_limit:
            remaining = (1 - t_curr**k / t_i**k) ** self.power
            return [lr_min + (top - lr_min) * remaining for top in lr_max_values]
        return [lr_min for _ in self.base_values]


class TanhLRScheduler(_CycleScheduler):
    def __init__(
        self,
        optimizer: Optimizer,
        t_initial: int,
        lb: float = -7.0,
        ub: float = 3.0,
        lr_min: float = 0.0,
        cycle_mul: float = 1.0,
        cycle_decay: float = 1.0,
        cycle_limit: int = 1,
        warmup_t: int = 0,
        warmup_lr_init: float = 0.0,
        warmup_prefix: bool = False,
        t_in_epochs: bool = True,
        noise_range_t: NoiseRange = None,
        noise_pct: float = 0.67,
        noise_std: float = 1.0,
        noise_seed: int = 42,
        initialize: bool = True,
    ) -> None:
        noise = (noise_range_t, "normal", noise_pct, noise_std, noise_seed)
        super().__init__(optimizer, "lr", t_in_epochs, *noise, initialize)
        self._init_cycles(t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit)
        _require(lb < ub)
        _require(cycle_limit >= 0)
        _require(warmup_t >= 0)
        _require(warmup_lr_init >= 0)
        self.lb = lb
        self.ub = ub
        self.warmup_t = warmup_t
        self.warmup_prefix = warmup_prefix
        # Without a prefix a warmup climbs to the curve's value at warmup_t, which
        # _get_lr reads before warmup_steps exist (t == warmup_t is past the warmup).
        prefixed_or_none = warmup_prefix or not warmup_t
        targets = self.base_values if prefixed_or_none else self._get_lr(warmup_t)
        self._init_warmup(warmup_t, warmup_lr_init, targets)

    def _get_lr(self, t: Any) -> list[Any]:
        if t < self.warmup_t:
            return self._warmup_lrs(t)
        i, t_i, t_curr = self._cycle(self._after_warmup(t))
        if i < self.cycle_limit:
            gamma = self.cycle_decay**i
            lr_max_values = [v * gamma for v in self.base_values]
            tr = t_curr / t_i
            lr_min = self.lr_min
            drop = 1 - math.tanh(self.lb * (1.0 - tr) + self.ub * tr)
            return [lr_min + 0.5 * (top - lr_min) * drop for top in lr_max_values]
        return [self.lr_min for _ in self.base_values]


class StepLRScheduler(Scheduler):
    def __init__(
        self,
        optimizer: Optimizer,
        decay_t: float,
        decay_rate: float = 1.0,
        warmup_t: int = 0,
        warmup_lr_init: float = 0.0,
        warmup_prefix: bool = True,
        t_in_epochs: bool = True,
        noise_range_t: NoiseRange = None,
        noise_pct: float = 0.67,
        noise_std: float = 1.0,
        noise_seed: int = 42,
        initialize: bool = True,
    ) -> None:
        noise = (noise_range_t, "normal", noise_pct, noise_std, noise_seed)
        super().__init__(optimizer, "lr", t_in_epochs, *noise, initialize)
        self._init_decay(decay_t, decay_rate, warmup_t, warmup_lr_init, warmup_prefix)

    def _get_lr(self, t: Any) -> list[Any]:
        if t < self.warmup_t:
            return self._warmup_lrs(t)
        if self.warmup_prefix:
            t = t - self.warmup_t
        return [v * (self.decay_rate ** (t // self.decay_t)) for v in self.base_values]


class MultiStepLRScheduler(Scheduler):
    """Decays at ``t + 1`` reaching a milestone (timm's convention, unlike torch's
    MultiStepLR); ``decay_t`` is assumed sorted, as timm's ``bisect`` assumes."""

    def __init__(
        self,
        optimizer: Optimizer,
        decay_t: list[int],
        decay_rate: float = 1.0,
        warmup_t: int = 0,
        warmup_lr_init: float = 0.0,
        warmup_prefix: bool = True,
        t_in_epochs: bool = True,
        noise_range_t: NoiseRange = None,
        noise_pct: float = 0.67,
        noise_std: float = 1.0,
        noise_seed: int = 42,
        initialize: bool = True,
    ) -> None:
        noise = (noise_range_t, "normal", noise_pct, noise_std, noise_seed)
        super().__init__(optimizer, "lr", t_in_epochs, *noise, initialize)
        self._init_decay(decay_t, decay_rate, warmup_t, warmup_lr_init, warmup_prefix)

    def get_curr_decay_steps(self, t: Any) -> int:
        return bisect_right(self.decay_t, t + 1)

    def _get_lr(self, t: Any) -> list[Any]:
        if t < self.warmup_t:
            return self._warmup_lrs(t)
        if self.warmup_prefix:
            t = t - self.warmup_t
        decays = self.get_curr_decay_steps(t)
        return [v * (self.decay_rate**decays) for v in self.base_values]


class PlateauLRScheduler(Scheduler):
    """Warmup by epoch, then torch's ReduceLROnPlateau on the metric given to ``step``.

    Stateful (best metric, patience, cooldown), so it has no ``_get_lr``; it ignores
    ``step_update`` and moves on ``step(epoch, metric)`` alone. ``mode`` defaults to
    ``"max"``, unlike torch's ``"min"``.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        decay_rate: float = 0.1,
        patience_t: int = 10,
        threshold: float = 1e-4,
        cooldown_t: int = 0,
        warmup_t: int = 0,
        warmup_lr_init: float = 0.0,
        lr_min: float = 0.0,
        mode: str = "max",
        noise_range_t: NoiseRange = None,
        noise_type: str = "normal",
        noise_pct: float = 0.67,
        noise_std: float = 1.0,
        noise_seed: int | None = None,
        initialize: bool = True,
    ) -> None:
        super().__init__(
            optimizer,
            "lr",
            noise_range_t=noise_range_t,
            noise_type=noise_type,
            noise_pct=noise_pct,
            noise_std=noise_std,
            noise_seed=noise_seed,
            initialize=initialize,
        )
        self.lr_scheduler = ReduceLROnPlateau(
            self.optimizer,
            patience=patience_t,
            factor=decay_rate,
            threshold=threshold,
            cooldown=cooldown_t,
            mode=mode,
            min_lr=lr_min,
        )
        self._init_warmup(warmup_t, warmup_lr_init, self.base_values)
        self.restore_lr: list[float] | None = None

    def step(self, epoch: Any, metric: Any = None) -> None:
        if epoch <= self.warmup_t:  # <=, unlike the other schedulers' t < warmup_t
            self.update_groups(self._warmup_lrs(epoch))
            self.lr_is_noisy = False
            return
        if self.restore_lr is not None:
            # timm undoes its last noise before the plateau logic sees the LR.
            for group, lr in zip(self.optimizer.param_groups, self.restore_lr):
                group["lr"] = lr
            self.restore_lr = None
            self.lr_is_noisy = False
        if metric is not None:
            self.lr_scheduler.step(metric)
        if self._is_apply_noise(epoch):
            self.restore_lr = [float(group["lr"]) for group in self.optimizer.param_groups]
            self.lr_is_noisy = any(lr != 0 for lr in self.restore_lr)

    def step_update(self, num_updates: Any, metric: Any = None) -> None:
        return None


class WSDLRScheduler(Scheduler):
    """Warmup, a stable phase, then a decay to ``lr_min`` over the last ``decay_t``."""

    _STABLE_FNS = ("constant", "rsqrt", "power")
    _DECAY_FNS = ("linear", "1-sqrt", "cosine", "power", "exp")

    def __init__(
        self,
        optimizer: Optimizer,
        t_initial: int,
        decay_t: int,
        lr_min: float = 0.0,
        stable_fn: str = "constant",
        stable_timescale: float | None = None,
        stable_power: float = 0.5,
        decay_fn: str | Callable[[float], float] = "1-sqrt",
        decay_power: float = 0.5,
        decay_ratio: float = 0.1,
        warmup_t: int = 0,
        warmup_lr_init: float = 0.0,
        t_in_epochs: bool = True,
        noise_range_t: NoiseRange = None,
        noise_pct: float = 0.67,
        noise_std: float = 1.0,
        noise_seed: int = 42,
        initialize: bool = True,
    ) -> None:
        noise = (noise_range_t, "normal", noise_pct, noise_std, noise_seed)
        super().__init__(optimizer, "lr", t_in_epochs, *noise, initialize)
        checks = (t_initial, decay_t, lr_min, stable_fn, stable_timescale, stable_power)
        stable_timescale = self._validate(*checks, decay_fn, decay_power, decay_ratio, warmup_t)
        self.t_initial = t_initial
        self.decay_t = decay_t
        self.lr_min = lr_min
        self.stable_fn = stable_fn
        self.stable_timescale = stable_timescale
        self.stable_power = stable_power
        self.decay_fn = decay_fn
        self.decay_power = decay_power
        self.decay_ratio = decay_ratio
        self._init_warmup(warmup_t, warmup_lr_init, self.base_values)

    def _validate(
        self,
        t_initial: Any,
        decay_t: Any,
        lr_min: Any,
        stable_fn: Any,
        stable_timescale: Any,
        stable_power: Any,
        decay_fn: Any,
        decay_power: Any,
        decay_ratio: Any,
        warmup_t: Any,
    ) -> Any:
        """timm's checks, in timm's order; returns the stable timescale in use."""
        if t_initial <= 0:
            raise ValueError(f"Invalid t_initial ({t_initial}), must be > 0.")
        if not 0 < decay_t <= t_initial:
            raise ValueError(
                f"Invalid decay_t ({decay_t}), must be in (0, t_initial] w/ t_initial={t_initial}."
            )
        if lr_min < 0:
            raise ValueError(f"Invalid lr_min ({lr_min}), must be >= 0.")
        if stable_fn not in self._STABLE_FNS:
            raise ValueError(f"Invalid stable_fn ({stable_fn}), must be one of {self._STABLE_FNS}.")
        if isinstance(decay_fn, str) and decay_fn not in self._DECAY_FNS:
            raise ValueError(
                f"Invalid decay_fn ({decay_fn}), must be one of {self._DECAY_FNS} or a callable."
            )
        if not 0.0 < decay_ratio < 1.0:
            raise ValueError(f"Invalid decay_ratio ({decay_ratio}), must be in (0, 1).")
        if decay_power <= 0:
            raise ValueError(f"Invalid decay_power ({decay_power}), must be > 0.")
        if stable_power <= 0:
            raise ValueError(f"Invalid stable_power ({stable_power}), must be > 0.")
        if stable_fn != "constant":
            if stable_timescale is None:
                stable_timescale = warmup_t
            if stable_timescale <= 0:
                raise ValueError(
                    f"stable_fn={stable_fn} requires a positive stable_timescale, it defaults "
                    f"to warmup_t ({warmup_t}), set it explicitly when there is no warmup."
                )
        return stable_timescale

    def _stable(self, t_s: Any) -> Any:
        if self.stable_fn == "constant":
            return 1.0
        power = 0.5 if self.stable_fn == "rsqrt" else self.stable_power
        return (1.0 + t_s / self.stable_timescale) ** -power

    def _decay(self, frac: Any) -> Any:
        fn = self.decay_fn
        if callable(fn):
            return fn(frac)
        if fn == "linear":
            return 1.0 - frac
        if fn == "1-sqrt":
            return 1.0 - math.sqrt(frac)
        if fn == "cosine":
            return 0.5 * (1.0 + math.cos(math.pi * frac))
        if fn == "power":
            return 1.0 - frac**self.decay_power
        r = self.decay_ratio  # "exp": r ** frac, rescaled to end at 0
        return (r**frac - r) / (1.0 - r)

    def _get_lr(self, t: Any) -> list[Any]:
        if t < self.warmup_t:
            return self._warmup_lrs(t)
        t_s = t - self.warmup_t
        # A decaying stable phase never goes below lr_min.
        stable_lrs = [max(v * self._stable(t_s), self.lr_min) for v in self.base_values]
        t_decay = t_s - (self.t_initial - self.decay_t)
        if t_decay <= 0:
            return stable_lrs
        decay = self._decay(min(t_decay / self.decay_t, 1.0))
        return [self.lr_min + (lr - self.lr_min) * decay for lr in stable_lrs]

    def get_cycle_length(self, cycles: int = 0) -> Any:
        return self.warmup_t + self.t_initial


TIMM_CLASSES: dict[str, type[Scheduler]] = {
    cls.__name__: cls
    for cls in (
        CosineLRScheduler,
        StepLRScheduler,
        MultiStepLRScheduler,
        PlateauLRScheduler,
        PolyLRScheduler,
        TanhLRScheduler,
        WSDLRScheduler,
    )
}
