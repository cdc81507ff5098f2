"""LR012 get-lr-call: `scheduler.get_lr()` is not the current LR."""

from __future__ import annotations

import warnings

import pytest
from lintkit import findings, fixed

HEADER = """\
import torch
from torch.optim import lr_scheduler

model = torch.nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
"""


STEP_LR_LOOP = HEADER + """\
scheduler = lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
for epoch in range(90):
    optimizer.step()
    scheduler.step()
    print(scheduler.get_lr()[0])
"""


def test_step_lr_message_quotes_the_wrong_value_torch_returns():
    [finding] = findings(STEP_LR_LOOP, "LR012")
    assert "at step 30 it returns 1e-3 while the optimizer's LR is 0.01" in finding.message


def test_get_lr_at_step_30_in_torch_is_the_quoted_value():
    """The numbers the message above quotes are torch's own."""
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
    for _ in range(30):
        opt.step()
        sched.step()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert sched.get_lr()[0] == pytest.approx(1e-3)
    assert sched.get_last_lr()[0] == pytest.approx(0.01)


def test_exponential_lr_differs_from_the_first_step():
    source = HEADER + """\
scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=0.5)
for epoch in range(10):
    optimizer.step()
    scheduler.step()
    lr = scheduler.get_lr()
"""
    [finding] = findings(source, "LR012")
    assert "at step 0 it returns 0.05 while the optimizer's LR is 0.1" in finding.message


@pytest.mark.parametrize("build", [
    ("lr_scheduler.SequentialLR(optimizer, [lr_scheduler.ConstantLR(optimizer), "
     "lr_scheduler.ExponentialLR(optimizer, 0.9)], milestones=[5])"),
    "lr_scheduler.ReduceLROnPlateau(optimizer)",
])
def test_schedulers_without_get_lr_raise(build):
    source = HEADER + f"scheduler = {build}\nprint(scheduler.get_lr())\n"
    messages = [f.message for f in findings(source, "LR012")]
    assert any("NotImplementedError" in m for m in messages)


def test_closed_form_schedulers_are_reported_as_warning_calls():
    source = HEADER + """\
scheduler = lr_scheduler.LambdaLR(optimizer, lambda step: 0.95 ** step)
print(scheduler.get_lr())
"""
    [finding] = findings(source, "LR012")
    assert "recomputes it" in finding.message and "get_last_lr()" in finding.message


def test_followed_through_self_attributes_and_helpers():
    source = HEADER + """\


class Trainer:
    def __init__(self):
        self.optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        self.scheduler = lr_scheduler.CosineAnnealingLR(self.optimizer, T_max=100)

    def log(self):
        return self.scheduler.get_lr()[0]


def report(sched):
    return sched.get_lr()


report(lr_scheduler.StepLR(optimizer, 10))
"""
    lines = sorted(f.start.line for f in findings(source, "LR012"))
    expected = [n for n, line in enumerate(source.splitlines(), 1) if ".get_lr()" in line]
    assert lines == expected and len(expected) == 2


def test_silent_inside_a_scheduler_subclass_and_on_overrides():
    source = HEADER + """\


class Warmup(lr_scheduler.LRScheduler):
    def get_lr(self):
        return [b * min(1.0, (self.last_epoch + 1) / 10) for b in self.base_lrs]

    def current(self):
        return self.get_lr()


class Chained(lr_scheduler.StepLR):
    def step(self):
        super().step()
        print(self.get_lr())


warm = Warmup(optimizer)
print(warm.get_lr())
"""
    assert findings(source, "LR012") == []


def test_subclass_without_override_behaves_like_its_base():
    source = HEADER + """\


class Logged(lr_scheduler.ExponentialLR):
    def step(self):
        super().step()


sched = Logged(optimizer, gamma=0.9)
print(sched.get_lr())
"""
    assert len(findings(source, "LR012")) == 1


def test_silent_on_non_torch_objects_and_abstract_annotations():
    source = """\
import torch
from timm.scheduler import CosineLRScheduler
from torch.optim.lr_scheduler import LRScheduler


class Plan:
    def get_lr(self):
        return 0.1


scheduler = Plan()
print(scheduler.get_lr())
timm_sched = CosineLRScheduler(None, t_initial=10)
print(timm_sched.get_lr())


def log(sched: LRScheduler):
    return sched.get_lr()
"""
    assert findings(source, "LR012") == []


def test_fix_is_safe_for_a_local_binding():
    assert fixed(STEP_LR_LOOP, "LR012") == STEP_LR_LOOP.replace("get_lr()", "get_last_lr()")


def test_fix_is_safe_for_self_attributes():
    source = HEADER + """\


class Trainer:
    def __init__(self):
        self.scheduler = lr_scheduler.StepLR(optimizer, step_size=30)

    def lr(self):
        return self.scheduler.get_lr()
"""
    assert fixed(source, "LR012") == source.replace("get_lr()", "get_last_lr()")


def test_fix_is_unsafe_through_a_parameter():
    source = HEADER + """\


def report(sched):
    return sched.get_lr()


report(lr_scheduler.StepLR(optimizer, 10))
"""
    assert fixed(source, "LR012") is None
    assert fixed(source, "LR012", unsafe=True) == source.replace("get_lr()", "get_last_lr()")


def test_fix_is_unsafe_when_the_name_may_hold_something_else():
    source = HEADER + """\
import timm.scheduler

if torch.cuda.is_available():
    scheduler = lr_scheduler.StepLR(optimizer, step_size=30)
else:
    scheduler = timm.scheduler.StepLRScheduler(optimizer, decay_t=30)
print(scheduler.get_lr())
"""
    [finding] = findings(source, "LR012")
    assert finding.fix is not None and finding.fix.applicability == "unsafe"


def test_lambda_lr_get_lr_is_only_a_warning_and_says_so():
    [finding] = findings("""
        import torch
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda e: 0.95 ** e)
        for epoch in range(10):
            optimizer.step()
            scheduler.step()
            print(scheduler.get_lr())
    """, "LR012")
    assert "happens to return the current LR" in finding.message
    assert "not the current LR" not in finding.message
