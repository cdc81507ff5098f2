"""Checkpoints: a watch started before ``load_state_dict`` follows the loaded state; a resumed
run whose schedule restarts, or that loaded only one of optimizer and scheduler, is reported."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from torch.optim import lr_scheduler as S

from lrlint.runtime import LRScheduleError, watch
from lrlint.runtime.errors import (
    CAUSE_OPTIMIZER_ONLY_LOADED,
    CAUSE_RESTARTED_SCHEDULE,
    CAUSE_SCHEDULER_ONLY_LOADED,
    KIND_LOAD,
)


def build(regression, scheduler_factory=lambda o: S.StepLR(o, step_size=3, gamma=0.5)):
    model, inputs, targets = regression()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    scheduler = scheduler_factory(optimizer)

    def iteration():
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(inputs), targets).backward()
        optimizer.step()
        scheduler.step()

    return optimizer, scheduler, iteration


def checkpoint_after(regression, steps, **kwargs):
    optimizer, scheduler, iteration = build(regression, **kwargs)
    for _ in range(steps):
        iteration()
    return {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}


@pytest.mark.parametrize("order", ["optimizer-first", "scheduler-first"])
def test_a_watch_started_before_a_resume_follows_the_loaded_state(regression, order):
    saved = checkpoint_after(regression, 7)
    optimizer, scheduler, iteration = build(regression)
    with watch(optimizer, expect=scheduler) as w:  # how lr_watch is used on a resumed run
        if order == "optimizer-first":
            optimizer.load_state_dict(saved["optimizer"])
            scheduler.load_state_dict(saved["scheduler"])
        else:
            scheduler.load_state_dict(saved["scheduler"])
            optimizer.load_state_dict(saved["optimizer"])
        for _ in range(6):
            iteration()
    assert [r.lrs[0] for r in w.history] == pytest.approx(
        [0.01 * 0.5 ** ((7 + k) // 3) for k in range(6)]
    )


def test_a_plateau_scheduler_resumed_under_the_watch_passes(regression):
    plateau = lambda o: S.ReduceLROnPlateau(o, patience=0, factor=0.5)
    model, _, _ = regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = plateau(optimizer)
    for _ in range(3):
        optimizer.step()
        scheduler.step(1.0)
    saved = {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = plateau(optimizer)
    with watch(optimizer, expect=scheduler) as w:
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        for _ in range(3):
            optimizer.step()
            scheduler.step(1.0)
    assert [r.lrs[0] for r in w.history] == pytest.approx([0.025, 0.0125, 0.00625])


def test_only_the_optimizer_loaded_is_reported(regression):
    saved = checkpoint_after(regression, 7)
    optimizer, scheduler, iteration = build(regression)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=scheduler):
        for _ in range(2):
            iteration()
        optimizer.load_state_dict(saved["optimizer"])  # the scheduler goes on from step 2
        for _ in range(4):
            iteration()
    first = caught.value.divergences[0]
    assert (first.kind, first.cause) == (KIND_LOAD, CAUSE_OPTIMIZER_ONLY_LOADED)
    assert (first.step, first.expected, first.got) == pytest.approx((2, 0.01, 0.0025))
    assert "test_runtime_resume.py" in (first.site or "")
    later = {d.cause for d in caught.value.divergences[1:]}
    assert later == {CAUSE_OPTIMIZER_ONLY_LOADED}  # the scheduler carries the rewound LR on


def test_only_the_scheduler_loaded_is_reported(regression):
    saved = checkpoint_after(regression, 7)
    optimizer, scheduler, iteration = build(regression)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=scheduler):
        scheduler.load_state_dict(saved["scheduler"])  # the optimizer keeps its fresh LR
        for _ in range(4):
            iteration()
    first = caught.value.divergences[0]
    assert (first.kind, first.cause) == (KIND_LOAD, CAUSE_SCHEDULER_ONLY_LOADED)


def test_a_resumed_optimizer_with_a_fresh_scheduler_is_reported_at_watch_start(regression):
    saved = checkpoint_after(regression, 7)
    optimizer, scheduler, iteration = build(regression)
    optimizer.load_state_dict(saved["optimizer"])  # loaded before the watch: Adam's step is 7
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=scheduler):
        for _ in range(2):
            iteration()
    first = caught.value.divergences[0]
    assert (first.kind, first.cause) == (KIND_LOAD, CAUSE_RESTARTED_SCHEDULE)
    assert "7" in str(caught.value)


def test_a_fresh_run_is_not_a_restart(regression):
    optimizer, scheduler, iteration = build(regression)
    with watch(optimizer, expect=scheduler):
        for _ in range(3):
            iteration()


def test_a_resume_of_both_before_the_watch_passes(regression):
    saved = checkpoint_after(regression, 7)
    optimizer, scheduler, iteration = build(regression)
    optimizer.load_state_dict(saved["optimizer"])
    scheduler.load_state_dict(saved["scheduler"])
    with watch(optimizer, expect=scheduler) as w:
        for _ in range(3):
            iteration()
    assert w.history[0].lrs[0] == pytest.approx(0.01 * 0.5**2)
