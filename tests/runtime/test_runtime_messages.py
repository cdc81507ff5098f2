"""What the error says: a diagnosis first (cause, first step, the user's file:line, the fix),
then a compact table; causes that do not stick; torch's own warning at the user's line; and the
schedulers that drive the watched optimizer found without ``expect=``."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")

from torch.optim import lr_scheduler as S

from lrlint.runtime import LRScheduleError, watch
from lrlint.runtime.errors import (
    CAUSE_DIFFERS,
    CAUSE_OUTSIDE_WRITE,
    CAUSE_SCHEDULER_FIRST,
    KIND_SCHEDULE,
    KIND_SCHEDULER_STEP,
    TABLE_ROWS,
)

THIS_FILE = "test_runtime_messages.py"


def sgd(lr=0.1):
    param = torch.nn.Parameter(torch.zeros(3))
    return torch.optim.SGD([param], lr=lr), param


def optimizer_step(optimizer, param):
    param.grad = torch.ones_like(param)
    optimizer.step()


def scheduler_first_run(steps=200):
    optimizer, param = sgd()
    scheduler = S.ExponentialLR(optimizer, gamma=0.99)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=scheduler):
        for _ in range(steps):
            scheduler.step()  # the offending line
            optimizer_step(optimizer, param)
    return caught.value


def test_the_message_leads_with_the_diagnosis():
    error = scheduler_first_run()
    lines = str(error).splitlines()
    assert CAUSE_SCHEDULER_FIRST in lines[0]
    head = "\n".join(lines[:4])
    assert f"{THIS_FILE}:" in head  # the user's scheduler.step() line
    assert "fix:" in head and "after optimizer.step()" in head
    assert "first at scheduler step 0" in head


def test_the_table_is_compact():
    error = scheduler_first_run()
    text = str(error)
    assert error.total > 100
    assert len(error.divergences) == 20  # max_report rows kept; the message shows fewer
    assert f"... and {error.total - TABLE_ROWS} more" in text
    assert len(text.splitlines()) < 40


def test_the_skip_summary_does_not_read_as_a_count():
    text = str(scheduler_first_run(steps=5))
    assert "no optimizer step before them: 0" not in text
    assert "#0" in text


def test_the_site_is_the_users_line_in_the_finding():
    error = scheduler_first_run(steps=5)
    skip = next(d for d in error.divergences if d.kind == KIND_SCHEDULER_STEP)
    assert skip.site and skip.site.split("/")[-1].startswith(THIS_FILE)


def test_an_outside_write_does_not_label_a_later_unrelated_change():
    optimizer, param = sgd()
    scheduler = S.StepLR(optimizer, step_size=100, gamma=0.5)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=scheduler):
        for step in range(10):
            if step == 2:
                optimizer.param_groups[0]["lr"] = 0.05  # an outside write
            if step == 6:
                scheduler.gamma = 0.1  # unrelated, and harmless here...
                scheduler.step_size = 1  # ...until the scheduler's own rule changes
            optimizer_step(optimizer, param)
            scheduler.step()
    rows = [(d.step, d.cause) for d in caught.value.divergences if d.kind == KIND_SCHEDULE]
    assert (3, CAUSE_OUTSIDE_WRITE) in rows
    assert (7, CAUSE_DIFFERS) in rows


def test_a_watched_optimizer_that_never_stepped_is_said_so():
    optimizer, _ = sgd()
    scheduler = S.StepLR(optimizer, step_size=2)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=scheduler):
        for _ in range(3):
            scheduler.step()
    assert "never stepped" in str(caught.value)


def test_torchs_step_order_warning_points_at_the_users_line():
    optimizer, param = sgd()
    scheduler = S.StepLR(optimizer, step_size=2)
    w = watch(optimizer, expect=scheduler)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scheduler.step()  # before optimizer.step(): torch warns
        optimizer_step(optimizer, param)
    w._detach()
    order = [c for c in caught if "lr_scheduler.step()" in str(c.message)]
    assert order and order[0].filename.endswith(THIS_FILE)


# -- no expect=: the schedulers that drive the optimizer are found ---------------------------


def test_without_expect_a_scheduler_first_loop_is_reported():
    optimizer, param = sgd()
    scheduler = S.StepLR(optimizer, step_size=2)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer):
        for _ in range(4):
            scheduler.step()
            optimizer_step(optimizer, param)
    assert caught.value.divergences[0].cause == CAUSE_SCHEDULER_FIRST
    assert type(scheduler) is S.StepLR  # and untapped after


def test_without_expect_a_correct_loop_with_two_schedulers_passes():
    optimizer, param = sgd()
    warmup = S.LinearLR(optimizer, start_factor=0.5, total_iters=3)
    decay = S.ExponentialLR(optimizer, gamma=0.9)
    plateau_free = S.SequentialLR(optimizer, [S.ConstantLR(optimizer), decay], milestones=[2])
    with watch(optimizer) as w:
        for _ in range(5):
            optimizer_step(optimizer, param)
            warmup.step()
            plateau_free.step()
    assert w.optimizer_steps == 5
