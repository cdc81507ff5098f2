"""LR011 scheduler-step-with-argument: the deprecated `epoch` argument of `scheduler.step()`."""

from __future__ import annotations

import warnings

import pytest
from lintkit import findings, fixed

HEADER = """\
import torch
from torch.optim import lr_scheduler

model = torch.nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
"""


def loop(iterable: str, body: str = "    optimizer.step()\n    scheduler.step(epoch)\n") -> str:
    return HEADER + f"for epoch in {iterable}:\n" + body


def test_counter_from_zero_lags_one_step_and_the_fix_is_safe():
    source = loop("range(90)")
    [finding] = findings(source, "LR011")
    assert "passes `epoch` as the deprecated `epoch` argument of StepLR.step()" in finding.message
    assert "recomputes the LR from its closed form" in finding.message
    assert "lags one step behind `step()`: the first LR is used twice" in finding.message
    assert fixed(source, "LR011") == loop("range(90)",
                                          "    optimizer.step()\n    scheduler.step()\n")


def used_lrs(with_argument: bool, start: int) -> list[float]:
    """The LRs torch's StepLR gives six optimizer steps (the test that asks is skipped without
    torch)."""
    torch = pytest.importorskip("torch")
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=1.0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
    used = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in range(start, start + 6):
            used.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step(epoch) if with_argument else scheduler.step()
    return used


def test_the_lag_and_the_identity_are_torchs_own():
    assert used_lrs(True, 0)[:3] == [1.0, 1.0, 1.0]  # the first value is used three times
    assert used_lrs(False, 0)[:3] == [1.0, 1.0, 0.1]
    assert used_lrs(True, 1) == used_lrs(False, 0)


def test_counter_from_one_is_the_same_schedule():
    source = loop("range(1, 91)")
    [finding] = findings(source, "LR011")
    assert "counts from 1, so `step()` gives the same LRs" in finding.message
    assert fixed(source, "LR011") is not None


def test_counter_from_a_resume_point_has_only_an_unsafe_fix():
    source = loop("range(start_epoch, 90)")
    [finding] = findings(source, "LR011")
    assert "restarts unless its state_dict is restored" in finding.message
    assert fixed(source, "LR011") is None
    assert "scheduler.step()\n" in fixed(source, "LR011", unsafe=True)


def test_before_the_optimizer_step_there_is_no_fix():
    source = loop("range(90)", "    scheduler.step(epoch)\n    optimizer.step()\n")
    [finding] = findings(source, "LR011")
    assert "runs before the optimizer steps of the iteration" in finding.message
    assert fixed(source, "LR011", unsafe=True) is None


def test_a_loss_is_read_as_an_epoch():
    source = loop("range(90)", "    optimizer.step()\n    val_loss = evaluate(model)\n"
                               "    scheduler.step(val_loss)\n")
    [finding] = findings(source, "LR011")
    assert "`val_loss` looks like a metric, not an epoch" in finding.message
    assert fixed(source, "LR011", unsafe=True) is None


def test_keyword_argument_and_explicit_none():
    keyword = loop("range(90)", "    optimizer.step()\n    scheduler.step(epoch=epoch)\n")
    assert len(findings(keyword, "LR011")) == 1
    none = loop("range(90)", "    optimizer.step()\n    scheduler.step(None)\n")
    assert findings(none, "LR011") == []


def test_inner_loop_counter_restarts_every_epoch():
    source = HEADER + """\
for epoch in range(90):
    for i, batch in enumerate(loader):
        optimizer.step()
        scheduler.step(i)
"""
    [finding] = findings(source, "LR011")
    assert "`i` restarts at 0 on every pass of the outer loop" in finding.message
    assert fixed(source, "LR011", unsafe=True) is None


def test_outer_counter_inside_the_batch_loop_has_no_fix():
    source = HEADER + """\
for epoch in range(90):
    for batch in loader:
        optimizer.step()
        scheduler.step(epoch)
"""
    assert len(findings(source, "LR011")) == 1
    assert fixed(source, "LR011", unsafe=True) is None


def test_conditional_step_has_no_fix():
    source = loop("range(90)", "    optimizer.step()\n    if epoch > 5:\n        scheduler.step(epoch)\n")
    assert len(findings(source, "LR011")) == 1 and fixed(source, "LR011", unsafe=True) is None


def test_composite_schedulers_raise_type_error():
    source = HEADER + """\
warmup = lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=5)
sequential = lr_scheduler.SequentialLR(optimizer, [warmup, scheduler], milestones=[5])
for epoch in range(90):
    optimizer.step()
    sequential.step(epoch)
"""
    [finding] = findings(source, "LR011")
    assert "SequentialLR.step() takes no argument, so this call raises TypeError" in finding.message
    assert fixed(source, "LR011") is None
    assert "sequential.step()" in fixed(source, "LR011", unsafe=True)


@pytest.mark.parametrize("source", [
    # ReduceLROnPlateau takes the metric.
    HEADER + """\
plateau = lr_scheduler.ReduceLROnPlateau(optimizer, mode="min")
for epoch in range(90):
    optimizer.step()
    plateau.step(val_loss)
""",
    # CosineAnnealingWarmRestarts: documented fractional epochs, and plain epochs.
    HEADER + """\
restarts = lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=10)
iters = len(loader)
for epoch in range(20):
    for i, batch in enumerate(loader):
        optimizer.step()
        restarts.step(epoch + i / iters)
    restarts.step(epoch)
""",
    # timm schedulers are not torch schedulers: step(epoch) is their API.
    HEADER + """\
from timm.scheduler import CosineLRScheduler
timm_scheduler = CosineLRScheduler(optimizer, t_initial=90)
for epoch in range(90):
    optimizer.step()
    timm_scheduler.step(epoch)
""",
    # A receiver that is a timm scheduler on one path.
    HEADER + """\
from timm.scheduler import create_scheduler
if args.sched == "timm":
    sched, _ = create_scheduler(args, optimizer)
else:
    sched = lr_scheduler.StepLR(optimizer, step_size=30)
for epoch in range(90):
    optimizer.step()
    sched.step(epoch)
""",
    # A subclass with its own step(epoch).
    HEADER + """\
class WarmupScheduler(lr_scheduler.LRScheduler):
    def step(self, epoch=None):
        super().step()


custom = WarmupScheduler(optimizer)
for epoch in range(90):
    optimizer.step()
    custom.step(epoch)
""",
    # transformers' get_scheduler can build a ReduceLROnPlateau.
    HEADER + """\
from transformers import get_scheduler
hf = get_scheduler("reduce_lr_on_plateau", optimizer)
for epoch in range(90):
    optimizer.step()
    hf.step(val_loss)
""",
    # An abstract annotation says nothing about the concrete class.
    HEADER + """\
def train(scheduler: lr_scheduler.LRScheduler, epochs: int):
    for epoch in range(epochs):
        scheduler.step(epoch)
""",
])
def test_near_misses_are_silent(source):
    assert findings(source, "LR011") == []


def test_subclass_without_its_own_step_and_annotated_parameters_fire():
    subclass = HEADER + """\
class Warmup(lr_scheduler.StepLR):
    def get_lr(self):
        return super().get_lr()


custom = Warmup(optimizer, step_size=10)
for epoch in range(90):
    optimizer.step()
    custom.step(epoch)
"""
    assert len(findings(subclass, "LR011")) == 1
    annotated = HEADER + """\
def train(sched: lr_scheduler.StepLR, epochs: int):
    for epoch in range(epochs):
        sched.step(epoch)
"""
    assert len(findings(annotated, "LR011")) == 1


def test_hugging_face_schedule_with_a_global_step():
    source = HEADER + """\
from transformers import get_linear_schedule_with_warmup
hf = get_linear_schedule_with_warmup(optimizer, 100, 1000)
global_step = 0
for batch in loader:
    optimizer.step()
    global_step += 1
    hf.step(global_step)
"""
    [finding] = findings(source, "LR011")
    assert "of get_linear_schedule_with_warmup.step(): torch warns on every call" in finding.message
    assert "recomputes the LR from `get_lr()`" in finding.message


def test_scheduler_held_on_self_in_a_trainer():
    source = """\
import torch


class Trainer:
    def __init__(self, model):
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        self.scheduler = torch.optim.lr_scheduler.MultiStepLR(self.optimizer, [30, 60])

    def fit(self, epochs):
        for epoch in range(epochs):
            self.optimizer.step()
            self.scheduler.step(epoch)
"""
    assert fixed(source, "LR011") == source.replace("self.scheduler.step(epoch)",
                                                    "self.scheduler.step()")


def test_a_lagging_epoch_argument_says_what_it_does_to_the_curve():
    [finding] = findings("""
        import torch
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
        for epoch in range(91):
            for batch in loader:
                optimizer.step()
            scheduler.step(epoch - 1)
    """, "LR011")
    assert "the schedule runs 2 epochs behind the training loop" in finding.message
    assert "the LR is 1e-3 (0.01× the base LR) instead of 1e-4 (0.001×)" in finding.message


def test_a_scheduler_wrapper_forwarding_its_epoch_is_its_own_machinery():
    """ildoonet/pytorch-gradual-warmup-lr forwards step(epoch) to the scheduler it wraps."""
    assert findings("""
        from torch.optim import SGD
        from torch.optim.lr_scheduler import StepLR, _LRScheduler


        class GradualWarmupScheduler(_LRScheduler):
            def __init__(self, optimizer, total_epoch, after_scheduler):
                self.total_epoch = total_epoch
                self.after_scheduler = after_scheduler
                super().__init__(optimizer)

            def step(self, epoch=None):
                if epoch is not None and epoch > self.total_epoch:
                    self.after_scheduler.step(epoch - self.total_epoch)
                else:
                    super().step(epoch)


        optimizer = SGD(model.parameters(), lr=0.1)
        after = StepLR(optimizer, step_size=10, gamma=0.1)
        scheduler = GradualWarmupScheduler(optimizer, total_epoch=5, after_scheduler=after)
        for epoch in range(1, 20):
            scheduler.step(epoch)
            optimizer.step()
    """, "LR011") == []
