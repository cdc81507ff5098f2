"""Differential tests: lrlint.schedules against real torch schedulers, on the CPU.

For hypothesis-generated arguments of every scheduler class, the loop
``optimizer.step(); scheduler.step()`` over an SGD optimizer with several param groups
must give the same LRs as ``Schedule.values(n)`` (relative error <= 1e-9), or raise
the same exception type with the same message. ``Schedule.iter()`` (which always
steps the mirror) must agree bit for bit with ``values()`` (which uses the fast paths).
"""

from __future__ import annotations

import os
from itertools import islice
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schedules_reference import Spec, assert_close_rows, lrlint_schedule, outcome, torch_values

pytest.importorskip("torch")  # every test here compares with torch

# Raise for a deeper run: LRLINT_SCHEDULE_EXAMPLES=500 pytest tests/schedules
EXAMPLES = int(os.environ.get("LRLINT_SCHEDULE_EXAMPLES", "40"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

lrs = st.floats(1e-4, 1.0)
base_lr_lists = st.lists(lrs, min_size=1, max_size=3)
steps = st.integers(1, 2500)
factors = st.floats(0.0, 1.0)


def compare(spec: Spec, base_lrs: list[float], n: int, **extra: Any) -> None:
    """torch and lrlint agree on ``spec`` for ``n`` steps: same LRs or same error."""
    kind = extra.pop("kind", "SGD")
    metrics = extra.pop("metrics", None)
    expected = outcome(lambda: torch_values(spec, base_lrs, n, kind, metrics))
    nested = len(base_lrs) > 1
    base = base_lrs if nested else base_lrs[0]

    def ours() -> list[list[float]]:
        schedule = lrlint_schedule(spec, base, **extra)
        values = schedule.values(n, metrics=metrics)
        mirrored = list(islice(schedule.iter(metrics=metrics), n))
        # repr compares floats exactly and treats nan as equal to itself (a ConstantLR with a
        # subnormal factor inside a ChainedScheduler reaches nan in torch too).
        assert repr(mirrored) == repr(values), "iter() and values() differ"
        return values if nested else [[v] for v in values]

    actual = outcome(ours)
    assert actual[0] == expected[0], f"torch: {expected}\nlrlint: {actual}"
    if expected[0] == "raise":
        assert actual[1] == expected[1]
    else:
        assert_close_rows(actual[1], expected[1])


# -- lambdas: built from drawn parameters, shared by the torch and lrlint runs ----------


@st.composite
def lr_lambdas(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(["power", "inverse", "linear", "warmup", "step"]))
    a = draw(st.floats(0.5, 1.0))
    width = draw(st.integers(1, 300))
    if kind == "power":
        return lambda k: a**k
    if kind == "inverse":
        return lambda k: 1 / (1 + (1 - a) * k)
    if kind == "linear":
        return lambda k: max(0.0, 1 - k / width)
    if kind == "warmup":
        return lambda k: min(1.0, (k + 1) / width)
    return lambda k: a ** (k // width)


@st.composite
def lambda_args(draw: st.DrawFn, groups: int) -> Any:
    if draw(st.booleans()):
        return draw(lr_lambdas())
    return [draw(lr_lambdas()) for _ in range(groups)]


@st.composite
def multiplier_args(draw: st.DrawFn, groups: int) -> Any:
    def one() -> Any:
        a = draw(st.floats(0.9, 1.05))
        every = draw(st.integers(1, 50))
        return lambda k: a if k % every == 0 else 1.0

    return one() if draw(st.booleans()) else [one() for _ in range(groups)]


def per_group(draw: st.DrawFn, values: st.SearchStrategy[Any], groups: int) -> Any:
    """A scalar or a list with one value per group (the argument forms torch takes)."""
    if draw(st.booleans()):
        return draw(values)
    return [draw(values) for _ in range(groups)]


# -- one strategy of valid keyword arguments per class ----------------------------------


def step_lr(draw: st.DrawFn, groups: int) -> dict[str, Any]:
    return {
        "step_size": draw(st.integers(1, 300) | st.integers(-20, -1)),
        "gamma": draw(st.floats(0.01, 1.5)),
    }


def multi_step_lr(draw: st.DrawFn, groups: int) -> dict[str, Any]:
    return {
        "milestones": draw(st.lists(st.integers(0, 2500), max_size=8)),
        "gamma": draw(st.floats(0.01, 1.2)),
    }


def constant_lr(draw: st.DrawFn, groups: int) -> dict[str, Any]:
    return {"factor": draw(factors), "total_iters": draw(st.integers(-2, 400))}


def linear_lr(draw: st.DrawFn, groups: int) -> dict[str, Any]:
    return {
        "start_factor": draw(st.floats(1e-3, 1.0)),
        "end_factor": draw(factors),
        "total_iters": draw(st.integers(-2, 400)),
    }


def exponential_lr(draw: st.DrawFn, groups: int) -> dict[str, Any]:
    return {"gamma": draw(st.floats(0.9, 1.01))}


def polynomial_lr(draw: st.DrawFn, groups: int) -> dict[str, Any]:
    return {"total_iters": draw(st.integers(-1, 400)), "power": draw(st.floats(0.0, 4.0))}


def cosine_annealing_lr(draw: st.DrawFn, groups: int) -> dict[str, Any]:
    return {"T_max": draw(st.integers(1, 400)), "eta_min": draw(st.floats(0.0, 0.5))}


def cosine_annealing_warm_restarts(draw: st.DrawFn, groups: int) -> dict[str, Any]:
    return {
        "T_0": draw(st.integers(1, 100)),
        "T_mult": draw(st.integers(1, 3)),
        "eta_min": draw(st.floats(0.0, 0.5)),
    }


def cyclic_lr(draw: st.DrawFn, groups: int) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "base_lr": per_group(draw, st.floats(1e-4, 0.1), groups),
        "max_lr": per_group(draw, st.floats(0.01, 1.0), groups),
        "step_size_up": draw(st.integers(1, 200)),
        "step_size_down": draw(st.none() | st.integers(0, 200)),
        "mode": draw(st.sampled_from(["triangular", "triangular2", "exp_range"])),
        "gamma": draw(st.floats(0.99, 1.0)),
        "cycle_momentum": draw(st.booleans()),
    }
    if draw(st.booleans()):
        decay = draw(st.floats(0.5, 1.0))
        kwargs["scale_fn"] = lambda x: decay**x
        kwargs["scale_mode"] = draw(st.sampled_from(["cycle", "iterations"]))
    return kwargs


def one_cycle_lr(draw: st.DrawFn, groups: int) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "max_lr": per_group(draw, st.floats(0.01, 1.0), groups),
        "pct_start": draw(st.floats(0.0, 1.0)),
        "anneal_strategy": draw(st.sampled_from(["cos", "linear"])),
        "div_factor": draw(st.floats(1.0, 100.0)),
        "final_div_factor": draw(st.floats(1.0, 1e4)),
        "three_phase": draw(st.booleans()),
        "cycle_momentum": draw(st.booleans()),
    }
    if draw(st.booleans()):
        kwargs["total_steps"] = draw(st.integers(1, 2500))
    else:
        kwargs["epochs"] = draw(st.integers(1, 20))
        kwargs["steps_per_epoch"] = draw(st.integers(1, 100))
    return kwargs


def swalr(draw: st.DrawFn, groups: int) -> dict[str, Any]:
    return {
        "swa_lr": per_group(draw, lrs, groups),
        "anneal_epochs": draw(st.integers(0, 60)),
        "anneal_strategy": draw(st.sampled_from(["cos", "linear"])),
    }


def lambda_lr(draw: st.DrawFn, groups: int) -> dict[str, Any]:
    return {"lr_lambda": draw(lambda_args(groups))}


def multiplicative_lr(draw: st.DrawFn, groups: int) -> dict[str, Any]:
    return {"lr_lambda": draw(multiplier_args(groups))}


SIMPLE = {
    "LambdaLR": lambda_lr,
    "MultiplicativeLR": multiplicative_lr,
    "StepLR": step_lr,
    "MultiStepLR": multi_step_lr,
    "ConstantLR": constant_lr,
    "LinearLR": linear_lr,
    "ExponentialLR": exponential_lr,
    "PolynomialLR": polynomial_lr,
    "CosineAnnealingLR": cosine_annealing_lr,
    "CosineAnnealingWarmRestarts": cosine_annealing_warm_restarts,
    "CyclicLR": cyclic_lr,
    "OneCycleLR": one_cycle_lr,
    "SWALR": swalr,
}


@pytest.mark.parametrize("name", sorted(SIMPLE))
@SETTINGS
@given(data=st.data(), base_lrs=base_lr_lists, n=steps)
def test_simple_scheduler_matches_torch(
    name: str, data: st.DataObject, base_lrs: list[float], n: int
) -> None:
    kwargs = data.draw(st.composite(lambda draw: SIMPLE[name](draw, len(base_lrs)))())
    compare(Spec(name, kwargs), base_lrs, n)


# -- composites: every child class, in every position --------------------------------

CHAINABLE = [
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ConstantLR",
    "LinearLR",
    "ExponentialLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "SWALR",
]
ANY_CHILD = [*CHAINABLE, "CyclicLR", "OneCycleLR"]


@st.composite
def child_specs(draw: st.DrawFn, groups: int, names: list[str]) -> Spec:
    name = draw(st.sampled_from(names))
    return Spec(name, draw(st.composite(lambda d: SIMPLE[name](d, groups))()))


@SETTINGS
@given(data=st.data(), base_lrs=base_lr_lists, n=st.integers(1, 600))
def test_sequential_lr_matches_torch(data: st.DataObject, base_lrs: list[float], n: int) -> None:
    groups = len(base_lrs)
    children = data.draw(st.lists(child_specs(groups, ANY_CHILD), min_size=1, max_size=3))
    milestones = sorted(
        data.draw(
            st.lists(st.integers(0, 400), min_size=len(children) - 1, max_size=len(children) - 1)
        )
    )
    compare(Spec("SequentialLR", {"milestones": milestones}, children), base_lrs, n)


@SETTINGS
@given(data=st.data(), base_lrs=base_lr_lists, n=st.integers(1, 600))
def test_chained_scheduler_matches_torch(
    data: st.DataObject, base_lrs: list[float], n: int
) -> None:
    groups = len(base_lrs)
    children = data.draw(st.lists(child_specs(groups, ANY_CHILD), min_size=1, max_size=3))
    compare(Spec("ChainedScheduler", {}, children), base_lrs, n)


@SETTINGS
@given(data=st.data(), base_lrs=base_lr_lists, n=st.integers(1, 400))
def test_nested_composites_match_torch(data: st.DataObject, base_lrs: list[float], n: int) -> None:
    groups = len(base_lrs)
    inner_children = data.draw(st.lists(child_specs(groups, CHAINABLE), min_size=1, max_size=2))
    inner_kind = data.draw(st.sampled_from(["SequentialLR", "ChainedScheduler"]))
    inner_kwargs = {"milestones": [data.draw(st.integers(0, 50))][: len(inner_children) - 1]}
    inner = Spec(inner_kind, inner_kwargs if inner_kind == "SequentialLR" else {}, inner_children)
    outer_children = [data.draw(child_specs(groups, CHAINABLE)), inner]
    if data.draw(st.booleans()):
        outer_children.reverse()
    compare(Spec("ChainedScheduler", {}, outer_children), base_lrs, n)
    milestone = data.draw(st.integers(0, 100))
    compare(Spec("SequentialLR", {"milestones": [milestone]}, outer_children), base_lrs, n)


@SETTINGS
@given(data=st.data(), base_lrs=base_lr_lists, n=st.integers(1, 600))
def test_reduce_lr_on_plateau_matches_torch(
    data: st.DataObject, base_lrs: list[float], n: int
) -> None:
    groups = len(base_lrs)
    kwargs = {
        "mode": data.draw(st.sampled_from(["min", "max"])),
        "factor": data.draw(st.floats(0.0, 0.99)),
        "patience": data.draw(st.integers(0, 20)),
        "threshold": data.draw(st.floats(0.0, 0.1)),
        "threshold_mode": data.draw(st.sampled_from(["rel", "abs"])),
        "cooldown": data.draw(st.integers(0, 10)),
        "min_lr": per_group(data.draw, st.floats(0.0, 1e-3), groups),
        "eps": data.draw(st.floats(0.0, 1e-6)),
    }
    # A noisy plateau: a trend that flattens out, with repeated values.
    noise = data.draw(st.lists(st.floats(-1.0, 1.0), min_size=n, max_size=n))
    metrics = [1.0 / (1 + k) + 0.01 * e for k, e in enumerate(noise)]
    compare(Spec("ReduceLROnPlateau", kwargs), base_lrs, n, metrics=metrics)


# -- construction and stepping errors: same type, same message ---------------------------

INVALID = [
    Spec("StepLR", {}),
    Spec("StepLR", {"step_size": 3, "bogus": 1}),
    Spec("StepLR", {"step_size": 0}),
    Spec("MultiStepLR", {"milestones": 3}),
    Spec("ConstantLR", {"factor": 1.5}),
    Spec("ConstantLR", {"factor": -0.1}),
    Spec("ConstantLR", {"factor": 0.0, "total_iters": 3}),
    Spec("LinearLR", {"start_factor": 0.0}),
    Spec("LinearLR", {"start_factor": 1.1}),
    Spec("LinearLR", {"end_factor": -0.5}),
    Spec("ExponentialLR", {}),
    Spec("PolynomialLR", {"total_iters": 4, "power": -1.0}),
    Spec("CosineAnnealingLR", {"T_max": 0}),
    Spec("CosineAnnealingWarmRestarts", {"T_0": 0}),
    Spec("CosineAnnealingWarmRestarts", {"T_0": 2.0}),
    Spec("CosineAnnealingWarmRestarts", {"T_0": 2, "T_mult": 0}),
    Spec("CosineAnnealingWarmRestarts", {"T_0": 2, "T_mult": 1.5}),
    Spec("CosineAnnealingWarmRestarts", {"T_0": 2, "eta_min": "0"}),
    Spec("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "mode": "sine"}),
    Spec("CyclicLR", {"base_lr": [0.01] * 5, "max_lr": 0.1}),
    Spec("CyclicLR", {"base_lr": 0.01, "max_lr": [0.1] * 5}),
    Spec("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 0, "step_size_down": 0}),
    Spec("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 0}),
    Spec("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 1, "mode": "triangular2"}),
    Spec(
        "CyclicLR",
        {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 1, "mode": "exp_range", "gamma": 2.0},
    ),
    Spec("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "base_momentum": [0.8] * 5}),
    Spec("OneCycleLR", {"max_lr": 0.1}),
    Spec("OneCycleLR", {"max_lr": 0.1, "total_steps": 0}),
    Spec("OneCycleLR", {"max_lr": 0.1, "total_steps": 10.0}),
    Spec("OneCycleLR", {"max_lr": 0.1, "epochs": 2}),
    Spec("OneCycleLR", {"max_lr": 0.1, "epochs": -2, "steps_per_epoch": 3}),
    Spec("OneCycleLR", {"max_lr": 0.1, "epochs": 2, "steps_per_epoch": 0}),
    Spec("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 1}),
    Spec("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 1.5}),
    Spec("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 0.1}),
    Spec("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 1.0}),
    Spec("OneCycleLR", {"max_lr": 0.1, "total_steps": 5}),
    Spec("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "anneal_strategy": "exp"}),
    Spec("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "div_factor": 0}),
    Spec("OneCycleLR", {"max_lr": [0.1] * 5, "total_steps": 10}),
    Spec("LambdaLR", {"lr_lambda": [lambda k: 1.0] * 5}),
    Spec("LambdaLR", {"lr_lambda": 0.5}),
    Spec("LambdaLR", {"lr_lambda": lambda k: 1 / (4 - k)}),
    Spec("MultiplicativeLR", {"lr_lambda": 0.9}),
    Spec("MultiplicativeLR", {"lr_lambda": [lambda k: 0.9] * 5}),
    Spec("MultiplicativeLR", {"lr_lambda": lambda k: 1 / (4 - k)}),
    Spec("SWALR", {}),
    Spec("SWALR", {"swa_lr": 0.05, "anneal_epochs": -1}),
    Spec("SWALR", {"swa_lr": 0.05, "anneal_epochs": 2.5}),
    Spec("SWALR", {"swa_lr": 0.05, "anneal_strategy": "step"}),
    Spec("SWALR", {"swa_lr": [0.05] * 5}),
    Spec("ReduceLROnPlateau", {"factor": 1.0}),
    Spec("ReduceLROnPlateau", {"mode": "up"}),
    Spec("ReduceLROnPlateau", {"threshold_mode": "ratio"}),
    Spec("ReduceLROnPlateau", {"min_lr": [0.0] * 5}),
    Spec("SequentialLR", {"milestones": []}, []),
    Spec("SequentialLR", {"milestones": [2, 4]}, [Spec("StepLR", {"step_size": 2})]),
    Spec(
        "SequentialLR",
        {"milestones": [2]},
        [Spec("StepLR", {"step_size": 2}), Spec("ReduceLROnPlateau")],
    ),
    # A nested composite after a milestone: torch's _update_lr(0) reaches the base get_lr.
    Spec(
        "SequentialLR",
        {"milestones": [2]},
        [
            Spec("ConstantLR"),
            Spec(
                "ChainedScheduler",
                {},
                [Spec("StepLR", {"step_size": 2}), Spec("ExponentialLR", {"gamma": 0.9})],
            ),
        ],
    ),
    Spec("ChainedScheduler", {}, []),
    Spec("ChainedScheduler", {}, [Spec("ReduceLROnPlateau"), Spec("StepLR", {"step_size": 2})]),
]


@pytest.mark.parametrize("spec", INVALID, ids=lambda spec: f"{spec.name}-{sorted(spec.kwargs)}")
@pytest.mark.parametrize("base_lrs", [[0.1], [0.1, 0.05]], ids=["1group", "2groups"])
def test_invalid_arguments_raise_like_torch(spec: Spec, base_lrs: list[float]) -> None:
    # Long enough for the overflows (2.0 ** cycle, gamma ** step) to happen.
    n = 2100
    expected = outcome(lambda: torch_values(spec, base_lrs, n))
    assert expected[0] == "raise", "the table lists arguments torch rejects"
    compare(spec, base_lrs, n)


@pytest.mark.parametrize(
    ("spec", "kind", "defaults"),
    [
        (Spec("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1}), "Adagrad", {"lr": 0.1}),
        (Spec("OneCycleLR", {"max_lr": 0.1, "total_steps": 20}), "Adagrad", {"lr": 0.1}),
        (
            Spec("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5}),
            "Adam",
            {"betas": (0.9, 0.999)},
        ),
        (Spec("OneCycleLR", {"max_lr": 0.1, "total_steps": 20}), "Adam", {"betas": (0.9, 0.999)}),
        (
            Spec("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "cycle_momentum": False}),
            "Adagrad",
            {},
        ),
    ],
)
def test_momentum_cycling_needs_an_optimizer_with_momentum(
    spec: Spec, kind: str, defaults: dict[str, Any]
) -> None:
    compare(spec, [0.1, 0.2], 30, kind=kind, optimizer_defaults=defaults)


def test_resumed_child_after_initial_lr_is_set_matches_torch() -> None:
    """A child with last_epoch != -1 is fine in torch once an earlier child set initial_lr."""
    children = [
        Spec("StepLR", {"step_size": 2}),
        Spec("ExponentialLR", {"gamma": 0.9, "last_epoch": 3}),
    ]
    compare(Spec("SequentialLR", {"milestones": [3]}, children), [0.1, 0.03], 20)
    compare(Spec("SequentialLR", {"milestones": [3], "last_epoch": 2}, children[:1] * 2), [0.1], 20)
