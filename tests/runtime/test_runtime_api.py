"""The watch's interface: forms of ``expect``, ``groups``, ``history``, check/close, the error
message, and leaving the optimizer and scheduler as they were."""

from __future__ import annotations

import copy
import io
import pickle
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")

from torch.optim import lr_scheduler as S

from lrlint import schedules
from lrlint.runtime import LRScheduleError, Watch, watch
from lrlint.runtime.errors import CAUSE_OUTSIDE_WRITE, Divergence, format_table


def two_group_optimizer():
    body, head = torch.nn.Parameter(torch.zeros(3)), torch.nn.Parameter(torch.zeros(2))
    optimizer = torch.optim.SGD([{"params": [body]}, {"params": [head], "lr": 0.01}], lr=0.1)
    return optimizer, (body, head)


def step(optimizer, params, scheduler=None):
    for p in params:
        p.grad = torch.ones_like(p)
    optimizer.step()
    if scheduler is not None:
        scheduler.step()


def test_expect_accepts_a_schedule_built_by_lrlint_schedules():
    optimizer, params = two_group_optimizer()
    scheduler = S.StepLR(optimizer, step_size=2, gamma=0.5)
    declared = schedules.build("StepLR", [0.1, 0.01], step_size=2, gamma=0.5)
    with watch(optimizer, expect=declared, scheduler=scheduler) as w:
        for _ in range(5):
            step(optimizer, params, scheduler)
    assert [r.lrs for r in w.history][-1] == pytest.approx((0.025, 0.0025))


def test_expect_accepts_a_callable_with_one_lr_per_group():
    optimizer, params = two_group_optimizer()
    with watch(optimizer, expect=lambda k: [0.1, 0.01]) as w:
        for _ in range(3):
            step(optimizer, params)
    assert w.groups == [0, 1]
    assert w.history[0].lrs == (0.1, 0.01)


def test_groups_restricts_the_watch():
    optimizer, params = two_group_optimizer()
    with watch(optimizer, expect=[0.01] * 4, groups=[1]) as w:
        for k in range(4):
            optimizer.param_groups[0]["lr"] = 0.1 / (k + 1)  # group 0 is not watched
            step(optimizer, params)
    assert [r.lrs for r in w.history] == [(0.01,)] * 4


@pytest.mark.parametrize(
    "options,message",
    [
        ({"groups": [2]}, "groups="),
        ({"unit": "epoch"}, "steps_per_epoch"),
        ({"unit": "batch"}, "unit="),
        ({"expect": 0.1}, "expect="),
    ],
)
def test_bad_arguments_are_refused(options, message):
    optimizer, _ = two_group_optimizer()
    with pytest.raises((ValueError, TypeError), match=message):
        watch(optimizer, **options)


def test_the_scheduler_must_step_the_watched_optimizer():
    optimizer, _ = two_group_optimizer()
    other, _ = two_group_optimizer()
    with pytest.raises(ValueError, match="different optimizer"):
        watch(optimizer, expect=S.StepLR(other, step_size=2))


def test_a_plateau_schedule_needs_its_scheduler():
    optimizer, _ = two_group_optimizer()
    declared = schedules.build("ReduceLROnPlateau", [0.1, 0.01], patience=1)
    with pytest.raises(ValueError, match="scheduler="):
        watch(optimizer, expect=declared)


def test_check_mid_run_then_continue():
    optimizer, params = two_group_optimizer()
    w = watch(optimizer, expect=lambda k: [0.1, 0.01] if k < 2 else [0.2, 0.01])
    step(optimizer, params)
    w.check()  # nothing wrong yet
    step(optimizer, params)
    step(optimizer, params)
    with pytest.raises(LRScheduleError) as caught:
        w.check()
    assert [(d.step, d.group) for d in caught.value.divergences] == [(2, 0)]
    with pytest.raises(LRScheduleError):
        w.close()
    w.close()  # closing twice does nothing
    step(optimizer, params)  # detached: no longer recorded
    assert len(w.history) == 3


def test_an_exception_in_the_block_keeps_its_type_and_gets_the_findings_as_a_note():
    optimizer, params = two_group_optimizer()
    with pytest.raises(KeyError) as caught, watch(optimizer, expect=[0.5, 0.5]):
        step(optimizer, params)
        raise KeyError("data loader broke")
    assert "learning rate diverged" in "\n".join(caught.value.__notes__)
    assert not optimizer._optimizer_step_pre_hooks


def test_close_restores_optimizer_and_scheduler():
    optimizer, params = two_group_optimizer()
    scheduler = S.ExponentialLR(optimizer, gamma=0.9)
    with watch(optimizer, expect=scheduler, probe_every=1):
        assert type(scheduler) is not S.ExponentialLR  # tapped while watched
        assert type(scheduler).__name__ == "ExponentialLR"
        step(optimizer, params, scheduler)
    assert type(scheduler) is S.ExponentialLR
    assert not optimizer._optimizer_step_pre_hooks
    assert not optimizer._optimizer_step_post_hooks


def test_a_watched_scheduler_still_saves_and_pickles():
    optimizer, params = two_group_optimizer()
    scheduler = S.StepLR(optimizer, step_size=2)
    with watch(optimizer, expect=scheduler):
        step(optimizer, params, scheduler)
        buffer = io.BytesIO()
        torch.save({"scheduler": scheduler.state_dict()}, buffer)
        assert "step" not in scheduler.state_dict()
        clone = pickle.loads(pickle.dumps(scheduler))
        assert type(clone) is S.StepLR and clone.last_epoch == 1
        assert type(copy.deepcopy(scheduler)) is S.StepLR


def test_two_watches_cannot_tap_one_scheduler():
    optimizer, _ = two_group_optimizer()
    scheduler = S.StepLR(optimizer, step_size=2)
    with watch(optimizer, expect=scheduler), pytest.raises(RuntimeError, match="already"):
        watch(optimizer, expect=scheduler)


def test_the_error_is_an_aligned_table():
    rows = [
        Divergence("outside-write", 12, 0, 0.1, 0.01, CAUSE_OUTSIDE_WRITE),
        Divergence("schedule", 1234, 10, 1.5e-05, 3e-05, "schedule differs from the declared one"),
    ]
    lines = format_table(rows).splitlines()
    assert lines[0].split() == ["step", "group", "expected", "got", "likely", "cause"]
    # columns line up: every row puts its cause at the same offset
    offsets = {line.index(cause) for line, cause in zip(lines[1:], [r.cause for r in rows])}
    assert len(offsets) == 1
    assert "1.5e-05" in lines[2] and "0.01" in lines[1]
    error = LRScheduleError(rows, total=7, optimizer_steps=2000, skipped_scheduler_steps=[3])
    text = str(error)
    assert text.startswith(f"learning rate diverged: {CAUSE_OUTSIDE_WRITE}")
    assert "findings: 7 over 2000 optimizer step(s), first 2:" in text
    assert "... and 5 more" in text
    assert "no optimizer step since the previous one: #3" in text
    assert isinstance(error, AssertionError)


def test_importing_the_package_or_plugin_does_not_import_torch():
    code = (
        "import sys, lrlint.runtime, lrlint.runtime.pytest_plugin; "
        "assert 'torch' not in sys.modules, 'torch imported'; "
        "from lrlint.runtime import LRScheduleError; "
        "assert 'torch' not in sys.modules; "
        "from lrlint.runtime import watch; assert 'torch' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_watch_is_the_class_factory():
    optimizer, _ = two_group_optimizer()
    w = watch(optimizer)
    assert isinstance(w, Watch)
    w.close()


class ClippingSGD(torch.optim.SGD):
    """A subclass whose step calls super().step(): torch hooks both, so hooks fire twice."""

    def step(self, closure=None):
        for group in self.param_groups:
            torch.nn.utils.clip_grad_norm_(group["params"], 1.0)
        return super().step(closure)


def test_a_subclass_calling_super_step_counts_one_step_per_update():
    torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)  # hooks SGD.step itself
    param = torch.nn.Parameter(torch.zeros(3))
    optimizer = ClippingSGD([param], lr=0.1)
    fired = []
    optimizer.register_step_pre_hook(lambda *_: fired.append(1))
    scheduler = S.StepLR(optimizer, step_size=2, gamma=0.5)
    with watch(optimizer, expect=scheduler, probe_every=2) as w:
        for _ in range(4):
            step(optimizer, [param], scheduler)
    assert len(fired) == 8  # torch ran the hooks twice per update...
    assert w.optimizer_steps == 4  # ...the watch counted each update once
    assert [r.ratio for r in w._probe.results] == pytest.approx([-0.5, -0.5])
