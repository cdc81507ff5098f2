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


class _Factor:
    """A picklable LR factor with a readable repr (the fields it was built from)."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({fields})"

    def __call__(self, step: int) -> float:
        raise NotImplementedError


class ConstantFactor(_Factor):
    def __call__(self, step: int) -> float:
        return 1


class ConstantWithWarmupFactor(_Factor):
    num_warmup_steps: int

    def __call__(self, step: int) -> float:
        if step < self.num_warmup_steps:
            return float(step) / float(max(1.0, self.num_warmup_steps))
        return 1.0


class LinearWithWarmupFactor(_Factor):
    num_warmup_steps: int
    num_training_steps: int

    def __call__(self, step: int) -> float:
        if step < self.num_warmup_steps:
            return _warmup(step, self.num_warmup_steps)
        remaining = float(self.num_training_steps - step)
        return max(
            0.0,
            remaining / float(max(1, self.num_training_steps - self.num_warmup_steps)),
        )


def _progress(step: int, num_warmup_steps: int, num_training_steps: int) -> float:
    """Fraction of the post-warmup phase done at ``step``."""
    return float(step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))


class CosineWithWarmupFactor(_Factor):
    num_warmup_steps: int
    num_training_steps: int
    num_cycles: float

    def __call__(self, step: int) -> float:
        if step < self.num_warmup_steps:
            return _warmup(step, self.num_warmup_steps)
        progress = _progress(step, self.num_warmup_steps, self.num_training_steps)
        angle = math.pi * float(self.num_cycles) * 2.0 * progress
        return max(0.0, 0.5 * (1.0 + math.cos(angle)))


class CosineHardRestartsFactor(_Factor):
    num_warmup_steps: int
    num_training_steps: int
    num_cycles: int

    def __call__(self, step: int) -> float:
        if step < self.num_warmup_steps:
            return _warmup(step, self.num_warmup_steps)
        progress = _progress(step, self.num_warmup_steps, self.num_training_steps)
        if progress >= 1.0:
            return 0.0
        within_cycle = (float(self.num_cycles) * progress) % 1.0
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * within_cycle)))


class PolynomialDecayFactor(_Factor):
    num_warmup_steps: int
    num_training_steps: int
    lr_end: float
    power: float
    lr_init: float

    def __call__(self, step: int) -> float:
        if step < self.num_warmup_steps:
            return _warmup(step, self.num_warmup_steps)
        # LambdaLR multiplies by the group's base LR, so the factor divides by lr_init.
        if step > self.num_training_steps:
            return self.lr_end / self.lr_init
        decay_steps = self.num_training_steps - self.num_warmup_steps
        pct_remaining = 1 - (step - self.num_warmup_steps) / decay_steps
        decayed = (self.lr_init - self.lr_end) * pct_remaining**self.power + self.lr_end
        return decayed / self.lr_init


class InverseSqrtFactor(_Factor):
    num_warmup_steps: int
    timescale: int

    def __call__(self, step: int) -> float:
        if step < self.num_warmup_steps:
            return _warmup(step, self.num_warmup_steps)
        shift = self.timescale - self.num_warmup_steps
        return 1.0 / math.sqrt((step + shift) / self.timescale)


def _shaped(kind: str, progress: float, num_cycles: float, rising: bool) -> float:
    """WSD's warmup (rising) or decay curve of type ``kind`` at ``progress``."""
    if kind == "linear":
        return progress if rising else 1.0 - progress
    if kind == "cosine":
        if rising:
            return 0.5 * (1.0 - math.cos(math.pi * progress))
        return 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
    if rising:  # "1-sqrt"
        return 1.0 - math.sqrt(1.0 - progress)
    return 1.0 - math.sqrt(progress)


class WarmupStableDecayFactor(_Factor):
    num_warmup_steps: int
    num_stable_steps: int
    num_decay_steps: int
    warmup_type: str
    decay_type: str
    min_lr_ratio: float
    num_cycles: float

    def __call__(self, step: int) -> float:
        warmup, stable = self.num_warmup_steps, self.num_stable_steps
        if step < warmup:
            progress = float(step) / float(max(1, warmup))
            factor = _shaped(self.warmup_type, progress, self.num_cycles, rising=True)
            return max(0.0, factor * (1.0 - self.min_lr_ratio) + self.min_lr_ratio)
        if step < warmup + stable:
            return 1.0
        if step < warmup + stable + self.num_decay_steps:
            progress = float(step - warmup - stable) / float(max(1, self.num_decay_steps))
            factor = _shaped(self.decay_type, progress, self.num_cycles, rising=False)
            return max(0.0, factor * (1.0 - self.min_lr_ratio) + self.min_lr_ratio)
        return self.min_lr_ratio


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
