"""Detections 1-4, each provoked by a small loop with the bug and silent on its fixed twin."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from torch.optim import lr_scheduler as S

from lrlint.runtime import LRScheduleError, watch
from lrlint.runtime.errors import (
    CAUSE_DIFFERS,
    CAUSE_EXTRA_SCHEDULER_STEP,
    CAUSE_GRADSCALER_SKIP,
    CAUSE_LR_ATTRIBUTE,
    CAUSE_MISSED_SCHEDULER_STEP,
    CAUSE_OPTIMIZER_ONLY_LOADED,
    CAUSE_OUTSIDE_WRITE,
    CAUSE_SCHEDULE_TOO_SHORT,
    CAUSE_SCHEDULER_FIRST,
    KIND_LOAD,
    KIND_LR_ATTRIBUTE,
    KIND_OUTSIDE_WRITE,
    KIND_SCHEDULE,
    KIND_SCHEDULER_STEP,
)


def loss_of(model, inputs, targets):
    return torch.nn.functional.mse_loss(model(inputs), targets)


def model_loss(model):
    return lambda inputs, targets: loss_of(model, inputs, targets)


def train(model, inputs, targets, optimizer, scheduler, steps: int) -> None:
    """The correct loop: optimizer.step(), then scheduler.step()."""
    for _ in range(steps):
        optimizer.zero_grad()
        loss_of(model, inputs, targets).backward()
        optimizer.step()
        scheduler.step()


def findings(error: LRScheduleError, kind: str) -> list:
    return [d for d in error.divergences if d.kind == kind]


# -- 1. the LR differs from the declared schedule -----------------------------------------


def decay(base_lr: float, total: int, floor: float = 0.5):
    """What the seed's author meant: a linear decay from base_lr to floor * base_lr."""
    return lambda step: base_lr * (1 - (1 - floor) * min(step, total) / total)


def test_linear_lr_declared_as_decay_but_warming_up(regression):
    model, inputs, targets = regression()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scheduler = S.LinearLR(optimizer, start_factor=0.5, total_iters=10)  # the bug: a warm-up
    with (
        pytest.raises(LRScheduleError) as caught,
        watch(optimizer, expect=decay(1e-3, 10), scheduler=scheduler),
    ):
        train(model, inputs, targets, optimizer, scheduler, steps=12)
    first = caught.value.divergences[0]
    assert (first.kind, first.step, first.group) == (KIND_SCHEDULE, 0, 0)
    assert (first.expected, first.got) == pytest.approx((1e-3, 5e-4))
    assert first.cause == CAUSE_DIFFERS
    assert "0.0005" in str(caught.value) and "expected" in str(caught.value)


def test_linear_lr_that_really_decays_passes(regression):
    model, inputs, targets = regression()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scheduler = S.LinearLR(optimizer, start_factor=1.0, end_factor=0.5, total_iters=10)
    with watch(optimizer, expect=decay(1e-3, 10), scheduler=scheduler) as w:
        train(model, inputs, targets, optimizer, scheduler, steps=12)
    assert w.history[-1].lrs == pytest.approx((5e-4,))


def test_a_list_shorter_than_the_run_is_reported_once(regression):
    model, inputs, targets = regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=[0.1] * 3):
        for _ in range(6):
            optimizer.zero_grad()
            loss_of(model, inputs, targets).backward()
            optimizer.step()
    assert [(d.step, d.cause) for d in caught.value.divergences] == [(3, CAUSE_SCHEDULE_TOO_SHORT)]


# -- 2. the scheduler stepped before, or more often than, the optimizer -------------------


def test_scheduler_stepped_before_optimizer(regression):
    model, inputs, targets = regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = S.StepLR(optimizer, step_size=3, gamma=0.5)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=scheduler):
        for _ in range(9):
            scheduler.step()  # the bug: before optimizer.step()
            optimizer.zero_grad()
            loss_of(model, inputs, targets).backward()
            optimizer.step()
    error = caught.value
    assert error.skipped_scheduler_steps == [0]
    skipped = findings(error, KIND_SCHEDULER_STEP)
    assert [(d.step, d.cause) for d in skipped] == [(0, CAUSE_SCHEDULER_FIRST)]
    # The whole schedule is shifted one step early: 0.05 at step 2 instead of step 3.
    shifted = findings(error, KIND_SCHEDULE)
    assert (shifted[0].step, shifted[0].expected, shifted[0].got) == (2, 0.1, 0.05)
    assert {d.cause for d in shifted} == {CAUSE_SCHEDULER_FIRST}


def test_scheduler_stepped_after_optimizer_passes(regression):
    model, inputs, targets = regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = S.StepLR(optimizer, step_size=3, gamma=0.5)
    with watch(optimizer, expect=scheduler):
        train(model, inputs, targets, optimizer, scheduler, steps=9)


def batches_with_an_inf_at(inputs, targets, bad_iteration):
    """Eight batches; one holds an inf, as an overflowing batch would."""
    poisoned = inputs.clone()
    poisoned[0, 0] = math.inf
    return [(poisoned if i == bad_iteration else inputs, targets) for i in range(8)]


@pytest.mark.parametrize("fused", [False, True], ids=["skipped-step", "fused-no-op-step"])
def test_gradscaler_skipping_steps_shifts_the_schedule(regression, amp_loop, fused):
    # Non-fused: GradScaler never calls optimizer.step(). Fused: it calls it with found_inf
    # set and the kernel leaves the parameters alone. Either way the scheduler keeps counting.
    model, inputs, targets = regression()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, fused=fused)
    scheduler = S.StepLR(optimizer, step_size=2, gamma=0.5)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=scheduler) as w:
        batches = batches_with_an_inf_at(inputs, targets, 3)
        amp_loop(optimizer, scheduler, batches, model_loss(model), "cpu", torch.bfloat16)
    error = caught.value
    assert error.skipped_scheduler_steps == [3]
    assert [(d.step, d.cause) for d in findings(error, KIND_SCHEDULER_STEP)] == [
        (3, CAUSE_GRADSCALER_SKIP)
    ]
    shifted = findings(error, KIND_SCHEDULE)
    assert shifted[0].step == 3 and shifted[0].cause == CAUSE_GRADSCALER_SKIP
    assert w.optimizer_steps == 7


@pytest.mark.parametrize("fused", [False, True], ids=["skipped-step", "fused-no-op-step"])
def test_scheduler_guarded_by_the_grad_scale_passes(regression, amp_loop, fused):
    model, inputs, targets = regression()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, fused=fused)
    scheduler = S.StepLR(optimizer, step_size=2, gamma=0.5)
    with watch(optimizer, expect=scheduler) as w:
        batches = batches_with_an_inf_at(inputs, targets, 3)
        loss_fn = model_loss(model)
        amp_loop(optimizer, scheduler, batches, loss_fn, "cpu", torch.bfloat16, guard=True)
    assert w.optimizer_steps == 7
    assert [r.lrs[0] for r in w.history] == pytest.approx(
        [1e-2] * 2 + [5e-3] * 2 + [2.5e-3] * 2 + [1.25e-3]
    )


def test_scheduler_stepped_twice_per_iteration(regression):
    model, inputs, targets = regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = S.ExponentialLR(optimizer, gamma=0.9)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=scheduler):
        for _ in range(4):
            optimizer.zero_grad()
            loss_of(model, inputs, targets).backward()
            optimizer.step()
            scheduler.step()
            scheduler.step()  # e.g. once by the loop and once by a callback
    error = caught.value
    assert error.skipped_scheduler_steps == [1, 3, 5, 7]
    assert {d.cause for d in findings(error, KIND_SCHEDULER_STEP)} == {CAUSE_EXTRA_SCHEDULER_STEP}


def test_scheduler_stepped_per_epoch_but_asserted_per_step(regression):
    model, inputs, targets = regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = S.StepLR(optimizer, step_size=4, gamma=0.5)
    with (
        pytest.raises(LRScheduleError) as caught,
        watch(optimizer, expect=scheduler, unit="step"),
    ):
        for _epoch in range(2):
            for _ in range(5):
                optimizer.zero_grad()
                loss_of(model, inputs, targets).backward()
                optimizer.step()
            scheduler.step()
    rows = findings(caught.value, KIND_SCHEDULE)
    assert (rows[0].step, rows[0].expected, rows[0].got) == (4, 0.05, 0.1)
    assert rows[0].cause == CAUSE_MISSED_SCHEDULER_STEP
    (cadence,) = findings(caught.value, KIND_SCHEDULER_STEP)
    assert "every 5 optimizer steps" in cadence.cause


def test_scheduler_stepped_per_epoch_and_declared_per_epoch_passes(regression):
    model, inputs, targets = regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = S.StepLR(optimizer, step_size=1, gamma=0.5)
    with watch(optimizer, expect=scheduler, unit="epoch", steps_per_epoch=5) as w:
        for _epoch in range(3):
            for _ in range(5):
                optimizer.zero_grad()
                loss_of(model, inputs, targets).backward()
                optimizer.step()
            scheduler.step()
    assert [r.lrs[0] for r in w.history] == [0.1] * 5 + [0.05] * 5 + [0.025] * 5


# -- 3. an LR written by something other than the attached scheduler ----------------------


def set_lr(optimizer, lr):
    for group in optimizer.param_groups:
        group["lr"] = lr


@pytest.mark.parametrize("when", ["before-optimizer-step", "before-scheduler-step"])
def test_manual_lr_write_beside_a_scheduler(regression, when):
    model, inputs, targets = regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = S.StepLR(optimizer, step_size=10, gamma=0.5)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=scheduler):
        for step in range(6):
            if step == 3 and when == "before-optimizer-step":
                set_lr(optimizer, 0.01)  # e.g. a "fine-tune from here" helper
            optimizer.zero_grad()
            loss_of(model, inputs, targets).backward()
            optimizer.step()
            if step == 3 and when == "before-scheduler-step":
                set_lr(optimizer, 0.01)
            scheduler.step()
    written = findings(caught.value, KIND_OUTSIDE_WRITE)
    step = 3 if when == "before-optimizer-step" else 4
    assert [(d.step, d.group, d.expected, d.got) for d in written] == [(step, 0, 0.1, 0.01)]
    later = findings(caught.value, KIND_SCHEDULE)
    assert later and {d.cause for d in later} == {CAUSE_OUTSIDE_WRITE}


def test_no_manual_write_passes(regression):
    model, inputs, targets = regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = S.StepLR(optimizer, step_size=10, gamma=0.5)
    with watch(optimizer, expect=scheduler):
        train(model, inputs, targets, optimizer, scheduler, steps=6)


def test_a_second_scheduler_on_the_same_optimizer(regression):
    model, inputs, targets = regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    decay_lr = S.ExponentialLR(optimizer, gamma=0.9)
    warmup = S.LinearLR(optimizer, start_factor=0.5, total_iters=3)  # also writes the LR
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=decay_lr):
        for _ in range(5):
            optimizer.zero_grad()
            loss_of(model, inputs, targets).backward()
            optimizer.step()
            decay_lr.step()
            warmup.step()
    assert findings(caught.value, KIND_OUTSIDE_WRITE)[0].cause == CAUSE_OUTSIDE_WRITE


def test_two_schedulers_chained_and_declared_together_pass(regression):
    model, inputs, targets = regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    chained = S.ChainedScheduler(
        [S.ExponentialLR(optimizer, gamma=0.9), S.LinearLR(optimizer, 0.5, total_iters=3)]
    )
    with watch(optimizer, expect=chained):
        train(model, inputs, targets, optimizer, chained, steps=5)


@pytest.mark.parametrize("reload_optimizer", [True, False], ids=["bug", "fixed"])
def test_checkpoint_load_mid_run(regression, reload_optimizer):
    # "Go back to the best weights" after step 4 — reloading the optimizer's state dict as well
    # rewinds its LR behind the scheduler's back.
    model, inputs, targets = regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = S.StepLR(optimizer, step_size=2, gamma=0.5)
    best = {"model": None, "optimizer": None}
    w = watch(optimizer, expect=scheduler)
    for step in range(6):
        optimizer.zero_grad()
        loss_of(model, inputs, targets).backward()
        optimizer.step()
        scheduler.step()
        if step == 1:
            best = {
                "model": {k: v.clone() for k, v in model.state_dict().items()},
                "optimizer": optimizer.state_dict(),
            }
        if step == 4:
            model.load_state_dict(best["model"])
            if reload_optimizer:
                optimizer.load_state_dict(best["optimizer"])
    if not reload_optimizer:
        w.close()
        return
    with pytest.raises(LRScheduleError) as caught:
        w.close()
    (loaded,) = findings(caught.value, KIND_LOAD)
    assert (loaded.step, loaded.expected, loaded.got) == (5, 0.025, 0.05)
    assert loaded.cause == CAUSE_OPTIMIZER_ONLY_LOADED
    assert not findings(caught.value, KIND_OUTSIDE_WRITE)  # a load, not an outside write


# -- 4. optimizer.lr set on the optimizer object ------------------------------------------


def test_optimizer_lr_attribute_is_reported(regression):
    model, inputs, targets = regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=[0.01] * 6):
        for step in range(6):
            if step == 2:
                optimizer.lr = -0.01  # the seed's bug: ignored by every torch optimizer
            optimizer.zero_grad()
            loss_of(model, inputs, targets).backward()
            optimizer.step()
    error = caught.value
    assert [(d.step, d.got, d.cause) for d in error.divergences] == [(2, -0.01, CAUSE_LR_ATTRIBUTE)]
    assert findings(error, KIND_LR_ATTRIBUTE)[0].group is None


def test_lr_set_through_param_groups_passes(regression):
    model, inputs, targets = regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    with watch(optimizer, expect=[0.01, 0.01] + [-0.01] * 4):
        for step in range(6):
            if step == 2:
                set_lr(optimizer, -0.01)
            optimizer.zero_grad()
            loss_of(model, inputs, targets).backward()
            optimizer.step()
