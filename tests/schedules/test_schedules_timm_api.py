"""lrlint's timm schedules without timm: the drives, the factory mapping, the errors, and
the fast tables against the mirror. Expected curves are written from timm's documented
semantics (``step(epoch)`` / ``step_update(num_updates)`` set the LR to ``_get_lr(t)``;
only the scheduler's unit moves it), independently of lrlint's implementation.
"""

from __future__ import annotations

import math
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from timm_reference import CLASS_ARGUMENTS, SETTINGS, Case, base_lr_lists, drives, outcome_of

from lrlint.schedules import (
    SCHEDULE_NAMES,
    TIMM_NAMES,
    NoiseNotModelled,
    Param,
    ScheduleError,
    build,
    optimizer_position,
    signature,
)
from lrlint.schedules.timm_fast import lr_columns
from lrlint.schedules.timm_mirror import TIMM_CLASSES
from lrlint.schedules.torch_mirror import Optimizer

STATELESS = sorted(set(CLASS_ARGUMENTS) - {"PlateauLRScheduler"})


def cosine(t: int, total: int, top: float, bottom: float = 0.0) -> float:
    return bottom + 0.5 * (top - bottom) * (1 + math.cos(math.pi * t / total))


# -- the drives ----------------------------------------------------------------------------


def test_per_epoch_loop_as_in_train_py() -> None:
    schedule = build("timm.StepLRScheduler", 0.1, decay_t=2, decay_rate=0.5)
    # After epoch e train.py calls step(e + 1): epoch k runs at 0.1 * 0.5 ** (k // 2).
    assert schedule.values_by_epoch(6) == [0.1 * 0.5 ** (k // 2) for k in range(6)]


def test_warmup_starts_at_warmup_lr_init_and_is_linear() -> None:
    schedule = build("timm.CosineLRScheduler", 1.0, t_initial=10, warmup_t=4, warmup_lr_init=0.2)
    values = schedule.values_by_epoch(6)
    assert values[:4] == pytest.approx([0.2, 0.4, 0.6, 0.8])
    # Without warmup_prefix the warmup is part of t_initial: it hands over to the cosine at t=4.
    assert values[4:] == pytest.approx([cosine(4, 10, 1.0), cosine(5, 10, 1.0)])
    prefixed = build(
        "timm.CosineLRScheduler",
        1.0,
        t_initial=10,
        warmup_t=4,
        warmup_lr_init=0.2,
        warmup_prefix=True,
    ).values_by_epoch(7)
    assert prefixed[4:] == pytest.approx([1.0, cosine(1, 10, 1.0), cosine(2, 10, 1.0)])


def test_epoch_schedule_stepped_only_per_update_never_moves() -> None:
    """The issue's bug: t_in_epochs=True (the default) but only step_update is called."""
    schedule = build("timm.CosineLRScheduler", 0.1, t_initial=100, warmup_t=5, warmup_lr_init=1e-4)
    assert schedule.t_in_epochs
    assert schedule.values_by_update(5000) == [1e-4] * 5000
    # train.py also calls step(epoch + 1) at each epoch end: then it moves once an epoch.
    moving = schedule.values_by_update(300, updates_per_epoch=100)
    assert moving[:100] == [1e-4] * 100
    assert moving[100:200] == [pytest.approx(1e-4 + (0.1 - 1e-4) / 5)] * 100
    assert moving[200] == pytest.approx(1e-4 + 2 * (0.1 - 1e-4) / 5)


def test_update_schedule_stepped_only_per_epoch_never_moves() -> None:
    schedule = build("timm.StepLRScheduler", 0.1, decay_t=10, decay_rate=0.5, t_in_epochs=False)
    assert not schedule.t_in_epochs
    assert schedule.values_by_epoch(50) == [0.1] * 50
    per_update = schedule.values_by_update(25, updates_per_epoch=7)
    assert per_update == [0.1] * 10 + [0.05] * 10 + [0.025] * 5


def test_offset_zero_repeats_the_first_lr() -> None:
    """Lightning's hook passes the epoch just finished: step(0) after epoch 0."""
    kwargs = {"t_initial": 100, "warmup_t": 3, "warmup_lr_init": 0.0}
    train_py = build("timm.CosineLRScheduler", 0.3, **kwargs).values_by_epoch(4)
    lightning = build("timm.CosineLRScheduler", 0.3, **kwargs).values_by_epoch(4, offset=0)
    assert train_py == pytest.approx([0.0, 0.1, 0.2, cosine(3, 100, 0.3)])
    assert lightning == pytest.approx([0.0, 0.0, 0.1, 0.2])


def test_initial_lr_is_the_optimizers_not_the_curve_at_zero() -> None:
    schedule = build("timm.TanhLRScheduler", 0.1, t_initial=10)
    at_zero = 0.5 * 0.1 * (1 - math.tanh(-7.0))
    assert schedule.lr_at(0) == pytest.approx(at_zero) and at_zero != 0.1
    assert schedule.values_by_epoch(3, offset=0) == [0.1, schedule.lr_at(0), schedule.lr_at(1)]


def test_plateau_defaults_to_max_mode_and_cuts_a_falling_loss() -> None:
    losses = [1.0, 0.9, 0.8, 0.7, 0.6]
    schedule = build("timm.PlateauLRScheduler", 0.1, patience_t=1)
    assert schedule.values_by_epoch(6, metrics=losses) == pytest.approx(
        [0.1, 0.1, 0.1, 0.01, 0.01, 0.001]
    )
    minimising = build("timm.PlateauLRScheduler", 0.1, patience_t=1, mode="min")
    assert minimising.values_by_epoch(6, metrics=losses) == [0.1] * 6
    # Without metrics timm's plateau scheduler never reduces; step_update never moves it.
    assert schedule.values_by_epoch(6) == [0.1] * 6
    assert schedule.values_by_update(6) == [0.1] * 6


def test_plateau_stepped_at_epoch_zero_without_warmup_drops_to_warmup_lr_init() -> None:
    # timm: `if epoch <= warmup_t` with warmup_t=0 takes step(0) for the warmup's start.
    schedule = build("timm.PlateauLRScheduler", 0.1, mode="min")
    assert schedule.values_by_epoch(4, offset=0, metrics=[1.0, 0.5, 0.2]) == [0.1, 0.0, 0.0, 0.0]
    assert schedule.values_by_epoch(4, offset=1, metrics=[1.0, 0.5, 0.2]) == [0.1] * 4


def test_torch_style_step_raises_timms_type_error() -> None:
    schedule = build("timm.CosineLRScheduler", 0.1, t_initial=10)
    assert schedule.values(0) == []
    message = "Scheduler.step() missing 1 required positional argument: 'epoch'"
    with pytest.raises(TypeError) as error:
        schedule.values(1)
    assert str(error.value) == message
    lazily = schedule.iter()
    assert next(lazily) == 0.1
    with pytest.raises(TypeError):
        next(lazily)
    # A metric given alone is read as the epoch.
    assert schedule.values(3, metrics=[5, 10]) == [0.1, cosine(5, 10, 0.1), 0.0]
    assert list(schedule.iter(metrics=[5, 10])) == [0.1, cosine(5, 10, 0.1), 0.0]


def test_lr_scale_multiplies_each_group() -> None:
    schedule = build(
        "timm.StepLRScheduler",
        [0.1, 0.2],
        decay_t=1,
        decay_rate=0.5,
        optimizer_defaults={"lr_scale": 0.1},
    )
    values = schedule.values_by_epoch(3)
    expected = [[0.01, 0.02], [0.005, 0.01], [0.0025, 0.005]]
    assert [v for row in values for v in row] == pytest.approx([v for row in expected for v in row])


def test_shapes_follow_base_lr() -> None:
    flat = build("timm.CosineLRScheduler", 0.1, t_initial=5)
    pair = build("timm.CosineLRScheduler", [0.1, 0.2], t_initial=5)
    assert all(type(v) is float for v in flat.values_by_epoch(8))
    assert [row[0] for row in pair.values_by_epoch(8)] == flat.values_by_epoch(8)
    assert flat.lr_at(2) == pair.lr_at(2)[0]


# -- noise ----------------------------------------------------------------------------------


def test_noise_is_refused_only_where_it_touches_a_returned_lr() -> None:
    schedule = build("timm.CosineLRScheduler", 0.1, t_initial=100, noise_range_t=[50, 60])
    assert schedule.values_by_epoch(50) == build(
        "timm.CosineLRScheduler", 0.1, t_initial=100
    ).values_by_epoch(50)  # the 50th step's noise affects no returned LR
    with pytest.raises(NoiseNotModelled, match=r"step 50 .*noise_range_t=\[50, 60\]"):
        schedule.values_by_epoch(51)
    assert isinstance(NoiseNotModelled("x"), ScheduleError)
    with pytest.raises(NoiseNotModelled):
        schedule.lr_at(55)
    assert schedule.lr_at(70) == cosine(70, 100, 0.1)
    # Per update, an epoch-based schedule never moves: no noise either.
    assert schedule.values_by_update(200) == [0.1] * 200


def test_noise_on_a_zero_lr_leaves_it_zero() -> None:
    schedule = build("timm.CosineLRScheduler", 0.1, t_initial=10, noise_range_t=10)
    assert schedule.values_by_epoch(30)[11:] == [0.0] * 19


def test_factory_noise_is_a_fraction_of_the_schedule() -> None:
    schedule = build("timm.create_scheduler_v2", 0.1, sched="cosine", num_epochs=10, noise=0.5)
    assert schedule.resolved().kwargs["noise_range_t"] == 5.0
    assert len(schedule.values_by_epoch(5)) == 5
    with pytest.raises(NoiseNotModelled):
        schedule.values_by_epoch(7)


# -- the factories -------------------------------------------------------------------------


def test_factory_lengths_are_in_updates_when_scheduled_on_updates() -> None:
    common = {"sched": "cosine", "num_epochs": 10, "warmup_epochs": 2, "cooldown_epochs": 3}
    per_update = build(
        "timm.create_scheduler_v2", 0.1, **common, step_on_epochs=False, updates_per_epoch=100
    )
    resolved = per_update.resolved()
    assert resolved.name == "timm.CosineLRScheduler"
    assert resolved.kwargs["t_initial"] == 1000 and resolved.kwargs["warmup_t"] == 200
    assert resolved.kwargs["t_in_epochs"] is False and not per_update.t_in_epochs
    assert per_update.num_epochs == 13  # (1000 + 300 cooldown updates) // 100
    per_epoch = build("timm.create_scheduler_v2", 0.1, **common)
    assert per_epoch.resolved().kwargs["t_initial"] == 10 and per_epoch.t_in_epochs
    prefixed = build("timm.create_scheduler_v2", 0.1, **common, warmup_prefix=True)
    assert prefixed.num_epochs == 15
    assert per_update.values_by_update(1000) == resolved.values_by_update(1000)


def test_factory_step_multistep_and_plateau() -> None:
    step = build(
        "timm.create_scheduler_v2",
        0.1,
        sched="step",
        decay_epochs=3,
        step_on_epochs=False,
        updates_per_epoch=4,
    ).resolved()
    assert (step.name, step.kwargs["decay_t"]) == ("timm.StepLRScheduler", 12)
    multistep = build(
        "timm.create_scheduler_v2",
        0.1,
        sched="multistep",
        decay_milestones=[2, 5],
        step_on_epochs=False,
        updates_per_epoch=4,
    ).resolved()
    assert multistep.kwargs["decay_t"] == [8, 20]
    plateau = build("timm.create_scheduler_v2", 0.1, sched="plateau").resolved()
    assert plateau.name == "timm.PlateauLRScheduler" and plateau.kwargs["mode"] == "max"
    with pytest.raises(AssertionError, match="Plateau LR only supports step per epoch"):
        build(
            "timm.create_scheduler_v2",
            0.1,
            sched="plateau",
            step_on_epochs=False,
            updates_per_epoch=3,
        )
    with pytest.raises(AssertionError, match="updates_per_epoch must be set"):
        build("timm.create_scheduler_v2", 0.1, step_on_epochs=False)


def test_create_scheduler_reads_train_py_args() -> None:
    class Args:
        sched = "cosine"
        epochs = 20
        warmup_epochs = 2
        sched_on_updates = True
        eval_metric = "loss"

    schedule = build("timm.create_scheduler", 0.1, args=Args(), updates_per_epoch=10)
    resolved = schedule.resolved()
    assert resolved.kwargs["t_initial"] == 200 and resolved.kwargs["warmup_t"] == 20
    # scheduler_kwargs' own defaults, not create_scheduler_v2's.
    assert resolved.kwargs["warmup_lr_init"] == 1e-5 and resolved.kwargs["cycle_decay"] == 0.1
    assert optimizer_position("timm.create_scheduler") == 1
    Args.sched = "plateau"
    Args.sched_on_updates = False
    plateau = build("timm.create_scheduler", 0.1, args=Args()).resolved()
    assert plateau.kwargs["mode"] == "min"  # 'loss' in eval_metric


def test_no_scheduler_and_resumed_runs_are_schedule_errors() -> None:
    with pytest.raises(ScheduleError, match="sched='none'"):
        build("timm.create_scheduler_v2", 0.1, sched="none")
    resumed = build("timm.CosineLRScheduler", 0.1, t_initial=10, initialize=False)
    with pytest.raises(ScheduleError, match="initialize=False"):
        resumed.values_by_epoch(3)
    with pytest.raises(ScheduleError, match="follows the metric"):
        build("timm.PlateauLRScheduler", 0.1).lr_at(3)


# -- arguments and registration ----------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.values_by_epoch(-1),
        lambda s: s.values_by_epoch(3, offset=1.0),
        lambda s: s.values_by_update(3, updates_per_epoch=0),
        lambda s: s.values_by_update(3, updates_per_epoch=2.0),
    ],
)
def test_drive_arguments_are_checked(call: Any) -> None:
    with pytest.raises(ValueError):
        call(build("timm.CosineLRScheduler", 0.1, t_initial=10))


def test_metrics_need_an_epoch_step_and_enough_values() -> None:
    schedule = build("timm.PlateauLRScheduler", 0.1)
    with pytest.raises(ScheduleError, match="updates_per_epoch"):
        schedule.values_by_update(10, metrics=[1.0])
    with pytest.raises(ScheduleError, match="at least 4 metrics"):
        schedule.values_by_epoch(5, metrics=[1.0])
    with pytest.raises(ScheduleError, match="at least 2 metrics"):
        schedule.values_by_update(10, updates_per_epoch=4, metrics=[1.0])
    with pytest.raises(ScheduleError, match="at least 2 metrics"):
        schedule.values(3, metrics=[1.0])


def test_registration_leaves_the_static_names_alone() -> None:
    assert not any(name.startswith("timm.") for name in SCHEDULE_NAMES)
    assert {f"timm.{name}" for name in TIMM_CLASSES} < TIMM_NAMES
    assert {"timm.create_scheduler", "timm.create_scheduler_v2"} < TIMM_NAMES
    assert signature("timm.CosineLRScheduler")[:2] == (Param("t_initial"), Param("lr_min", 0.0))
    with pytest.raises(ScheduleError, match="timm.CosineLRScheduler"):
        build("timm.CosineLR", 0.1)
    schedule = build("timm.CosineLRScheduler", 0.1, t_initial=10)
    assert repr(schedule) == "build('timm.CosineLRScheduler', 0.1, t_initial=10)"
    assert schedule.arguments["warmup_prefix"] is False and schedule.num_epochs is None
    assert schedule.resolved() is schedule


def test_evaluating_a_timm_schedule_does_not_import_torch() -> None:
    code = (
        "import sys\n"
        "from lrlint.schedules import build\n"
        "s = build('timm.create_scheduler_v2', 0.1, sched='plateau')\n"
        "s.values_by_epoch(20, metrics=[1.0] * 19)\n"
        "build('timm.CosineLRScheduler', 0.1, t_initial=9).values_by_update(50)\n"
        "assert 'torch' not in sys.modules and 'timm' not in sys.modules\n"
    )
    run = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


# -- the fast tables and the drives against the mirror ---------------------------------------


def mirror(name: str, base_lrs: list[float], kwargs: dict[str, Any]) -> Any:
    return TIMM_CLASSES[name](Optimizer(base_lrs, {"momentum": 0.0}), **kwargs)


@pytest.mark.parametrize("name", STATELESS)
@SETTINGS
@given(
    data=st.data(),
    base_lrs=base_lr_lists,
    start=st.integers(0, 3) | st.integers(0, 500),
    span=st.integers(0, 800),
)
def test_fast_tables_equal_the_mirror(
    name: str, data: st.DataObject, base_lrs: list[float], start: int, span: int
) -> None:
    kwargs = data.draw(st.composite(lambda draw: CLASS_ARGUMENTS[name](draw))())
    scheduler = mirror(name, base_lrs, kwargs)
    expected = outcome_of(lambda: [scheduler._get_lr(t) for t in range(start, start + span)])
    try:
        columns = lr_columns(scheduler, start, start + span)
    except Exception:  # noqa: BLE001 - the caller then lets the mirror raise
        assert expected[0] == "raise", "the fast table raised where the mirror does not"
        return
    if columns is not None:
        assert ("ok", repr([list(row) for row in zip(*columns)])) == expected


def test_fast_tables_cover_the_usual_arguments() -> None:
    usual = {
        "CosineLRScheduler": {"t_initial": 50, "warmup_t": 5, "cycle_limit": 3, "lr_min": 1e-5},
        "PolyLRScheduler": {"t_initial": 50, "warmup_t": 5, "warmup_prefix": True},
        "TanhLRScheduler": {"t_initial": 50, "warmup_t": 5},
        "StepLRScheduler": {"decay_t": 30, "decay_rate": 0.1, "warmup_t": 5},
        "MultiStepLRScheduler": {"decay_t": [30, 60], "decay_rate": 0.1},
        "WSDLRScheduler": {"t_initial": 100, "decay_t": 20, "warmup_t": 5},
    }
    for name, kwargs in usual.items():
        scheduler = mirror(name, [0.1, 0.02], kwargs)
        columns = lr_columns(scheduler, 0, 200)
        assert columns is not None, name
        assert [list(row) for row in zip(*columns)] == [scheduler._get_lr(t) for t in range(200)]


@pytest.mark.parametrize("name", sorted(CLASS_ARGUMENTS))
@SETTINGS
@given(data=st.data(), base_lrs=base_lr_lists, n=st.integers(1, 600))
def test_drives_equal_the_loop_on_the_mirror(
    name: str, data: st.DataObject, base_lrs: list[float], n: int
) -> None:
    kwargs = data.draw(st.composite(lambda draw: CLASS_ARGUMENTS[name](draw))())
    drive = data.draw(drives())
    metrics = None
    if drive.kind == "epoch" or drive.updates_per_epoch is not None:
        metrics = data.draw(st.none() | st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n))

    case = Case(name, base_lrs, kwargs, drive, n, metrics)
    optimizer = Optimizer(base_lrs, {"momentum": 0.0})
    assert outcome_of(case.lrlint) == outcome_of(lambda: case.run(TIMM_CLASSES[name], optimizer))


def test_a_million_updates_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    schedule = build("timm.CosineLRScheduler", 0.1, t_initial=10**6, t_in_epochs=False)
    last = schedule.lr_at(10**6 - 1)

    def not_step_by_step(self: Any, t: Any) -> Any:
        raise AssertionError("the mirror was stepped")

    monkeypatch.setattr(TIMM_CLASSES["CosineLRScheduler"], "_get_lr", not_step_by_step)
    values = schedule.values_by_update(10**6)
    assert len(values) == 10**6 and values[0] == 0.1 and values[-1] == last
