"""LR016 compounding-schedulers: two schedulers on one optimizer, both stepped."""

from __future__ import annotations

import pytest
from lintkit import findings

HEADER = """\
import torch
from torch.optim import lr_scheduler

model = torch.nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
"""


def test_two_decays_multiply_and_the_numbers_are_torchs():
    source = HEADER + """\
step = lr_scheduler.StepLR(optimizer, step_size=30)
exponential = lr_scheduler.ExponentialLR(optimizer, gamma=0.95)
for epoch in range(90):
    optimizer.step()
    step.step()
    exponential.step()
"""
    [finding] = findings(source, "LR016")
    assert finding.message.startswith("StepLR and ExponentialLR both drive `optimizer` and are "
                                      "both stepped in every iteration of the loop over `range(90)`")
    assert ("their factors multiply: in the last of the 90 iterations the LR is 1.041e-5 "
            "(StepLR alone 1e-3, ExponentialLR alone 1.041e-3)") in finding.message
    assert finding.start.line == 11  # reported on the second step call


def test_torch_multiplies_the_two_decays():
    """The LR the message above quotes for the last of the 90 iterations is torch's own."""
    torch = pytest.importorskip("torch")
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    step = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30)
    exponential = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.95)
    for _ in range(89):
        optimizer.step()
        step.step()
        exponential.step()
    assert optimizer.param_groups[0]["lr"] == pytest.approx(1.041e-5, rel=1e-3)


def test_absolute_warmup_per_batch_erases_a_per_epoch_decay():
    source = HEADER + """\
warmup = lr_scheduler.LambdaLR(optimizer, lambda it: min(1.0, (it + 1) / 500))
decay = lr_scheduler.MultiStepLR(optimizer, milestones=[30, 60])
for epoch in range(90):
    for batch in loader:
        optimizer.step()
        warmup.step()
    decay.step()
"""
    [finding] = findings(source, "LR016")
    assert ("LambdaLR recomputes the LR from the base LR at every step, so the decay of "
            "MultiStepLR never accumulates") in finding.message


def test_an_absolute_scheduler_stepped_last_overwrites_the_other():
    source = HEADER + """\
from transformers import get_cosine_schedule_with_warmup
plateau = lr_scheduler.ReduceLROnPlateau(optimizer)
cosine = get_cosine_schedule_with_warmup(optimizer, 100, 1000)
for epoch in range(10):
    optimizer.step()
    plateau.step(val_loss)
    cosine.step()
"""
    [finding] = findings(source, "LR016")
    assert "get_cosine_schedule_with_warmup recomputes the LR from the base LR at every step, " \
           "so ReduceLROnPlateau has no effect" in finding.message


@pytest.mark.parametrize("loop", [
    # A LinearLR warm-up whose factor returns to 1.0: the ChainedScheduler composition.
    """\
warmup = lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=5)
decay = lr_scheduler.CosineAnnealingLR(optimizer, T_max=90)
for epoch in range(90):
    optimizer.step()
    warmup.step()
    decay.step()
""",
    # The manual warm-up-then-switch: mutually exclusive branches.
    """\
warmup = lr_scheduler.LambdaLR(optimizer, lambda e: (e + 1) / 5)
decay = lr_scheduler.CosineAnnealingLR(optimizer, T_max=85)
for epoch in range(90):
    optimizer.step()
    if epoch < 5:
        warmup.step()
    else:
        decay.step()
""",
    # The same with elif.
    """\
warmup = lr_scheduler.LambdaLR(optimizer, lambda e: (e + 1) / 5)
decay = lr_scheduler.StepLR(optimizer, step_size=30)
for epoch in range(90):
    optimizer.step()
    if epoch < 5:
        warmup.step()
    elif epoch >= 5:
        decay.step()
""",
    # A warm-up that only steps for the first epochs does not overlap for the rest.
    """\
warmup = lr_scheduler.LambdaLR(optimizer, lambda e: (e + 1) / 5)
decay = lr_scheduler.StepLR(optimizer, step_size=30)
for epoch in range(90):
    optimizer.step()
    if epoch < 5:
        warmup.step()
    decay.step()
""",
    # One variable holding either scheduler: a choice, not two schedulers.
    """\
sched = lr_scheduler.StepLR(optimizer, 30) if args.step else lr_scheduler.ExponentialLR(optimizer, 0.9)
for epoch in range(90):
    optimizer.step()
    sched.step()
""",
    # Composed with SequentialLR: only the parent is stepped.
    """\
warmup = lr_scheduler.ExponentialLR(optimizer, gamma=1.5)
decay = lr_scheduler.StepLR(optimizer, step_size=30)
sched = lr_scheduler.SequentialLR(optimizer, [warmup, decay], milestones=[5])
for epoch in range(90):
    optimizer.step()
    sched.step()
""",
    # One schedule per phase, in separate loops.
    """\
first = lr_scheduler.ExponentialLR(optimizer, gamma=0.9)
second = lr_scheduler.StepLR(optimizer, step_size=10)
for epoch in range(10):
    optimizer.step()
    first.step()
for epoch in range(30):
    optimizer.step()
    second.step()
""",
    # Two optimizers, one scheduler each (a GAN).
    """\
optimizer_d = torch.optim.Adam(model.parameters(), lr=2e-4)
sched_g = lr_scheduler.StepLR(optimizer, step_size=30)
sched_d = lr_scheduler.StepLR(optimizer_d, step_size=30)
for epoch in range(90):
    optimizer.step()
    optimizer_d.step()
    sched_g.step()
    sched_d.step()
""",
])
def test_legitimate_compositions_are_silent(loop):
    assert findings(HEADER + loop, "LR016") == []


def test_sequential_lr_plus_another_scheduler_fires():
    source = HEADER + """\
warmup = lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=5)
decay = lr_scheduler.CosineAnnealingLR(optimizer, T_max=85)
sched = lr_scheduler.SequentialLR(optimizer, [warmup, decay], milestones=[5])
extra = lr_scheduler.ExponentialLR(optimizer, gamma=0.9)
for epoch in range(90):
    optimizer.step()
    sched.step()
    extra.step()
"""
    [finding] = findings(source, "LR016")
    assert finding.message.startswith("SequentialLR and ExponentialLR")


def test_a_none_check_around_one_step_is_not_a_gate():
    source = HEADER + """\
warmup = None
if args.warmup:
    warmup = lr_scheduler.LambdaLR(optimizer, lambda it: min(1.0, it / 100))
decay = lr_scheduler.StepLR(optimizer, step_size=30)
for epoch in range(90):
    optimizer.step()
    if warmup is not None:
        warmup.step()
    decay.step()
"""
    assert len(findings(source, "LR016")) == 1


def test_same_gate_around_both_still_compounds():
    source = HEADER + """\
a = lr_scheduler.ExponentialLR(optimizer, gamma=0.99)
b = lr_scheduler.CosineAnnealingLR(optimizer, T_max=1000)
for i, batch in enumerate(loader):
    if (i + 1) % 4 == 0:
        optimizer.step()
        a.step()
        b.step()
"""
    assert "their factors multiply" in findings(source, "LR016")[0].message


def test_schedulers_held_on_self_and_stepped_in_methods():
    source = """\
import torch
from torch.optim import lr_scheduler


class Trainer:
    def __init__(self, model):
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        self.warmup = lr_scheduler.OneCycleLR(self.optimizer, max_lr=0.1, total_steps=1000)
        self.decay = lr_scheduler.StepLR(self.optimizer, step_size=30)

    def step(self):
        self.optimizer.step()
        self.warmup.step()
        self.decay.step()

    def fit(self, loader):
        for batch in loader:
            self.step()
"""
    [finding] = findings(source, "LR016")
    assert "OneCycleLR recomputes the LR from the base LR at every step, so the decay of " \
           "StepLR never accumulates" in finding.message
    assert "both drive `self.optimizer`" in finding.message


def test_a_warmup_built_afresh_in_the_first_epoch_only_is_silent():
    # The torchvision detection recipe before LinearLR: a LambdaLR warm-up created in epoch 0.
    source = HEADER + """\
def train_one_epoch(model, optimizer, data_loader, epoch):
    warmup = None
    if epoch == 0:
        warmup = lr_scheduler.LambdaLR(optimizer, lambda x: min(1.0, (x + 1) / 1000))
    for images, targets in data_loader:
        model(images).mean().backward()
        optimizer.step()
        if warmup is not None:
            warmup.step()


decay = lr_scheduler.MultiStepLR(optimizer, milestones=[16, 22])
for epoch in range(26):
    train_one_epoch(model, optimizer, data_loader, epoch)
    decay.step()
"""
    assert findings(source, "LR016") == []
    # Built once before the loop and stepped on every batch, it does fight the decay.
    built_once = HEADER + """\
warmup = lr_scheduler.LambdaLR(optimizer, lambda x: min(1.0, (x + 1) / 1000))


def train_one_epoch(model, optimizer, data_loader, epoch):
    for images, targets in data_loader:
        model(images).mean().backward()
        optimizer.step()
        if warmup is not None:
            warmup.step()


decay = lr_scheduler.MultiStepLR(optimizer, milestones=[16, 22])
for epoch in range(26):
    train_one_epoch(model, optimizer, data_loader, epoch)
    decay.step()
"""
    assert len(findings(built_once, "LR016")) == 1


def test_transformers_get_scheduler_binds_its_optimizer_second():
    source = HEADER + """\
from transformers import get_scheduler
warmup = get_scheduler("linear", optimizer, num_warmup_steps=100, num_training_steps=1000)
decay = lr_scheduler.StepLR(optimizer, step_size=300)
for step, batch in enumerate(loader):
    optimizer.step()
    warmup.step()
    decay.step()
"""
    [finding] = findings(source, "LR016")
    assert "get_scheduler recomputes the LR from the base LR at every step" in finding.message
    unknown_name = source.replace('"linear"', "args.lr_scheduler_type")
    assert findings(unknown_name, "LR016") == []
