"""The Hugging Face ``transformers`` warmup schedules, as LR-factor functions.

Each ``get_*`` function has the name and signature of its ``transformers.optimization``
counterpart and, like it, returns a ``LambdaLR`` (here the one of ``torch_mirror``) over
a factor of the step. The factors follow the documented definitions with the same
float operations, so values match transformers bit for bit.
"""

from __future__ import annotations

import math
from typing import Any

from lrlint.schedules.torch_mirror import LambdaLR, Optimizer


def _warmup(step: int, num_warmup_steps: int) -> float:
    """Linear warmup from 0: the factor at ``step < num_warmup_steps``."""
    return float(step) / float(max(1, num_warmup_steps))


def _steps_below(start: int, stop: int, limit: int) -> range:
    """The steps from ``start`` that are below ``stop`` (and below ``limit``)."""
    return range(start, max(start, min(stop, limit)))


class Factor:
    """An LR factor of the step, with a readable repr (the fields it was built from).

    ``table(n)`` gives the factors of steps ``0..n`` at once, with the same float
    operations as calling it step by step (phase by phase, for speed).
    """

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({fields})"

    def __call__(self, step: int) -> float:
        raise NotImplementedError

    def table(self, n: int) -> list[float]:
        return [self(k) for k in range(n + 1)]


class _WarmupFactor(Factor):
    """Linear warmup over ``num_warmup_steps``, then ``_after`` of the step."""

    num_warmup_steps: int
    # The fields that must be plain ints for the phase-by-phase table.
    _int_fields: tuple[str, ...] = ("num_warmup_steps",)

    def __call__(self, step: int) -> float:
        if step < self.num_warmup_steps:
            return _warmup(step, self.num_warmup_steps)
        return self._after(step)

    def _after(self, step: int) -> float:
        raise NotImplementedError

    def _after_table(self, steps: range) -> list[float]:
        return [self._after(k) for k in steps]

    def table(self, n: int) -> list[float]:
        if any(type(getattr(self, name)) is not int for name in self._int_fields):
            return super().table(n)
        rising = _steps_below(0, self.num_warmup_steps, n + 1)
        divisor = float(max(1, self.num_warmup_steps))
        return [float(k) / divisor for k in rising] + self._after_table(range(rising.stop, n + 1))


class ConstantFactor(Factor):
    def __call__(self, step: int) -> float:
        return 1

    def table(self, n: int) -> list[float]:
        return [1] * (n + 1)


class ConstantWithWarmupFactor(_WarmupFactor):
    def _after(self, step: int) -> float:
        return 1.0

    def _after_table(self, steps: range) -> list[float]:
        return [1.0] * len(steps)


class _DecayAfterWarmup(_WarmupFactor):
    """Warmup, then a decay over ``num_training_steps - num_warmup_steps`` steps."""

    num_training_steps: int
    _int_fields = ("num_warmup_steps", "num_training_steps")

    @property
    def _span(self) -> float:
        return float(max(1, self.num_training_steps - self.num_warmup_steps))

    def _progress(self, step: int) -> float:
        """Fraction of the post-warmup phase done at ``step``."""
        return float(step - self.num_warmup_steps) / self._span

    def _progress_table(self, steps: range) -> list[float]:
        warmup, span = self.num_warmup_steps, self._span
        return [float(k - warmup) / span for k in steps]


class LinearWithWarmupFactor(_DecayAfterWarmup):
    def _after(self, step: int) -> float:
        return max(0.0, float(self.num_training_steps - step) / self._span)

    def _after_table(self, steps: range) -> list[float]:
        total, span = self.num_training_steps, self._span
        # Nonnegative up to num_training_steps, where max(0.0, .) changes nothing.
        decaying = _steps_below(steps.start, total + 1, steps.stop)
        return [float(total - k) / span for k in decaying] + [0.0] * (len(steps) - len(decaying))


class CosineWithWarmupFactor(_DecayAfterWarmup):
    num_cycles: float

    def _after(self, step: int) -> float:
        angle = math.pi * float(self.num_cycles) * 2.0 * self._progress(step)
        return max(0.0, 0.5 * (1.0 + math.cos(angle)))

    def _after_table(self, steps: range) -> list[float]:
        cos, turns = math.cos, math.pi * float(self.num_cycles) * 2.0
        # 0.5 * (1 + cos) is never negative: max(0.0, .) changes nothing.
        return [0.5 * (1.0 + cos(turns * p)) for p in self._progress_table(steps)]


class CosineHardRestartsFactor(_DecayAfterWarmup):
    num_cycles: int

    def _after(self, step: int) -> float:
        progress = self._progress(step)
        if progress >= 1.0:
            return 0.0
        within_cycle = (float(self.num_cycles) * progress) % 1.0
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * within_cycle)))

    def _after_table(self, steps: range) -> list[float]:
        cos, pi, cycles = math.cos, math.pi, float(self.num_cycles)
        return [
            0.0 if p >= 1.0 else 0.5 * (1.0 + cos(pi * ((cycles * p) % 1.0)))
            for p in self._progress_table(steps)
        ]


class PolynomialDecayFactor(_DecayAfterWarmup):
    lr_end: float
    power: float
    lr_init: float

    def _after(self, step: int) -> float:
        # LambdaLR multiplies by the group's base LR, so the factor divides by lr_init.
        if step > self.num_training_steps:
            return self.lr_end / self.lr_init
        decay_steps = self.num_training_steps - self.num_warmup_steps
        pct_remaining = 1 - (step - self.num_warmup_steps) / decay_steps
        decayed = (self.lr_init - self.lr_end) * pct_remaining**self.power + self.lr_end
        return decayed / self.lr_init

    def _after_table(self, steps: range) -> list[float]:
        total, warmup, power = self.num_training_steps, self.num_warmup_steps, self.power
        lr_init, lr_end = self.lr_init, self.lr_end
        decay_steps, lr_range = total - warmup, lr_init - lr_end
        decaying = _steps_below(steps.start, total + 1, steps.stop)
        head = [
            (lr_range * (1 - (k - warmup) / decay_steps) ** power + lr_end) / lr_init
            for k in decaying
        ]
        return head + [lr_end / lr_init] * (len(steps) - len(decaying))


class InverseSqrtFactor(_WarmupFactor):
    timescale: int

    def _after(self, step: int) -> float:
        shift = self.timescale - self.num_warmup_steps
        return 1.0 / math.sqrt((step + shift) / self.timescale)

    def _after_table(self, steps: range) -> list[float]:
        sqrt, timescale = math.sqrt, self.timescale
        shift = timescale - self.num_warmup_steps
        return [1.0 / sqrt((k + shift) / timescale) for k in steps]


def _shaped(kind: str, progress: list[float], num_cycles: float, rising: bool) -> list[float]:
    """WSD's warmup (rising) or decay curve of type ``kind`` at each progress."""
    cos, pi, sqrt = math.cos, math.pi, math.sqrt
    if kind == "linear":
        return progress if rising else [1.0 - p for p in progress]
    if kind == "cosine":
        if rising:
            return [0.5 * (1.0 - cos(pi * p)) for p in progress]
        turns = pi * float(num_cycles) * 2.0
        return [0.5 * (1.0 + cos(turns * p)) for p in progress]
    if rising:  # "1-sqrt"
        return [1.0 - sqrt(1.0 - p) for p in progress]
    return [1.0 - sqrt(p) for p in progress]


class WarmupStableDecayFactor(Factor):
    num_warmup_steps: int
    num_stable_steps: int
    num_decay_steps: int
    warmup_type: str
    decay_type: str
    min_lr_ratio: float
    num_cycles: float

    def __call__(self, step: int) -> float:
        warmup, stable, decay = self.num_warmup_steps, self.num_stable_steps, self.num_decay_steps
        if step < warmup:
            progress = float(step) / float(max(1, warmup))
            return self._scaled(_shaped(self.warmup_type, [progress], self.num_cycles, True))[0]
        if step < warmup + stable:
            return 1.0
        if step < warmup + stable + decay:
            progress = float(step - warmup - stable) / float(max(1, decay))
            return self._scaled(_shaped(self.decay_type, [progress], self.num_cycles, False))[0]
        return self.min_lr_ratio

    def _scaled(self, factors: list[float]) -> list[float]:
        """Rescale [0, 1] to [min_lr_ratio, 1], never below 0."""
        floor_ratio = self.min_lr_ratio
        return [max(0.0, f * (1.0 - floor_ratio) + floor_ratio) for f in factors]

    def table(self, n: int) -> list[float]:
        phases = (self.num_warmup_steps, self.num_stable_steps, self.num_decay_steps)
        if any(type(length) is not int for length in phases):
            return super().table(n)
        warmup, stable, decay = phases
        rising = _steps_below(0, warmup, n + 1)
        progress = [float(k) / float(max(1, warmup)) for k in rising]
        out = self._scaled(_shaped(self.warmup_type, progress, self.num_cycles, True))
        plateau = _steps_below(rising.stop, warmup + stable, n + 1)
        out += [1.0] * len(plateau)
        falling = _steps_below(plateau.stop, warmup + stable + decay, n + 1)
        span = float(max(1, decay))
        progress = [float(k - warmup - stable) / span for k in falling]
        out += self._scaled(_shaped(self.decay_type, progress, self.num_cycles, False))
        return out + [self.min_lr_ratio] * (n + 1 - falling.stop)


def get_constant_schedule(optimizer: Optimizer, last_epoch: int = -1) -> LambdaLR:
    return LambdaLR(optimizer, ConstantFactor(), last_epoch=last_epoch)


def get_constant_schedule_with_warmup(
    optimizer: Optimizer, num_warmup_steps: int, last_epoch: int = -1
) -> LambdaLR:
    factor = ConstantWithWarmupFactor(num_warmup_steps=num_warmup_steps)
    return LambdaLR(optimizer, factor, last_epoch=last_epoch)


def get_linear_schedule_with_warmup(
    optimizer: Optimizer,
    num_warmup_steps: int,
    num_training_steps: int,
    last_epoch: int = -1,
) -> LambdaLR:
    factor = LinearWithWarmupFactor(
        num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps
    )
    return LambdaLR(optimizer, factor, last_epoch)


def get_cosine_schedule_with_warmup(
    optimizer: Optimizer,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float = 0.5,
    last_epoch: int = -1,
) -> LambdaLR:
    factor = CosineWithWarmupFactor(
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        num_cycles=num_cycles,
    )
    return LambdaLR(optimizer, factor, last_epoch)


def get_cosine_with_hard_restarts_schedule_with_warmup(
    optimizer: Optimizer,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: int = 1,
    last_epoch: int = -1,
) -> LambdaLR:
    factor = CosineHardRestartsFactor(
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        num_cycles=num_cycles,
    )
    return LambdaLR(optimizer, factor, last_epoch)


def get_polynomial_decay_schedule_with_warmup(
    optimizer: Optimizer,
    num_warmup_steps: int,
    num_training_steps: int,
    lr_end: float = 1e-7,
    power: float = 1.0,
    last_epoch: int = -1,
) -> LambdaLR:
    # transformers reads the optimizer's *default* lr, not the param groups'.
    lr_init = optimizer.defaults["lr"]
    if not (lr_init > lr_end):
        raise ValueError(f"lr_end ({lr_end}) must be smaller than initial lr ({lr_init})")
    factor = PolynomialDecayFactor(
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        lr_end=lr_end,
        power=power,
        lr_init=lr_init,
    )
    return LambdaLR(optimizer, factor, last_epoch)


def get_inverse_sqrt_schedule(
    optimizer: Optimizer,
    num_warmup_steps: int,
    timescale: int | None = None,
    last_epoch: int = -1,
) -> LambdaLR:
    if timescale is None:
        timescale = num_warmup_steps or 10_000
    factor = InverseSqrtFactor(num_warmup_steps=num_warmup_steps, timescale=timescale)
    return LambdaLR(optimizer, factor, last_epoch=last_epoch)


_WSD_SHAPES = ["linear", "cosine", "1-sqrt"]


def get_wsd_schedule(
    optimizer: Optimizer,
    num_warmup_steps: int,
    num_decay_steps: int,
    num_training_steps: int | None = None,
    num_stable_steps: int | None = None,
    warmup_type: str = "linear",
    decay_type: str = "cosine",
    min_lr_ratio: float = 0,
    num_cycles: float = 0.5,
    last_epoch: int = -1,
) -> LambdaLR:
    if num_training_steps is None and num_stable_steps is None:
        raise ValueError("Either num_training_steps or num_stable_steps must be specified.")
    if warmup_type not in _WSD_SHAPES:
        raise ValueError(
            f"Unknown warmup type: {warmup_type}, expected 'linear', 'cosine' or '1-sqrt'"
        )
    if decay_type not in _WSD_SHAPES:
        raise ValueError(
            f"Unknown decay type: {decay_type}, expected 'linear', 'cosine' or '1-sqrt'"
        )
    if num_stable_steps is None:
        num_stable_steps = num_training_steps - num_warmup_steps - num_decay_steps
    factor = WarmupStableDecayFactor(
        num_warmup_steps=num_warmup_steps,
        num_stable_steps=num_stable_steps,
        num_decay_steps=num_decay_steps,
        warmup_type=warmup_type,
        decay_type=decay_type,
        min_lr_ratio=min_lr_ratio,
        num_cycles=num_cycles,
    )
    return LambdaLR(optimizer, factor, last_epoch)


HF_FUNCTIONS = {
    fn.__name__: fn
    for fn in (
        get_constant_schedule,
        get_constant_schedule_with_warmup,
        get_linear_schedule_with_warmup,
        get_cosine_schedule_with_warmup,
        get_cosine_with_hard_restarts_schedule_with_warmup,
        get_polynomial_decay_schedule_with_warmup,
        get_inverse_sqrt_schedule,
        get_wsd_schedule,
    )
}
