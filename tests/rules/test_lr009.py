"""LR009 accumulation-step-mismatch: the scheduler steps on micro-batches, the optimizer does not."""

from __future__ import annotations

import pytest
from lintkit import findings, fixed

HEADER = """\
import math

import torch
from torch.optim import lr_scheduler
from torch.utils.data import DataLoader
from transformers import get_linear_schedule_with_warmup

EPOCHS = 3
accum_steps = 4
model = torch.nn.Linear(4, 1)
train_loader = DataLoader(list(range(100)), batch_size=10)
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
"""

LOOP = """
for epoch in range(EPOCHS):
    for i, batch in enumerate(train_loader):
        loss = model(batch).mean() / accum_steps
        loss.backward()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
        scheduler.step()
"""

OPTIMIZER_STEPS = """\
total_steps = len(train_loader) // accum_steps * EPOCHS
scheduler = get_linear_schedule_with_warmup(optimizer, 100, num_training_steps=total_steps)
"""

FIXED_LOOP = """
for epoch in range(EPOCHS):
    for i, batch in enumerate(train_loader):
        loss = model(batch).mean() / accum_steps
        loss.backward()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
"""


def test_schedule_counted_in_optimizer_steps_quotes_the_division():
    [finding] = findings(HEADER + OPTIMIZER_STEPS + LOOP, "LR009")
    message = finding.message
    assert "`optimizer.step()` runs once every 4 micro-batches" in message
    assert "(under `if (i + 1) % accum_steps == 0:`)" in message
    assert "advances 4 steps per optimizer step" in message
    assert "`len(train_loader) // accum_steps`" in message
    assert "spent in the first 1/4 of training, and the LR is 0 for the rest of it" in message


def test_safe_fix_moves_the_step_under_the_condition():
    assert fixed(HEADER + OPTIMIZER_STEPS + LOOP, "LR009") == HEADER + OPTIMIZER_STEPS + FIXED_LOOP
    assert findings(HEADER + OPTIMIZER_STEPS + FIXED_LOOP, "LR009") == []


def test_unknown_length_fires_with_an_unsafe_fix_only():
    source = HEADER + "scheduler = lr_scheduler.OneCycleLR(optimizer, 0.1, total_steps=1000)\n" + LOOP
    [finding] = findings(source, "LR009")
    assert "the schedule runs 4 times too fast" in finding.message
    assert fixed(source, "LR009") is None
    assert fixed(source, "LR009", unsafe=True) == (
        HEADER + "scheduler = lr_scheduler.OneCycleLR(optimizer, 0.1, total_steps=1000)\n" + FIXED_LOOP)


@pytest.mark.parametrize("build", [
    # Counted in micro-batches: stepping on every micro-batch is consistent.
    "lr_scheduler.OneCycleLR(optimizer, 0.1, total_steps=len(train_loader) * EPOCHS)",
    # Counted in epochs: LR008's finding, not this one.
    "lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)",
    # A plateau scheduler counts metrics.
    "lr_scheduler.ReduceLROnPlateau(optimizer)",
])
def test_consistent_or_other_rules_schedulers_are_silent(build):
    assert findings(HEADER + f"scheduler = {build}\n" + LOOP, "LR009") == []


@pytest.mark.parametrize("gate", [
    "not (i + 1) % accum_steps",
    "i % accum_steps == accum_steps - 1",
    "(i + 1) % accum_steps == 0 or (i + 1) == len(train_loader)",
    "0 == (i + 1) % accum_steps",
])
def test_gate_variants(gate):
    source = HEADER + OPTIMIZER_STEPS + LOOP.replace("(i + 1) % accum_steps == 0", gate)
    assert len(findings(source, "LR009")) == 1


def test_else_branch_of_a_not_equal_gate_and_a_counter_assigned_in_the_loop():
    source = HEADER + OPTIMIZER_STEPS + """
global_step = 0
for batch in train_loader:
    global_step += 1
    loss = model(batch).mean()
    loss.backward()
    if global_step % accum_steps != 0:
        pass
    else:
        optimizer.step()
        optimizer.zero_grad()
    scheduler.step()
"""
    assert len(findings(source, "LR009")) == 1


def test_hugging_face_ceil_division_by_an_attribute():
    source = HEADER + """\
num_update_steps_per_epoch = math.ceil(len(train_loader) / args.gradient_accumulation_steps)
max_train_steps = args.num_train_epochs * num_update_steps_per_epoch
scheduler = get_linear_schedule_with_warmup(optimizer, 0, max_train_steps)
for epoch in range(args.num_train_epochs):
    for step, batch in enumerate(train_loader):
        loss = model(batch).mean()
        loss.backward()
        if step % args.gradient_accumulation_steps == 0 or step == len(train_loader) - 1:
            optimizer.step()
            optimizer.zero_grad()
        scheduler.step()
"""
    [finding] = findings(source, "LR009")
    assert "every `args.gradient_accumulation_steps` micro-batches" in finding.message
    assert "`len(train_loader) / args.gradient_accumulation_steps`" in finding.message
    assert fixed(source, "LR009") is not None


def test_lambda_over_optimizer_steps_is_followed():
    source = HEADER + """\
total = EPOCHS * len(train_loader) // accum_steps
scheduler = lr_scheduler.LambdaLR(optimizer, lambda step: 1 - step / total)
""" + LOOP
    [finding] = findings(source, "LR009")
    assert "counts optimizer steps" in finding.message


def test_scaler_step_with_update_keeps_the_update_next_to_it():
    source = HEADER + OPTIMIZER_STEPS + """
scaler = torch.amp.GradScaler("cuda")
for epoch in range(EPOCHS):
    for i, batch in enumerate(train_loader):
        scaler.scale(model(batch).mean()).backward()
        if (i + 1) % accum_steps == 0:
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad()
        scheduler.step()
"""
    result = fixed(source, "LR009")
    assert result is not None
    assert "scaler.update()\n            scheduler.step()\n            optimizer.zero_grad()" in result


@pytest.mark.parametrize("body", [
    # The scheduler is gated the same way.
    """        if (i + 1) % accum_steps == 0:
            optimizer.step()
            scheduler.step()
""",
    # The scheduler runs on a logging interval: not every micro-batch.
    """        if (i + 1) % accum_steps == 0:
            optimizer.step()
        if i % 100 == 0:
            scheduler.step()
""",
    # A modulus of 1 is no accumulation.
    """        if (i + 1) % 1 == 0:
            optimizer.step()
        scheduler.step()
""",
    # The optimizer also steps on every micro-batch elsewhere.
    """        if (i + 1) % accum_steps == 0:
            optimizer.step()
        else:
            optimizer.step()
        scheduler.step()
""",
])
def test_near_misses_are_silent(body):
    source = HEADER + OPTIMIZER_STEPS + """
for epoch in range(EPOCHS):
    for i, batch in enumerate(train_loader):
        model(batch).mean().backward()
""" + body
    assert findings(source, "LR009") == []


def test_generator_updated_every_k_iterations_is_not_accumulation():
    source = HEADER + """\
n_critic = 5
total_iters = len(train_loader) * EPOCHS // n_critic
scheduler = get_linear_schedule_with_warmup(optimizer, 0, total_iters)
for epoch in range(EPOCHS):
    for i, batch in enumerate(train_loader):
        if i % n_critic == 0:
            model(batch).mean().backward()
            optimizer.step()
        scheduler.step()
"""
    assert findings(source, "LR009") == []


def test_no_fix_when_the_statements_cannot_simply_move():
    in_a_with = HEADER + OPTIMIZER_STEPS + """
for epoch in range(EPOCHS):
    for i, batch in enumerate(train_loader):
        model(batch).mean().backward()
        if (i + 1) % accum_steps == 0:
            optimizer.step()
        with torch.no_grad():
            scheduler.step()
"""
    assert len(findings(in_a_with, "LR009")) == 1 and fixed(in_a_with, "LR009", unsafe=True) is None
    helper = HEADER + OPTIMIZER_STEPS + """

def update():
    optimizer.step()
    optimizer.zero_grad()


for epoch in range(EPOCHS):
    for i, batch in enumerate(train_loader):
        model(batch).mean().backward()
        if (i + 1) % accum_steps == 0:
            update()
        scheduler.step()
"""
    assert len(findings(helper, "LR009")) == 1 and fixed(helper, "LR009", unsafe=True) is None


def test_self_attributes_in_a_trainer_class():
    source = """\
import torch
from torch.optim.lr_scheduler import OneCycleLR


class Trainer:
    def __init__(self, model, loader, epochs, accumulation_steps):
        self.model = model
        self.loader = loader
        self.accumulation_steps = accumulation_steps
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        steps = epochs * (len(loader) // self.accumulation_steps)
        self.scheduler = OneCycleLR(self.optimizer, max_lr=0.1, total_steps=steps)

    def train_epoch(self):
        for i, batch in enumerate(self.loader):
            self.model(batch).mean().backward()
            if (i + 1) % self.accumulation_steps == 0:
                self.optimizer.step()
                self.optimizer.zero_grad()
            self.scheduler.step()
"""
    [finding] = findings(source, "LR009")
    assert "torch raises ValueError when it is stepped past `total_steps`" in finding.message
    assert ("self.scheduler.step()\n                self.optimizer.zero_grad()"
            in fixed(source, "LR009"))
