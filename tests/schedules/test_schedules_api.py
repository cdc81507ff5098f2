"""The public API of lrlint.schedules: names, signatures, shapes, errors, speed, imports."""

from __future__ import annotations

import inspect
import subprocess
import sys
import time
import warnings
from itertools import islice

import pytest
from schedules_reference import Spec, torch_class, torch_values

from lrlint.schedules import (
    REQUIRED,
    SCHEDULE_NAMES,
    Schedule,
    ScheduleError,
    build,
    optimizer_position,
    signature,
)

HF_NAMES = sorted(name for name in SCHEDULE_NAMES if name.startswith("get_"))
# lrlint's torch schedulers; test_names_are_every_torch_scheduler_and_the_hf_schedules checks
# that they are torch's.
TORCH_NAMES = sorted(SCHEDULE_NAMES - set(HF_NAMES))


def test_import_is_fast_and_does_not_import_torch() -> None:
    # CPU time, best of three: other processes on a busy machine do not count.
    code = (
        "import sys, time\n"
        "start = time.process_time()\n"
        "import lrlint.schedules\n"
        "print(time.process_time() - start)\n"
        "assert 'torch' not in sys.modules, 'lrlint.schedules imported torch'\n"
        "assert 'numpy' not in sys.modules, 'lrlint.schedules imported numpy'\n"
    )
    timings = []
    for _ in range(3):
        run = subprocess.run(
            [sys.executable, "-c", code], check=False, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        timings.append(float(run.stdout))
    assert min(timings) < 0.1


def test_names_are_every_torch_scheduler_and_the_hf_schedules() -> None:
    pytest.importorskip("torch")
    from torch.optim import lr_scheduler as torch_lr

    torch_names = sorted(set(torch_lr.__all__) - {"LRScheduler"}) + ["SWALR"]
    assert set(torch_names) | set(HF_NAMES) == SCHEDULE_NAMES
    assert len(HF_NAMES) == 8


@pytest.mark.parametrize("name", TORCH_NAMES)
def test_signature_is_torchs_without_the_optimizer(name: str) -> None:
    params = [
        p
        for p in inspect.signature(torch_class(name).__init__).parameters.values()
        if p.name not in ("self", "optimizer")
    ]
    ours = signature(name)
    assert [p.name for p in ours] == [p.name for p in params]
    for mine, theirs in zip(ours, params):
        if theirs.default is inspect.Parameter.empty:
            assert mine.default is REQUIRED and mine.required
        else:
            assert mine.default == theirs.default and not mine.required


def test_optimizer_position() -> None:
    assert optimizer_position("ChainedScheduler") == 1
    assert {optimizer_position(n) for n in SCHEDULE_NAMES - {"ChainedScheduler"}} == {0}


def test_unknown_name_is_a_schedule_error() -> None:
    with pytest.raises(ScheduleError, match="unknown schedule 'StepLr'"):
        build("StepLr", 0.1, step_size=3)
    with pytest.raises(ScheduleError):
        signature("StepLr")


def test_shapes_follow_base_lr() -> None:
    flat = build("StepLR", 0.1, step_size=2)
    assert flat.groups == 1 and flat.values(3) == [0.1, 0.1, pytest.approx(0.01)]
    single = build("StepLR", [0.1], step_size=2)
    assert single.groups == 1 and single.values(3) == [[0.1], [0.1], [pytest.approx(0.01)]]
    pair = build("StepLR", (0.1, 1), step_size=2)
    assert pair.groups == 2 and pair.values(3)[2] == [pytest.approx(0.01), pytest.approx(0.1)]
    assert all(type(v) is float for row in pair.values(3) for v in row)
    assert flat.values(0) == []


@pytest.mark.parametrize("bad", [-1, 2.0, True, None])
def test_values_wants_a_non_negative_int(bad: object) -> None:
    with pytest.raises(ValueError, match="non-negative int"):
        build("StepLR", 0.1, step_size=2).values(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [[], "0.1", None, [0.1, "x"], True])
def test_base_lr_must_be_numbers(bad: object) -> None:
    with pytest.raises(ScheduleError, match="base_lr"):
        build("StepLR", bad, step_size=2)  # type: ignore[arg-type]


def test_attributes_and_arguments() -> None:
    schedule = build("CosineAnnealingLR", 0.1, T_max=10)
    assert schedule.name == "CosineAnnealingLR"
    assert schedule.kwargs == {"T_max": 10}
    assert schedule.arguments == {"T_max": 10, "eta_min": 0.0, "last_epoch": -1}
    assert repr(schedule) == "build('CosineAnnealingLR', 0.1, T_max=10)"
    assert isinstance(schedule, Schedule)


def test_base_lr_is_positional_only_so_cyclic_lr_can_take_base_lr() -> None:
    schedule = build("CyclicLR", 0.5, base_lr=0.01, max_lr=0.1, step_size_up=4)
    assert schedule.values(5) == pytest.approx([0.01, 0.0325, 0.055, 0.0775, 0.1])


def test_milestones_may_be_an_iterator() -> None:
    schedule = build("MultiStepLR", 1.0, milestones=iter([2, 4]), gamma=0.5)
    assert schedule.values(6) == schedule.values(6) == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]


def test_iter_is_endless_and_matches_values() -> None:
    schedule = build("ExponentialLR", 1.0, gamma=0.999)
    assert list(islice(schedule.iter(), 20_000)) == schedule.values(20_000)


def test_one_cycle_raises_exactly_where_the_torch_loop_raises() -> None:
    schedule = build("OneCycleLR", 0.1, max_lr=1.0, total_steps=50)
    assert len(schedule.values(50)) == 50
    message = "Tried to step 51 times. The specified number of total steps is 50"
    with pytest.raises(ValueError, match=message):
        schedule.values(51)
    lazily = schedule.iter()
    assert len(list(islice(lazily, 51))) == 51  # the 51st LR is computed, never used
    with pytest.raises(ValueError, match=message):
        next(lazily)


def test_one_cycle_gives_torchs_values_and_raises_where_torch_raises() -> None:
    schedule = build("OneCycleLR", 0.1, max_lr=1.0, total_steps=50)
    message = "Tried to step 51 times. The specified number of total steps is 50"
    torch_rows = torch_values(Spec("OneCycleLR", {"max_lr": 1.0, "total_steps": 50}), [0.1], 50)
    assert [row[0] for row in torch_rows] == schedule.values(50)
    with pytest.raises(ValueError, match=message):
        torch_values(Spec("OneCycleLR", {"max_lr": 1.0, "total_steps": 50}), [0.1], 51)


def test_reduce_lr_on_plateau_takes_metrics() -> None:
    schedule = build("ReduceLROnPlateau", 0.1, patience=0, factor=0.5)
    metrics = [1.0, 2.0, 3.0, 0.5, 0.6]
    assert schedule.values(6, metrics=metrics) == pytest.approx(
        [0.1, 0.1, 0.05, 0.025, 0.025, 0.0125]
    )
    assert schedule.values(5, metrics=metrics[:4]) == schedule.values(6, metrics=metrics)[:5]
    assert list(schedule.iter(metrics=metrics)) == schedule.values(6, metrics=metrics)
    assert schedule.values(1) == [0.1]
    with pytest.raises(ScheduleError, match="needs at least 5 metrics"):
        schedule.values(6, metrics=metrics[:3])
    with pytest.raises(ScheduleError, match="metrics"):
        schedule.values(3)
    with pytest.raises(ScheduleError, match="takes no metrics"):
        build("StepLR", 0.1, step_size=2).values(3, metrics=[1.0, 2.0])


def test_resumed_schedule_builds_but_cannot_be_evaluated_alone() -> None:
    schedule = build("StepLR", 0.1, step_size=3, last_epoch=4)
    with pytest.raises(ScheduleError, match="last_epoch=4"):
        schedule.values(3)


def test_children_must_share_the_optimizers_lr() -> None:
    warm = build("LinearLR", 0.2, start_factor=0.1)
    with pytest.raises(ScheduleError, match="same base_lr"):
        build(
            "SequentialLR",
            0.1,
            schedulers=[warm, build("ExponentialLR", 0.1, gamma=0.9)],
            milestones=[5],
        )


def test_optimizer_is_not_an_argument() -> None:
    with pytest.raises(ScheduleError, match="base_lr"):
        build("StepLR", 0.1, optimizer=object(), step_size=2)


def test_a_scheduler_listed_twice_is_stepped_twice() -> None:
    step = build("StepLR", 0.1, step_size=2, gamma=0.5)
    chained = build("ChainedScheduler", 0.1, schedulers=[step, step])
    # Every step of the chain steps StepLR twice, so its step_size of 2 comes every step.
    assert chained.values(12) == pytest.approx([0.1 * 0.5**k for k in range(12)], rel=1e-12)


def test_a_scheduler_listed_twice_is_stepped_twice_as_in_torch() -> None:
    torch = pytest.importorskip("torch")
    from torch.optim import lr_scheduler as torch_lr

    step = build("StepLR", 0.1, step_size=2, gamma=0.5)
    chained = build("ChainedScheduler", 0.1, schedulers=[step, step])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        torch_step = torch_lr.StepLR(optimizer, step_size=2, gamma=0.5)
        torch_chained = torch_lr.ChainedScheduler([torch_step, torch_step])
        expected = []
        for _ in range(12):
            expected.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            torch_chained.step()
    assert chained.values(12) == expected


def test_sequential_lr_warmup_handoff_quirk() -> None:
    """The documented surprise: the child after a milestone restarts from base_lrs."""
    warm = build("LinearLR", 0.1, start_factor=0.1, total_iters=4)
    decay = build("StepLR", 0.1, step_size=2, gamma=0.5)
    values = build("SequentialLR", 0.1, schedulers=[warm, decay], milestones=[4]).values(9)
    # Warmup 0.01 -> 0.0775, then StepLR's closed form at epoch 0: 0.1, decayed at 2, 4.
    assert values[4:] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])


def test_sequential_lr_warmup_handoff_quirk_is_torchs() -> None:
    warm = build("LinearLR", 0.1, start_factor=0.1, total_iters=4)
    decay = build("StepLR", 0.1, step_size=2, gamma=0.5)
    values = build("SequentialLR", 0.1, schedulers=[warm, decay], milestones=[4]).values(9)
    torch_rows = torch_values(
        Spec(
            "SequentialLR",
            {"milestones": [4]},
            [
                Spec("LinearLR", {"start_factor": 0.1, "total_iters": 4}),
                Spec("StepLR", {"step_size": 2, "gamma": 0.5}),
            ],
        ),
        [0.1],
        9,
    )
    assert values == [row[0] for row in torch_rows]


# Every schedule with a closed form or vectorised fast path, at a million steps.
MILLION = 1_000_000
CLOSED_FORM = [
    ("StepLR", {"step_size": 30_000}),
    ("MultiStepLR", {"milestones": [300_000, 600_000, 900_000]}),
    ("ExponentialLR", {"gamma": 0.999_999}),
    ("CosineAnnealingLR", {"T_max": 250_000, "eta_min": 1e-5}),
    ("LinearLR", {"start_factor": 0.01, "total_iters": MILLION}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 10_000}),
    ("PolynomialLR", {"total_iters": MILLION, "power": 2.0}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": MILLION}),
    ("get_constant_schedule_with_warmup", {"num_warmup_steps": 10_000}),
    (
        "get_linear_schedule_with_warmup",
        {"num_warmup_steps": 10_000, "num_training_steps": MILLION},
    ),
    (
        "get_cosine_schedule_with_warmup",
        {"num_warmup_steps": 10_000, "num_training_steps": MILLION},
    ),
    (
        "get_cosine_with_hard_restarts_schedule_with_warmup",
        {"num_warmup_steps": 10_000, "num_training_steps": MILLION, "num_cycles": 3},
    ),
    (
        "get_polynomial_decay_schedule_with_warmup",
        {"num_warmup_steps": 10_000, "num_training_steps": MILLION},
    ),
    ("get_inverse_sqrt_schedule", {"num_warmup_steps": 10_000}),
    (
        "get_wsd_schedule",
        {"num_warmup_steps": 10_000, "num_decay_steps": 10**5, "num_stable_steps": 8 * 10**5},
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "kwargs"), CLOSED_FORM, ids=[n for n, _ in CLOSED_FORM])
def test_a_million_steps_take_well_under_a_second(name: str, kwargs: dict[str, object]) -> None:
    schedule = build(name, 0.1, **kwargs)
    start = time.process_time()  # CPU time: other processes on the machine do not count
    values = schedule.values(MILLION)
    elapsed = time.process_time() - start
    assert len(values) == MILLION
    assert elapsed < 1.0, f"{name}: {elapsed:.2f} s of CPU for a million steps"
