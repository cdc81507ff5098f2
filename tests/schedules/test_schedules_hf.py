"""The Hugging Face schedules against their documented definitions.

transformers is not installed: each expected curve is written here from the
definition in the transformers documentation ("linear warmup from 0 to the initial lr
over num_warmup_steps, then ..."), independently of lrlint's implementation.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlint.schedules import build, signature

SETTINGS = settings(max_examples=60, deadline=None)

warmups = st.integers(0, 300)
trainings = st.integers(1, 1500)
base_lrs = st.floats(1e-4, 1.0)


def warmup(k: int, w: int) -> float:
    """Documented warmup: linear from 0 to the initial lr over ``w`` steps."""
    return k / max(1, w)


def check(
    name: str, base_lr: float, n: int, expected: Callable[[int], float], **kwargs: object
) -> None:
    """``build(name, ...)`` equals ``base_lr * expected(k)`` for k < n, in two groups too."""
    values = build(name, base_lr, **kwargs).values(n)
    want = [base_lr * expected(k) for k in range(n)]
    for k, (got, w) in enumerate(zip(values, want, strict=True)):
        assert math.isclose(got, w, rel_tol=1e-9, abs_tol=1e-15), (k, got, w)
    grouped = build(name, [base_lr, base_lr / 2], **kwargs).values(n)
    assert [row[0] for row in grouped] == values
    assert all(
        math.isclose(row[1], v / 2, rel_tol=1e-9, abs_tol=1e-15) for row, v in zip(grouped, values)
    )


@SETTINGS
@given(base_lr=base_lrs, n=st.integers(1, 500))
def test_constant_schedule(base_lr: float, n: int) -> None:
    check("get_constant_schedule", base_lr, n, lambda k: 1.0)


@SETTINGS
@given(base_lr=base_lrs, w=warmups, n=st.integers(1, 800))
def test_constant_schedule_with_warmup(base_lr: float, w: int, n: int) -> None:
    check(
        "get_constant_schedule_with_warmup",
        base_lr,
        n,
        lambda k: warmup(k, w) if k < w else 1.0,
        num_warmup_steps=w,
    )


@SETTINGS
@given(base_lr=base_lrs, w=warmups, t=trainings, extra=st.integers(1, 300))
def test_linear_schedule_with_warmup(base_lr: float, w: int, t: int, extra: int) -> None:
    def linear(k: int) -> float:
        # "decreases linearly from the initial lr to 0", and stays at 0 after training.
        return warmup(k, w) if k < w else max(0.0, (t - k) / max(1, t - w))

    check(
        "get_linear_schedule_with_warmup",
        base_lr,
        t + extra,
        linear,
        num_warmup_steps=w,
        num_training_steps=t,
    )


@SETTINGS
@given(
    base_lr=base_lrs,
    w=warmups,
    t=trainings,
    cycles=st.floats(0.1, 3.0) | st.just(0.5),
    extra=st.integers(1, 300),
)
def test_cosine_schedule_with_warmup(
    base_lr: float, w: int, t: int, cycles: float, extra: int
) -> None:
    def cosine(k: int) -> float:
        # "num_cycles waves of cosine between the initial lr and 0" (0.5: half a cosine).
        if k < w:
            return warmup(k, w)
        progress = (k - w) / max(1, t - w)
        return max(0.0, (1 + math.cos(2 * math.pi * cycles * progress)) / 2)

    check(
        "get_cosine_schedule_with_warmup",
        base_lr,
        t + extra,
        cosine,
        num_warmup_steps=w,
        num_training_steps=t,
        num_cycles=cycles,
    )


@SETTINGS
@given(
    base_lr=base_lrs, w=warmups, t=trainings, cycles=st.integers(1, 6), extra=st.integers(1, 300)
)
def test_cosine_with_hard_restarts(base_lr: float, w: int, t: int, cycles: int, extra: int) -> None:
    def restarts(k: int) -> float:
        # num_cycles half-cosines from the initial lr to 0, each restarting at the top.
        if k < w:
            return warmup(k, w)
        progress = (k - w) / max(1, t - w)
        if progress >= 1:
            return 0.0
        within = math.fmod(cycles * progress, 1.0)
        return (1 + math.cos(math.pi * within)) / 2

    check(
        "get_cosine_with_hard_restarts_schedule_with_warmup",
        base_lr,
        t + extra,
        restarts,
        num_warmup_steps=w,
        num_training_steps=t,
        num_cycles=cycles,
    )


@SETTINGS
@given(
    base_lr=st.floats(1e-3, 1.0),
    w=warmups,
    decay=st.integers(1, 1000),
    end_ratio=st.floats(0.0, 0.9),
    power=st.floats(0.5, 3.0),
    extra=st.integers(1, 300),
)
def test_polynomial_decay_schedule_with_warmup(
    base_lr: float, w: int, decay: int, end_ratio: float, power: float, extra: int
) -> None:
    t = w + decay
    lr_end = base_lr * end_ratio

    def polynomial(k: int) -> float:
        # From the initial lr down to lr_end as (remaining fraction) ** power, then lr_end.
        if k < w:
            return warmup(k, w)
        if k > t:
            return lr_end / base_lr
        remaining = 1 - (k - w) / (t - w)
        return ((base_lr - lr_end) * remaining**power + lr_end) / base_lr

    check(
        "get_polynomial_decay_schedule_with_warmup",
        base_lr,
        t + extra,
        polynomial,
        num_warmup_steps=w,
        num_training_steps=t,
        lr_end=lr_end,
        power=power,
    )


@SETTINGS
@given(
    base_lr=base_lrs, w=warmups, timescale=st.none() | st.integers(1, 500), n=st.integers(1, 1500)
)
def test_inverse_sqrt_schedule(base_lr: float, w: int, timescale: int | None, n: int) -> None:
    scale = timescale if timescale is not None else (w or 10_000)

    def inverse_sqrt(k: int) -> float:
        # After warmup: 1 / sqrt((k - w + timescale) / timescale); timescale defaults to w.
        return warmup(k, w) if k < w else math.sqrt(scale / (k - w + scale))

    check(
        "get_inverse_sqrt_schedule",
        base_lr,
        n,
        inverse_sqrt,
        num_warmup_steps=w,
        timescale=timescale,
    )


SHAPES = ["linear", "cosine", "1-sqrt"]


@SETTINGS
@given(
    base_lr=base_lrs,
    w=warmups,
    stable=st.integers(0, 500),
    decay=st.integers(0, 500),
    warmup_type=st.sampled_from(SHAPES),
    decay_type=st.sampled_from(SHAPES),
    floor=st.floats(0.0, 0.5),
    cycles=st.just(0.5) | st.floats(0.25, 1.0),
    by_total=st.booleans(),
    extra=st.integers(1, 200),
)
def test_wsd_schedule(
    base_lr: float,
    w: int,
    stable: int,
    decay: int,
    warmup_type: str,
    decay_type: str,
    floor: float,
    cycles: float,
    by_total: bool,
    extra: int,
) -> None:
    def rise(p: float) -> float:
        return {
            "linear": p,
            "cosine": (1 - math.cos(math.pi * p)) / 2,
            "1-sqrt": 1 - math.sqrt(1 - p),
        }[warmup_type]

    def fall(p: float) -> float:
        return {
            "linear": 1 - p,
            "cosine": (1 + math.cos(2 * math.pi * cycles * p)) / 2,
            "1-sqrt": 1 - math.sqrt(p),
        }[decay_type]

    def wsd(k: int) -> float:
        # Warmup from min_lr_ratio to 1, stable at 1, decay back to min_lr_ratio, then stay.
        if k < w:
            return max(0.0, floor + (1 - floor) * rise(k / max(1, w)))
        if k < w + stable:
            return 1.0
        if k < w + stable + decay:
            return max(0.0, floor + (1 - floor) * fall((k - w - stable) / max(1, decay)))
        return floor

    steps = {"num_training_steps": w + stable + decay} if by_total else {"num_stable_steps": stable}
    check(
        "get_wsd_schedule",
        base_lr,
        w + stable + decay + extra,
        wsd,
        num_warmup_steps=w,
        num_decay_steps=decay,
        warmup_type=warmup_type,
        decay_type=decay_type,
        min_lr_ratio=floor,
        num_cycles=cycles,
        **steps,
    )


def test_polynomial_decay_reads_the_optimizer_default_lr() -> None:
    """transformers divides by optimizer.defaults["lr"], not by each group's LR."""
    kwargs = {"num_warmup_steps": 0, "num_training_steps": 10, "lr_end": 0.01}
    schedule = build(
        "get_polynomial_decay_schedule_with_warmup",
        [0.1, 0.5],
        optimizer_defaults={"lr": 0.1, "momentum": 0.0},
        **kwargs,
    )
    last = schedule.values(12)[-1]
    assert last[0] == pytest.approx(0.01)
    assert last[1] == pytest.approx(0.05)  # the end LR, scaled like the group's base LR


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        (
            "get_polynomial_decay_schedule_with_warmup",
            {"num_warmup_steps": 0, "num_training_steps": 10, "lr_end": 0.1},
            "lr_end (0.1) must be smaller than initial lr (0.1)",
        ),
        (
            "get_wsd_schedule",
            {"num_warmup_steps": 1, "num_decay_steps": 2},
            "Either num_training_steps or num_stable_steps must be specified.",
        ),
        (
            "get_wsd_schedule",
            {
                "num_warmup_steps": 1,
                "num_decay_steps": 2,
                "num_stable_steps": 3,
                "warmup_type": "exp",
            },
            "Unknown warmup type: exp, expected 'linear', 'cosine' or '1-sqrt'",
        ),
        (
            "get_wsd_schedule",
            {
                "num_warmup_steps": 1,
                "num_decay_steps": 2,
                "num_stable_steps": 3,
                "decay_type": "step",
            },
            "Unknown decay type: step, expected 'linear', 'cosine' or '1-sqrt'",
        ),
    ],
)
def test_documented_errors(name: str, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        build(name, 0.1, **kwargs)
    assert str(raised.value) == message


def test_missing_argument_is_a_type_error_naming_the_function() -> None:
    with pytest.raises(TypeError) as raised:
        build("get_linear_schedule_with_warmup", 0.1, num_warmup_steps=3)
    assert str(raised.value) == (
        "get_linear_schedule_with_warmup() missing 1 required positional argument: "
        "'num_training_steps'"
    )


# The documented signatures (transformers.optimization), optimizer excluded.
DOCUMENTED = {
    "get_constant_schedule": ["last_epoch"],
    "get_constant_schedule_with_warmup": ["num_warmup_steps", "last_epoch"],
    "get_linear_schedule_with_warmup": ["num_warmup_steps", "num_training_steps", "last_epoch"],
    "get_cosine_schedule_with_warmup": [
        "num_warmup_steps",
        "num_training_steps",
        "num_cycles",
        "last_epoch",
    ],
    "get_cosine_with_hard_restarts_schedule_with_warmup": [
        "num_warmup_steps",
        "num_training_steps",
        "num_cycles",
        "last_epoch",
    ],
    "get_polynomial_decay_schedule_with_warmup": [
        "num_warmup_steps",
        "num_training_steps",
        "lr_end",
        "power",
        "last_epoch",
    ],
    "get_inverse_sqrt_schedule": ["num_warmup_steps", "timescale", "last_epoch"],
    "get_wsd_schedule": [
        "num_warmup_steps",
        "num_decay_steps",
        "num_training_steps",
        "num_stable_steps",
        "warmup_type",
        "decay_type",
        "min_lr_ratio",
        "num_cycles",
        "last_epoch",
    ],
}


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_signature_follows_the_documentation(name: str) -> None:
    assert [p.name for p in signature(name)] == DOCUMENTED[name]
