"""Differential tests: lrlint's timm schedules against timm's own scheduler modules.

For hypothesis-generated arguments of every timm scheduler class and of both factories,
driven per epoch, per update (with and without epoch-end steps; offsets 0, 1 and 3) and
torch-style, over 1-3 param groups (with and without ``lr_scale``) and up to 600 steps,
lrlint gives timm's LRs bit for bit, or raises the same exception type with the same
message. With LR noise, lrlint refuses exactly the runs whose returned LRs timm perturbs.
Skipped where timm (1.0.31, installed with ``pip install --no-deps``) is absent.
"""

from __future__ import annotations

import argparse
import inspect
import warnings
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from timm_reference import (
    CLASS_ARGUMENTS,
    SETTINGS,
    Case,
    Drive,
    base_lr_lists,
    drives,
    outcome_of,
    plateau_metrics,
    timm_scheduler,
)

from lrlint.schedules import REQUIRED, NoiseNotModelled, build, signature

torch = pytest.importorskip("torch")  # every test here compares with timm, which runs on torch
torch_lr = torch.optim.lr_scheduler


@pytest.fixture(scope="module")
def timm() -> Any:
    return timm_scheduler()


def torch_groups(base_lrs: list[float], lr_scale: float | None) -> torch.optim.Optimizer:
    scale = {} if lr_scale is None else {"lr_scale": lr_scale}
    groups = [
        {"params": [torch.zeros(1, requires_grad=True)], "lr": lr, **scale} for lr in base_lrs
    ]
    return torch.optim.SGD(groups, lr=base_lrs[0])


def timm_rows(timm: Any, case: Case) -> list[list[float]]:
    return case.run(getattr(timm, case.name), torch_groups(case.base_lrs, case.lr_scale))


def compare(timm: Any, case: Case) -> tuple[str, Any]:
    """timm and lrlint agree on the loop: same LRs or the same error. Returns timm's."""
    expected = outcome_of(lambda: timm_rows(timm, case))
    actual = outcome_of(case.lrlint)
    assert actual == expected, f"{case.drive}\ntimm:   {expected}\nlrlint: {actual}"
    return expected


@pytest.mark.parametrize("name", sorted(CLASS_ARGUMENTS))
@SETTINGS
@given(data=st.data(), base_lrs=base_lr_lists, n=st.integers(1, 600))
def test_class_matches_timm(
    timm: Any, name: str, data: st.DataObject, base_lrs: list[float], n: int
) -> None:
    kwargs = data.draw(st.composite(lambda draw: CLASS_ARGUMENTS[name](draw))())
    drive = data.draw(drives())
    lr_scale = data.draw(st.none() | st.sampled_from([0.5, 0.1]))
    metrics = None
    takes_metrics = drive.kind != "update" or drive.updates_per_epoch is not None
    if takes_metrics and (name == "PlateauLRScheduler" or data.draw(st.booleans())):
        metrics = data.draw(st.none() | st.composite(lambda draw: plateau_metrics(draw, n))())
    compare(timm, Case(name, base_lrs, kwargs, drive, n, metrics, lr_scale))


@pytest.mark.parametrize("name", ["CosineLRScheduler", "StepLRScheduler", "PlateauLRScheduler"])
@SETTINGS
@given(data=st.data(), base_lrs=base_lr_lists, n=st.integers(1, 300))
def test_noise_is_refused_exactly_where_timm_perturbs_a_returned_lr(
    timm: Any, name: str, data: st.DataObject, base_lrs: list[float], n: int
) -> None:
    kwargs = data.draw(st.composite(lambda draw: CLASS_ARGUMENTS[name](draw))())
    start = data.draw(st.integers(0, 400))
    kwargs["noise_range_t"] = data.draw(
        st.sampled_from([start, [start, start + data.draw(st.integers(1, 50))], (start, start)])
    )
    drive = data.draw(drives(torch_style=False))
    metrics = None
    if drive.kind == "epoch" or drive.updates_per_epoch is not None:
        metrics = data.draw(st.composite(lambda draw: plateau_metrics(draw, n))())
    case = Case(name, base_lrs, kwargs, drive, n, metrics)
    noisy = outcome_of(lambda: timm_rows(timm, case))
    noise_free = outcome_of(lambda: timm_rows(timm, case.with_kwargs(noise_range_t=None)))
    try:
        ours = case.lrlint()
    except NoiseNotModelled:
        assert noisy != noise_free, "lrlint refused LRs that timm left noise-free"
        return
    assert ("ok", repr(ours)) == noisy == noise_free


def test_construction_computes_no_lr_that_timm_does_not(timm: Any) -> None:
    # Tanh reads _get_lr(warmup_t) only for a warmup without prefix; cycle_mul=0 fails there.
    never_stepped = Drive("update")
    kwargs = {"t_initial": 10, "cycle_mul": 0.0}
    case = Case("TanhLRScheduler", [0.1], kwargs, never_stepped, 5)
    assert compare(timm, case)[0] == "ok"
    assert compare(timm, case.with_kwargs(warmup_t=2))[0] == "raise"


def test_noise_range_of_one_element_raises_like_timm(timm: Any) -> None:
    # timm reads noise_range_t[1] of a list: IndexError at the first step.
    kwargs = {"t_initial": 10, "noise_range_t": [3]}
    assert compare(timm, Case("CosineLRScheduler", [0.1], kwargs, Drive("epoch"), 4))[0] == "raise"


# -- the factories -----------------------------------------------------------------------------

SCHEDS = ["cosine", "tanh", "step", "constant", "multistep", "plateau", "poly", "wsd", "rsqrt"]


@st.composite
def factory_arguments(draw: st.DrawFn) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "sched": draw(st.sampled_from([*SCHEDS, *SCHEDS, "none", "linear"])),
        "num_epochs": draw(st.integers(1, 40)),
        "decay_epochs": draw(st.none() | st.sampled_from([0.3, 0.5, 1, 4, 10, 90])),
        "decay_milestones": sorted(draw(st.lists(st.integers(0, 40), max_size=4))),
        "cooldown_epochs": draw(st.integers(0, 4)),
        "patience_epochs": draw(st.integers(0, 4)),
        "decay_rate": draw(st.sampled_from([0.1, 0.5, 2.0])),
        "min_lr": draw(st.sampled_from([0.0, 1e-5])),
        "warmup_lr": draw(st.sampled_from([1e-5, 0.0])),
        "warmup_epochs": draw(st.integers(0, 5)),
        "warmup_prefix": draw(st.booleans()),
        "cycle_mul": draw(st.sampled_from([1.0, 1.0, 2.0])),
        "cycle_decay": draw(st.sampled_from([0.1, 0.5, 1.0])),
        "cycle_limit": draw(st.integers(1, 3)),
        "k_decay": draw(st.sampled_from([1.0, 2.0])),
        "plateau_mode": draw(st.sampled_from(["min", "max"])),
        "step_on_epochs": draw(st.booleans()),
        "updates_per_epoch": draw(st.sampled_from([0, 1, 7, 20])),
    }
    if draw(st.booleans()):
        kwargs["decay_fn"] = draw(st.sampled_from(["linear", "cosine", "1-sqrt"]))
    if draw(st.booleans()):
        kwargs["stable_timescale"] = draw(st.sampled_from([1, 3.0]))
    return kwargs


def natural_drive(kwargs: dict[str, Any]) -> Drive:
    """timm's train.py: step_update after each update, step(epoch + 1) after each epoch."""
    return Drive("update", 1, max(1, kwargs.get("updates_per_epoch", 0)))


@SETTINGS
@given(kwargs=factory_arguments(), base_lrs=base_lr_lists, n=st.integers(1, 400))
def test_create_scheduler_v2_matches_timm(
    timm: Any, kwargs: dict[str, Any], base_lrs: list[float], n: int
) -> None:
    base = base_lrs if len(base_lrs) > 1 else base_lrs[0]

    def timm_choice() -> tuple[str, Any, bool]:
        scheduler, num_epochs = timm.create_scheduler_v2(torch_groups(base_lrs, None), **kwargs)
        return type(scheduler).__name__, num_epochs, getattr(scheduler, "t_in_epochs", None)

    def our_choice() -> tuple[str, Any, bool]:
        schedule = build("timm.create_scheduler_v2", base, **kwargs)
        resolved = schedule.resolved()
        assert resolved.values_by_epoch(5) == schedule.values_by_epoch(5)
        return resolved.name.removeprefix("timm."), schedule.num_epochs, resolved.t_in_epochs

    expected, actual = outcome_of(timm_choice), outcome_of(our_choice)
    if expected[0] == "ok" and kwargs["sched"] == "none":
        # timm returns no scheduler at all; lrlint says so.
        assert expected[1].startswith("('NoneType'") and actual[1][0] == "ScheduleError"
        return
    assert actual == expected
    compare(timm, Case("create_scheduler_v2", base_lrs, kwargs, natural_drive(kwargs), n))


@SETTINGS
@given(kwargs=factory_arguments(), base_lrs=base_lr_lists, n=st.integers(1, 200))
def test_create_scheduler_from_train_py_args_matches_timm(
    timm: Any, kwargs: dict[str, Any], base_lrs: list[float], n: int
) -> None:
    # train.py's argparse names; those left out take scheduler_kwargs' defaults.
    names = {
        "sched": "sched",
        "num_epochs": "epochs",
        "decay_epochs": "decay_epochs",
        "warmup_epochs": "warmup_epochs",
        "warmup_prefix": "warmup_prefix",
        "min_lr": "min_lr",
        "cycle_mul": "lr_cycle_mul",
        "decay_rate": "decay_rate",
    }
    args = argparse.Namespace(**{names[k]: v for k, v in kwargs.items() if k in names})
    if not kwargs["step_on_epochs"]:
        args.sched_on_updates = True
    if kwargs["plateau_mode"] == "min":
        args.eval_metric = "loss"
    if kwargs["sched"] == "none":
        args.sched = "cosine"
    call = {"args": args, "updates_per_epoch": kwargs["updates_per_epoch"]}
    expected = compare(timm, Case("create_scheduler", base_lrs, call, natural_drive(kwargs), n))
    if expected[0] == "ok":
        schedule = build("timm.create_scheduler", base_lrs[0], **call)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # plateau's deprecation
            _, timm_epochs = timm.create_scheduler(optimizer=torch_groups(base_lrs, None), **call)
        assert schedule.num_epochs == timm_epochs


# -- construction and stepping errors ----------------------------------------------------------

INVALID = [
    ("CosineLRScheduler", {"t_initial": 0}),
    ("CosineLRScheduler", {"t_initial": 10, "lr_min": -1.0}),
    ("CosineLRScheduler", {"t_initial": None}),
    ("CosineLRScheduler", {}),
    ("CosineLRScheduler", {"t_initial": 10, "bogus": 1}),
    ("CosineLRScheduler", {"t_initial": 10, "cycle_mul": 0.5, "cycle_limit": 5}),
    ("CosineLRScheduler", {"t_initial": 10, "cycle_mul": -1.0}),
    ("CosineLRScheduler", {"t_initial": 1, "cycle_decay": 2.0, "cycle_limit": 1}),
    ("CosineLRScheduler", {"t_initial": 10, "initialize": False}),
    ("PolyLRScheduler", {"t_initial": -5}),
    ("PolyLRScheduler", {"t_initial": 1, "cycle_decay": 3, "cycle_limit": 1}),
    ("TanhLRScheduler", {"t_initial": 10, "lb": 3.0, "ub": 3.0}),
    ("TanhLRScheduler", {"t_initial": 10, "cycle_limit": -1}),
    ("TanhLRScheduler", {"t_initial": 10, "warmup_t": -1}),
    ("TanhLRScheduler", {"t_initial": 10, "warmup_lr_init": -0.1, "warmup_t": 2}),
    ("StepLRScheduler", {"decay_t": 0}),
    ("StepLRScheduler", {"decay_t": 1, "decay_rate": 10.0}),
    ("MultiStepLRScheduler", {"decay_t": 3}),
    ("PlateauLRScheduler", {"decay_rate": 1.0}),
    ("PlateauLRScheduler", {"mode": "up"}),
    ("PlateauLRScheduler", {"lr_min": [0.0] * 5}),
    ("PlateauLRScheduler", {"warmup_prefix": True}),
    ("WSDLRScheduler", {"t_initial": 0, "decay_t": 1}),
    ("WSDLRScheduler", {"t_initial": 10, "decay_t": 11}),
    ("WSDLRScheduler", {"t_initial": 10, "decay_t": 5, "lr_min": -1}),
    ("WSDLRScheduler", {"t_initial": 10, "decay_t": 5, "stable_fn": "cosine"}),
    ("WSDLRScheduler", {"t_initial": 10, "decay_t": 5, "decay_fn": "step"}),
    ("WSDLRScheduler", {"t_initial": 10, "decay_t": 5, "decay_ratio": 1.0}),
    ("WSDLRScheduler", {"t_initial": 10, "decay_t": 5, "decay_power": 0}),
    ("WSDLRScheduler", {"t_initial": 10, "decay_t": 5, "stable_power": -1.0}),
    ("WSDLRScheduler", {"t_initial": 10, "decay_t": 5, "stable_fn": "rsqrt"}),
    ("WSDLRScheduler", {"t_initial": 10, "decay_t": 4, "decay_fn": lambda f: 1 / (0.5 - f)}),
    ("create_scheduler_v2", {"sched": "cosine", "step_on_epochs": False}),
    ("create_scheduler_v2", {"sched": "plateau", "step_on_epochs": False, "updates_per_epoch": 5}),
    ("create_scheduler_v2", {"sched": "wsd", "num_epochs": 5, "warmup_epochs": 5}),
    ("create_scheduler_v2", {"sched": "rsqrt", "num_epochs": 5, "decay_epochs": 9}),
    ("create_scheduler_v2", {"sched": "exp"}),
    ("create_scheduler_v2", {"sched": "none"}),
    ("create_scheduler_v2", {"noise": [0.5]}),  # not an error: a scalar range, then noise
]


@pytest.mark.parametrize(("name", "kwargs"), INVALID, ids=lambda v: str(v)[:60])
@pytest.mark.parametrize("drive", [Drive("epoch"), Drive("update", 1, 3)], ids=["epoch", "update"])
def test_invalid_arguments_raise_like_timm(
    timm: Any, name: str, kwargs: dict[str, Any], drive: Drive
) -> None:
    n = 3100  # long enough for cycle_decay ** cycle to overflow at 3 updates per epoch
    case = Case(name, [0.1, 0.05], kwargs, drive, n)
    expected, actual = outcome_of(lambda: timm_rows(timm, case)), outcome_of(case.lrlint)
    if kwargs.get("initialize") is False:
        # timm: KeyError on a fresh optimizer; lrlint: a resumed run it cannot see.
        assert expected[1][0] == "KeyError" and actual[1][0] == "ResumeNotModelled"
    elif kwargs.get("sched") == "none":
        # timm returns no scheduler (the loop fails on None); lrlint says so.
        assert expected[1][0] == "AttributeError" and actual[1][0] == "ScheduleError"
    elif kwargs.get("noise"):
        assert actual[1][0] == "NoiseNotModelled" and expected[0] == "ok"
    else:
        assert expected[0] == "raise", "the table lists arguments timm rejects"
        assert actual == expected


@pytest.mark.parametrize("name", sorted(CLASS_ARGUMENTS))
def test_torch_style_step_raises_like_timm(timm: Any, name: str) -> None:
    kwargs = {"t_initial": 10, "decay_t": 5} if name == "WSDLRScheduler" else {}
    kwargs = kwargs or {
        "StepLRScheduler": {"decay_t": 5},
        "MultiStepLRScheduler": {"decay_t": [5]},
        "PlateauLRScheduler": {},
    }.get(name, {"t_initial": 10})
    expected = compare(timm, Case(name, [0.1], kwargs, Drive("torch"), 3))
    assert expected[0] == "raise" and expected[1][0] == "TypeError"
    assert "missing 1 required positional argument: 'epoch'" in expected[1][1]


# -- signatures ---------------------------------------------------------------------------------


def test_signatures_are_timms(timm: Any) -> None:
    for name in [*CLASS_ARGUMENTS, "create_scheduler_v2", "create_scheduler"]:
        target = getattr(timm, name)
        function = target.__init__ if inspect.isclass(target) else target
        params = [
            p
            for p in inspect.signature(function).parameters.values()
            if p.name not in ("self", "optimizer")
        ]
        ours = signature("timm." + name)
        assert [p.name for p in ours] == [p.name for p in params], name
        for mine, theirs in zip(ours, params):
            if theirs.default is inspect.Parameter.empty:
                assert mine.default is REQUIRED, (name, mine)
            else:
                assert mine.default == theirs.default, (name, mine)


# -- a timm scheduler inside torch's composites ------------------------------------------------


@pytest.mark.parametrize("composite", ["ChainedScheduler", "SequentialLR"])
def test_timm_child_of_a_torch_composite_fails_like_torch(timm: Any, composite: str) -> None:
    def torch_run() -> Any:
        optimizer = torch_groups([0.1], None)
        child = timm.CosineLRScheduler(optimizer, t_initial=10)
        if composite == "ChainedScheduler":
            parent = torch_lr.ChainedScheduler([child])
        else:
            first = torch_lr.StepLR(optimizer, step_size=2)
            parent = torch_lr.SequentialLR(optimizer, [first, child], milestones=[2])
        rows = []
        for _ in range(4):
            rows.append(float(optimizer.param_groups[0]["lr"]))
            parent.step()
        return rows

    def lrlint_run() -> Any:
        child = build("timm.CosineLRScheduler", 0.1, t_initial=10)
        if composite == "ChainedScheduler":
            return build(composite, 0.1, schedulers=[child]).values(4)
        first = build("StepLR", 0.1, step_size=2)
        return build(composite, 0.1, schedulers=[first, child], milestones=[2]).values(4)

    expected = outcome_of(torch_run)
    assert expected[0] == "raise"
    assert outcome_of(lrlint_run) == expected
