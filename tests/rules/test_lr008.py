"""LR008 step-unit-mismatch: epochs-configured schedules stepped per batch, and the reverse."""

from __future__ import annotations

import pytest
from lintkit import findings

HEADER = """\
import torch
from torch.optim import lr_scheduler
from torch.utils.data import DataLoader

model = torch.nn.Linear(4, 1)
train_loader = DataLoader(list(range(100)), batch_size=10)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
"""

PER_BATCH = """
for epoch in range(EPOCHS):
    for inputs in train_loader:
        loss = model(inputs).sum()
        loss.backward()
        optimizer.step()
        scheduler.step()
"""

PER_EPOCH = """
for epoch in range(EPOCHS):
    for inputs in train_loader:
        loss = model(inputs).sum()
        loss.backward()
        optimizer.step()
    scheduler.step()
"""


def one(source: str) -> str:
    found = findings(source, "LR008")
    assert len(found) == 1, [f.message for f in found]
    return found[0].message


def test_epoch_count_stepped_per_batch_quotes_the_oscillation():
    message = one(HEADER + "EPOCHS = 90\n"
                  "scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)\n" + PER_BATCH)
    assert "`T_max=EPOCHS` counts epochs" in message
    assert "once per batch (inside the loop over `train_loader`)" in message
    assert "minimum after 90 batches" in message and "period of 180 batches" in message


def test_batch_count_stepped_per_epoch_quotes_the_share_of_the_cycle():
    message = one(HEADER + "EPOCHS = 90\n"
                  "scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=EPOCHS, "
                  "steps_per_epoch=100)\n" + PER_EPOCH)
    assert "configured for 9000 (90 × 100) batches" in message
    assert "after 90 epochs it has taken 90 of its 9000 steps (1% of its curve)" in message
    assert "never comes down from its warm-up" in message


def test_steps_per_epoch_from_len_loader_through_a_helper_function():
    source = HEADER + """\
EPOCHS = 30
scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=EPOCHS,
                                    steps_per_epoch=len(train_loader))


def train_one_epoch(loader):
    for inputs, targets in loader:
        optimizer.zero_grad()
        model(inputs).sum().backward()
        optimizer.step()


for epoch in range(EPOCHS):
    train_one_epoch(train_loader)
    scheduler.step()
"""
    message = one(source)
    assert "configured for 30 × `len(train_loader)` batches" in message
    assert "outside the loop over `loader` where the optimizer steps" in message
    assert "1/`len(train_loader)` of its cycle" in message


def test_literal_step_size_inside_the_epoch_count_is_epochs():
    message = one(HEADER + "EPOCHS = 90\n"
                  "scheduler = lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)\n" + PER_BATCH)
    assert "`step_size=30` fits inside the 90 epochs of the training loop" in message
    assert "multiplied by 0.1 every 30 batches instead of every 30 epochs" in message
    assert "down to 1e-4 after 90 batches" in message


def test_literal_milestones_say_where_the_lr_ends():
    message = one(HEADER + "EPOCHS = 90\n"
                  "scheduler = lr_scheduler.MultiStepLR(optimizer, [30, 60, 80])\n" + PER_BATCH)
    assert "every milestone has passed after 80 batches, leaving the LR at 1e-4" in message


@pytest.mark.parametrize("build", [
    "lr_scheduler.StepLR(optimizer, step_size=30)",  # longer than the 20 epochs: iterations
    "lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=5)",  # a short warm-up
    "lr_scheduler.CosineAnnealingLR(optimizer, T_max=len(train_loader) * EPOCHS)",
    "lr_scheduler.OneCycleLR(optimizer, 0.1, epochs=EPOCHS, steps_per_epoch=len(train_loader))",
    "lr_scheduler.MultiStepLR(optimizer, milestones=args.lr_steps)",  # torchvision: unknown unit
    "lr_scheduler.StepLR(optimizer, step_size=args.lr_step_size)",
    "lr_scheduler.ExponentialLR(optimizer, gamma=0.999)",
])
def test_consistent_or_unprovable_per_batch_schedules_are_silent(build):
    assert findings(HEADER + "EPOCHS = 20\nscheduler = " + build + "\n" + PER_BATCH, "LR008") == []


@pytest.mark.parametrize("build", [
    "lr_scheduler.StepLR(optimizer, step_size=30)",
    "lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)",
    "lr_scheduler.MultiStepLR(optimizer, milestones=args.lr_steps)",
    "lr_scheduler.CosineAnnealingLR(optimizer, T_max=1000)",  # literal: never proven batches
])
def test_per_epoch_schedules_stepped_per_epoch_are_silent(build):
    assert findings(HEADER + "EPOCHS = 20\nscheduler = " + build + "\n" + PER_EPOCH, "LR008") == []


def test_len_loader_horizon_stepped_per_epoch_fires():
    message = one(HEADER + "EPOCHS = 20\n"
                  "scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=len(train_loader))\n"
                  + PER_EPOCH)
    assert "`T_max=len(train_loader)`" in message and "once per epoch" in message


def test_hugging_face_schedules_in_both_directions():
    hf = "from transformers import get_linear_schedule_with_warmup\n"
    per_batch_total = ("scheduler = get_linear_schedule_with_warmup(optimizer, 100, "
                       "num_training_steps=len(train_loader) * EPOCHS)\n")
    assert findings(hf + HEADER + "EPOCHS = 3\n" + per_batch_total + PER_BATCH, "LR008") == []
    message = one(hf + HEADER + "EPOCHS = 3\n" + per_batch_total + PER_EPOCH)
    assert "`num_training_steps=len(train_loader) * EPOCHS`" in message
    per_epoch_total = ("scheduler = get_linear_schedule_with_warmup(optimizer, 0, "
                       "num_training_steps=args.num_epochs)\n")
    message = one(hf + HEADER + "EPOCHS = 3\n" + per_epoch_total + PER_BATCH)
    assert "reaches its final value after `args.num_epochs` batches" in message


def test_an_unreadable_warmup_length_does_not_hide_the_training_length():
    hf = "from transformers import get_cosine_schedule_with_warmup\n"
    build = ("scheduler = get_cosine_schedule_with_warmup(optimizer, args.warmup_steps, "
             "len(train_loader) * EPOCHS)\n")
    message = one(hf + HEADER + "EPOCHS = 3\n" + build + PER_EPOCH)
    assert "(`num_training_steps=len(train_loader) * EPOCHS`)" in message
    conflicting = ("scheduler = get_cosine_schedule_with_warmup(optimizer, args.warmup_epochs, "
                   "len(train_loader) * EPOCHS)\n")
    assert findings(hf + HEADER + "EPOCHS = 3\n" + conflicting + PER_EPOCH, "LR008") == []


def test_a_step_gated_to_the_last_batch_is_per_epoch():
    source = HEADER + """\
scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
for epoch in range(args.epochs):
    for i, inputs in enumerate(train_loader):
        optimizer.step()
        if i == len(train_loader) - 1:
            scheduler.step()
"""
    assert findings(source, "LR008") == []


def test_a_step_gated_like_the_optimizer_step_still_counts_batches():
    source = HEADER + """\
scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
for epoch in range(args.epochs):
    for i, inputs in enumerate(train_loader):
        model(inputs).sum().backward()
        if (i + 1) % 4 == 0:
            optimizer.step()
            scheduler.step()
"""
    assert "counts epochs" in one(source)


def test_documented_warm_restarts_with_fractional_epochs_is_silent():
    source = HEADER + """\
scheduler = lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=args.epochs)
iters = len(train_loader)
for epoch in range(20):
    for i, inputs in enumerate(train_loader):
        optimizer.step()
        scheduler.step(epoch + i / iters)
"""
    assert findings(source, "LR008") == []


def test_a_receiver_that_may_be_a_timm_scheduler_is_silent():
    source = HEADER + """\
from timm.scheduler import create_scheduler
if args.timm:
    scheduler, _ = create_scheduler(args, optimizer)
else:
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
for epoch in range(args.epochs):
    for inputs in train_loader:
        optimizer.step()
        scheduler.step()
"""
    assert findings(source, "LR008") == []


def test_self_attributes_and_methods_are_followed():
    source = """\
import torch
from torch.optim.lr_scheduler import CosineAnnealingLR


class Trainer:
    def __init__(self, model, train_loader, epochs):
        self.model = model
        self.train_loader = train_loader
        self.epochs = epochs
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        self.scheduler = CosineAnnealingLR(self.optimizer, T_max=self.epochs)

    def train_step(self, batch):
        self.model(batch).mean().backward()
        self.optimizer.step()
        self.scheduler.step()

    def fit(self):
        for epoch in range(self.epochs):
            for batch in self.train_loader:
                self.train_step(batch)
"""
    message = one(source)
    assert "`T_max=self.epochs` counts epochs" in message
    assert "inside the loop over `self.train_loader`" in message


def test_phase_loop_of_the_transfer_learning_tutorial_is_silent():
    source = HEADER + """\
dataloaders = {"train": train_loader, "val": train_loader}
scheduler = lr_scheduler.StepLR(optimizer, step_size=7, gamma=0.1)
for epoch in range(25):
    for phase in ["train", "val"]:
        for inputs in dataloaders[phase]:
            if phase == "train":
                optimizer.step()
        if phase == "train":
            scheduler.step()
"""
    assert findings(source, "LR008") == []


def test_scheduler_stepped_per_batch_of_a_phase_loader_fires():
    source = HEADER + """\
dataloaders = {"train": train_loader, "val": train_loader}
scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=num_epochs)
for epoch in range(num_epochs):
    for inputs in dataloaders["train"]:
        optimizer.step()
        scheduler.step()
"""
    assert "counts epochs" in one(source)


def test_a_loop_over_several_loaders_is_not_a_batch_loop():
    source = HEADER + """\
loaders = [train_loader, train_loader]
scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
for loader in loaders:
    optimizer.step()
    scheduler.step()
"""
    assert findings(source, "LR008") == []


def test_generator_updates_in_an_inner_critic_loop_are_not_per_epoch():
    source = HEADER + """\
scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=len(train_loader) * args.epochs)
for epoch in range(args.epochs):
    for inputs in train_loader:
        for _ in range(5):
            optimizer.step()
        scheduler.step()
"""
    assert findings(source, "LR008") == []


def test_sequential_lr_takes_the_unit_of_its_children():
    source = HEADER + """\
warmup_epochs = 5
warmup = lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=warmup_epochs)
cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs - warmup_epochs)
scheduler = lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[warmup_epochs])
for epoch in range(args.epochs):
    for inputs in train_loader:
        optimizer.step()
        scheduler.step()
"""
    message = one(source)
    assert message.startswith("SequentialLR is configured in epochs")


def test_iteration_range_loop_and_an_optimizer_stepped_elsewhere():
    # The optimizer is stepped by an imported function: the epoch loop alone decides.
    source = HEADER + """\
from engine import train
scheduler = lr_scheduler.OneCycleLR(optimizer, 0.1, epochs=args.epochs,
                                    steps_per_epoch=len(train_loader))
for epoch in range(args.epochs):
    train(model, train_loader, optimizer)
    scheduler.step()
"""
    assert "once per epoch (in the loop over `range(args.epochs)`)" in one(source)
    per_batch = HEADER + """\
scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
for epoch in range(args.epochs):
    for step in range(len(train_loader)):
        optimizer.step()
        scheduler.step()
"""
    assert "inside the loop over `range(len(train_loader))`" in one(per_batch)


def test_step_after_the_batch_loop_of_an_uncalled_epoch_method():
    source = """\
import torch
from torch.optim.lr_scheduler import OneCycleLR


class Trainer:
    def __init__(self, model, loader, epochs):
        self.loader = loader
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        self.scheduler = OneCycleLR(self.optimizer, max_lr=1e-3, epochs=epochs,
                                    steps_per_epoch=len(loader))

    def train_epoch(self, model):
        for batch in self.loader:
            model(batch).mean().backward()
            self.optimizer.step()
        self.scheduler.step()
"""
    message = one(source)
    assert "runs once per epoch (outside the loop over `self.loader` where the optimizer steps)" \
        in message
    per_batch = source.replace("            self.optimizer.step()\n        self.scheduler.step()",
                               "            self.optimizer.step()\n            self.scheduler.step()")
    assert findings(per_batch, "LR008") == []


def test_a_while_epoch_loop():
    source = HEADER + """\
scheduler = lr_scheduler.OneCycleLR(optimizer, 0.1, epochs=args.epochs,
                                    steps_per_epoch=len(train_loader))
epoch = 0
while epoch < args.epochs:
    for inputs in train_loader:
        optimizer.step()
    scheduler.step()
    epoch += 1
"""
    assert "once per epoch (in the loop `while epoch < args.epochs`, outside the loop over " \
           "`train_loader` where the optimizer steps)" in one(source)


@pytest.mark.parametrize("build", [
    "lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.999)",  # an exponential decay per batch
    "lr_scheduler.MultiStepLR(optimizer, milestones=[50, 80], gamma=0.5)",  # a quarter: mild
])
def test_literal_step_decays_that_stay_mild_per_batch_are_silent(build):
    assert findings(HEADER + "EPOCHS = 90\nscheduler = " + build + "\n" + PER_BATCH, "LR008") == []


ARGPARSE = """\
import argparse

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=90)
parser.add_argument("--milestones", type=int, nargs="+", default={milestones})
args = parser.parse_args()
EPOCHS = args.epochs
scheduler = lr_scheduler.MultiStepLR(optimizer, milestones=args.milestones, gamma=0.1)
"""


def test_argparse_default_milestones_are_read_like_literal_ones():
    message = one(HEADER + ARGPARSE.format(milestones="[30, 60, 80]") + PER_BATCH)
    assert "`milestones=args.milestones` = [30, 60, 80] fits inside the 90 epochs" in message
    assert "every milestone has passed after 80 batches" in message


@pytest.mark.parametrize(("milestones", "loop"), [
    ("[30000, 60000]", PER_BATCH),  # iterations: longer than the 90 epochs
    ("[30, 60, 80]", PER_EPOCH),
])
def test_argparse_default_milestones_that_fit_their_cadence_are_silent(milestones, loop):
    assert findings(HEADER + ARGPARSE.format(milestones=milestones) + loop, "LR008") == []


def test_config_dict_default_step_size_is_read_like_a_literal_one():
    source = HEADER + """\
CFG = {"optim": {"lr_step": 30, "gamma": 0.1}}
o = CFG["optim"]
EPOCHS = 90
scheduler = lr_scheduler.StepLR(optimizer, step_size=o["lr_step"], gamma=o["gamma"])
""" + PER_BATCH
    assert '`step_size=o["lr_step"]` = 30 fits inside the 90 epochs' in one(source)
