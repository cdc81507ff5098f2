"""A watch never breaks the run it watches: nothing it does raises inside ``optimizer.step`` or
``scheduler.step``, a failed ``watch()`` leaves nothing behind, param groups added later are
watched, a watch never closed says so, and a missing torch gets a clear message."""

from __future__ import annotations

import gc
import subprocess
import sys
import warnings

import pytest

torch = pytest.importorskip("torch")

from torch.optim import lr_scheduler as S

from lrlint import schedules
from lrlint.runtime import LRScheduleError, LRWatchWarning, watch
from lrlint.runtime.errors import CAUSE_ADDED_GROUP, KIND_OUTSIDE_WRITE, KIND_SCHEDULE


def params(n=1):
    return [torch.nn.Parameter(torch.zeros(3)) for _ in range(n)]


def set_grads(optimizer):
    for group in optimizer.param_groups:
        for p in group["params"]:
            p.grad = torch.ones_like(p)


def iterate(optimizer, scheduler=None):
    set_grads(optimizer)
    optimizer.step()
    if scheduler is not None:
        scheduler.step()


# -- param groups added during the watch ------------------------------------------------------


def test_writing_the_lr_of_an_added_group_does_not_crash_the_step():
    optimizer = torch.optim.SGD(params(), lr=0.1)
    scheduler = S.StepLR(optimizer, step_size=3, gamma=0.5)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=scheduler) as w:
        iterate(optimizer, scheduler)
        optimizer.add_param_group({"params": params(), "lr": 0.05})
        iterate(optimizer, scheduler)
        optimizer.param_groups[1]["lr"] = 0.02  # the write that raised IndexError in the hook
        for _ in range(3):
            iterate(optimizer, scheduler)
    assert w.groups == [0, 1]
    written = [d for d in caught.value.divergences if d.kind == KIND_OUTSIDE_WRITE]
    assert [(d.step, d.group, d.expected, d.got) for d in written] == [(2, 1, 0.05, 0.02)]


def test_an_added_group_far_above_the_others_is_reported():
    optimizer = torch.optim.SGD(params(), lr=0.1)
    scheduler = S.ExponentialLR(optimizer, gamma=0.5)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=scheduler):
        for step in range(6):
            if step == 3:  # the others have decayed to 0.0125; the new group starts at 1.0
                optimizer.add_param_group({"params": params(), "lr": 1.0})
            iterate(optimizer, scheduler)
    (row,) = caught.value.divergences
    assert (row.step, row.group, row.cause) == (3, 1, CAUSE_ADDED_GROUP)
    assert (row.expected, row.got) == pytest.approx((0.0125, 1.0))


def test_an_added_group_below_the_others_follows_the_schedule_quietly():
    # Progressive unfreezing: the backbone joins later at a tenth of the LR.
    optimizer = torch.optim.SGD(params(), lr=0.1)
    scheduler = S.StepLR(optimizer, step_size=2, gamma=0.5)
    with watch(optimizer, expect=scheduler) as w:
        for step in range(8):
            if step == 3:
                optimizer.add_param_group({"params": params(), "lr": 0.005})
            iterate(optimizer, scheduler)
    assert w.history[-1].lrs == pytest.approx((0.0125, 0.00125))


def test_an_added_group_is_checked_against_a_declared_lr_for_every_group():
    optimizer = torch.optim.SGD(params(), lr=0.1)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=lambda step: 0.1):
        iterate(optimizer)
        optimizer.add_param_group({"params": params(), "lr": 10.0})
        iterate(optimizer)
    rows = [(d.step, d.group, d.got) for d in caught.value.divergences if d.kind == KIND_SCHEDULE]
    assert rows[0] == (1, 1, 10.0)


def test_an_added_group_that_leaves_the_schedule_is_reported():
    optimizer = torch.optim.SGD(params(), lr=0.1)
    scheduler = S.StepLR(optimizer, step_size=2, gamma=0.5)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=scheduler):
        for step in range(6):
            if step == 1:
                optimizer.add_param_group({"params": params(), "lr": 0.01})
            if step == 4:
                optimizer.param_groups[1]["lr"] = 0.02  # someone bumps the new group's LR
            iterate(optimizer, scheduler)
    first, *later = caught.value.divergences
    assert (first.kind, first.step, first.group, first.got) == (KIND_OUTSIDE_WRITE, 4, 1, 0.02)
    assert {d.group for d in later} <= {1}


# -- nothing the watch does raises inside a step ----------------------------------------------


def test_an_internal_error_never_reaches_the_training_loop():
    optimizer = torch.optim.SGD(params(), lr=0.1)
    scheduler = S.StepLR(optimizer, step_size=100)
    w = watch(optimizer, expect=[0.1] * 10, scheduler=scheduler)
    w._on_optimizer_step = None  # the analysis breaks: every hook call would raise
    for _ in range(4):
        iterate(optimizer, scheduler)  # the run goes on
    with pytest.warns(LRWatchWarning, match="internal error"):
        w.close()
    assert w.internal_errors and "TypeError" in w.internal_errors[0]
    assert not optimizer._optimizer_step_pre_hooks
    assert type(scheduler) is S.StepLR


def test_a_failing_declared_schedule_is_an_internal_error_not_a_crash():
    optimizer = torch.optim.SGD(params(), lr=0.1)
    w = watch(optimizer, expect=lambda step: 0.1 / (1 - step) if step else 0.1)  # fails at 1
    for _ in range(3):
        iterate(optimizer)
    with pytest.warns(LRWatchWarning, match="ZeroDivisionError"):
        w.close()


# -- watch() is all or nothing ----------------------------------------------------------------


def test_a_failed_watch_leaves_nothing_patched():
    optimizer = torch.optim.SGD(params(), lr=0.1)
    scheduler = S.StepLR(optimizer, step_size=2)
    with pytest.raises(ValueError):
        watch(optimizer, expect=scheduler, probe_every=-1)
    assert type(scheduler) is S.StepLR
    assert not optimizer._optimizer_step_pre_hooks and not optimizer._optimizer_step_post_hooks
    assert not optimizer._optimizer_load_state_dict_post_hooks
    with watch(optimizer, expect=scheduler):  # and it can be watched again
        iterate(optimizer, scheduler)


def test_a_watch_failing_after_the_tap_removes_it(monkeypatch):
    optimizer = torch.optim.SGD(params(), lr=0.1)
    scheduler = S.StepLR(optimizer, step_size=2)

    def refuse(*args, **kwargs):
        raise RuntimeError("no more hooks")

    monkeypatch.setattr(optimizer, "register_step_pre_hook", refuse)
    with pytest.raises(RuntimeError, match="no more hooks"):
        watch(optimizer, expect=scheduler)
    monkeypatch.undo()
    assert type(scheduler) is S.StepLR
    with watch(optimizer, expect=scheduler):
        iterate(optimizer, scheduler)


# -- a watch that is never closed -------------------------------------------------------------


def test_a_watch_never_closed_warns():
    def forgotten():
        optimizer = torch.optim.SGD(params(), lr=0.1)
        watch(optimizer, expect=[0.5] * 3)
        iterate(optimizer)  # a finding nobody will ever see

    def forget_and_collect():
        forgotten()
        gc.collect()

    with pytest.warns(LRWatchWarning, match="never closed.*1 finding"):
        forget_and_collect()


def test_a_closed_watch_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", LRWatchWarning)
        optimizer = torch.optim.SGD(params(), lr=0.1)
        with watch(optimizer, expect=[0.1] * 3):
            iterate(optimizer)
        del optimizer
        gc.collect()


def test_a_watch_that_saw_no_optimizer_step_warns():
    optimizer = torch.optim.SGD(params(), lr=0.1)
    copy = torch.optim.SGD(params(), lr=0.1)  # e.g. the loop steps another optimizer
    with pytest.warns(LRWatchWarning, match="never stepped"), watch(optimizer, expect=[0.1]):
        iterate(copy)


# -- torch missing ----------------------------------------------------------------------------


def test_without_torch_the_message_says_what_to_install():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "import lrlint.runtime, lrlint.runtime.pytest_plugin\n"
        "try:\n"
        "    from lrlint.runtime import watch\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "lrlint[runtime]" in out.stdout
    assert "torch" in out.stdout


def test_importing_an_integration_does_not_import_its_framework_until_used():
    code = (
        "import sys, lrlint.runtime.integrations\n"
        "assert 'transformers' not in sys.modules and 'lightning' not in sys.modules\n"
        "assert 'torch' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_schedule_from_lrlint_schedules_still_works_with_added_groups():
    optimizer = torch.optim.SGD(params(), lr=0.1)
    declared = schedules.build("StepLR", 0.1, step_size=2, gamma=0.5)
    scheduler = S.StepLR(optimizer, step_size=2, gamma=0.5)
    with watch(optimizer, expect=declared, scheduler=scheduler) as w:
        iterate(optimizer, scheduler)
        optimizer.add_param_group({"params": params(), "lr": 0.1})
        for _ in range(4):
            iterate(optimizer, scheduler)
    assert w.history[-1].lrs == pytest.approx((0.025, 0.025))
