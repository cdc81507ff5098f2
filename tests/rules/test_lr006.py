"""LR006 exponential-lr-growth: `gamma > 1` grows the LR."""

from __future__ import annotations

import pytest
from lintkit import findings

HEADER = """\
import math

import torch
from torch.optim import lr_scheduler

model = torch.nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
"""
LOOP = """\
for epoch in range(100):
    optimizer.step()
    scheduler.step()
"""


def test_exponential_growth_over_the_loop():
    source = HEADER + "scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=1.05)\n" + LOOP
    [finding] = findings(source, "LR006")
    # 1.05 ** 100 = 131.5
    assert "ExponentialLR(gamma=1.05)" in finding.message
    assert "×132 over 100 epochs: the LR goes from 1e-3 to 0.1315" in finding.message


def test_steps_unit_and_nested_loops():
    source = HEADER + """\
scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=1.001)
for epoch in range(10):
    for step in range(300):
        optimizer.step()
        scheduler.step()
"""
    [finding] = findings(source, "LR006")
    assert "over 3000 steps" in finding.message  # 1.001 ** 3000 = 20.0
    assert "×20" in finding.message


def test_step_lr_without_a_known_loop_grows_without_bound():
    source = HEADER + """\
scheduler = lr_scheduler.StepLR(optimizer, step_size=30, gamma=10)


def train(loader):
    for batch in loader:
        optimizer.step()
        scheduler.step()
"""
    [finding] = findings(source, "LR006")
    # How often train() runs is not known: no horizon is invented ("after 100 steps").
    assert finding.message.endswith("every 30 steps: it grows without bound")


def test_multistep_growth_is_counted_per_milestone():
    source = HEADER + "scheduler = lr_scheduler.MultiStepLR(optimizer, [30, 60], gamma=10)\n"
    [finding] = findings(source, "LR006")
    assert "×100 over its 2 milestones [30, 60]: the LR goes from 1e-3 to 0.1" in finding.message
    within = source + LOOP.replace("range(100)", "range(45)")
    [finding] = findings(within, "LR006")
    assert "×10 over 45 epochs" in finding.message


def test_gamma_as_an_expression_is_shown_with_its_value():
    source = HEADER + "GROWTH = 2.0\nscheduler = lr_scheduler.ExponentialLR(optimizer, GROWTH ** 0.5)\n"
    [finding] = findings(source, "LR006")
    assert "ExponentialLR(gamma=GROWTH ** 0.5) (with gamma = 1.414)" in finding.message


def test_followed_through_helpers_and_self():
    source = HEADER + """\


def make(opt):
    return lr_scheduler.ExponentialLR(opt, gamma=1.1)


class Trainer:
    def __init__(self):
        self.scheduler = make(optimizer)

    def fit(self):
        for epoch in range(10):
            optimizer.step()
            self.scheduler.step()
"""
    [finding] = findings(source, "LR006")
    assert "×2.59 over 10 epochs" in finding.message


def test_last_child_of_sequential_lr_runs_to_the_end():
    source = HEADER + """\
warm = lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=5)
grow = lr_scheduler.ExponentialLR(optimizer, gamma=1.1)
scheduler = lr_scheduler.SequentialLR(optimizer, [warm, grow], milestones=[5])
"""
    assert len(findings(source, "LR006")) == 1


SILENT = {
    "decay": "scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=0.95)\n" + LOOP,
    "constant": "scheduler = lr_scheduler.StepLR(optimizer, 30, gamma=1.0)\n" + LOOP,
    "unknown gamma": "scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=args.gamma)\n",
    "finder function": """\


def find_lr(model, loader):
    opt = torch.optim.SGD(model.parameters(), lr=1e-7)
    scheduler = lr_scheduler.ExponentialLR(opt, gamma=1.1)
    for batch in loader:
        opt.step()
        scheduler.step()
""",
    "finder class": """\


class LRRangeTest:
    def __init__(self, opt):
        self.scheduler = lr_scheduler.ExponentialLR(opt, gamma=1.05)

    def run(self, steps):
        for _ in range(steps):
            self.scheduler.step()
""",
    "breaks on loss": """\
scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=1.1)
best_loss = math.inf
for step in range(100):
    loss = model(torch.zeros(4)).sum()
    optimizer.step()
    scheduler.step()
    best_loss = min(best_loss, loss.item())
    if loss.item() > 4 * best_loss:
        break
""",
    "raises on nan": """\
scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=1.1)
for step in range(100):
    loss = model(torch.zeros(4)).sum()
    optimizer.step()
    scheduler.step()
    if not torch.isfinite(loss):
        raise RuntimeError("diverged")
""",
    "sequential warmup child": """\
grow = lr_scheduler.ExponentialLR(optimizer, gamma=1.5)
decay = lr_scheduler.CosineAnnealingLR(optimizer, T_max=95)
scheduler = lr_scheduler.SequentialLR(optimizer, [grow, decay], milestones=[5])
""",
    "chained": """\
grow = lr_scheduler.ExponentialLR(optimizer, gamma=1.5)
scheduler = lr_scheduler.ChainedScheduler([grow, lr_scheduler.StepLR(optimizer, 1, 0.5)])
""",
    "named warmup": "warmup_scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=1.5)\n",
    "paired by hand": """\
ramp = lr_scheduler.ExponentialLR(optimizer, gamma=1.5)
decay = lr_scheduler.StepLR(optimizer, step_size=30)
for epoch in range(100):
    optimizer.step()
    if epoch < 5:
        ramp.step()
    else:
        decay.step()
""",
    "bounded by a condition": """\
ramp = lr_scheduler.ExponentialLR(optimizer, gamma=1.5)
for epoch in range(100):
    optimizer.step()
    if epoch < 5:
        ramp.step()
""",
}


@pytest.mark.parametrize("name", SILENT)
def test_silent_near_misses(name):
    assert findings(HEADER + SILENT[name], "LR006") == []


def test_growth_in_the_else_branch_of_a_bound_is_reported():
    source = HEADER + """\
ramp = lr_scheduler.ExponentialLR(optimizer, gamma=1.5)
for epoch in range(100):
    optimizer.step()
    if epoch < 5:
        pass
    else:
        ramp.step()
"""
    assert len(findings(source, "LR006")) == 1


def test_a_unit_test_of_the_growth_is_deliberate():
    """A scheduler test asserting `lr * gamma ** n` after two steps."""
    source = """
import torch


def test_exponential_lr_multiplies_by_gamma():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=10)
    for _ in range(2):
        optimizer.step()
        scheduler.step()
    assert optimizer.param_groups[0]["lr"] == 0.1 * 10 ** 2
"""
    assert findings(source, "LR006") == []
    # The same code in a training script is a finding.
    assert len(findings(source.replace("def test_exponential_lr_multiplies_by_gamma", "def train")
                        .replace("    assert optimizer", "    print(optimizer"), "LR006")) == 1


def test_a_huge_growth_is_written_as_a_power_of_ten():
    [finding] = findings(HEADER + """\
scheduler = lr_scheduler.ExponentialLR(optimizer, gamma=10)
for epoch in range(100):
    optimizer.step()
    scheduler.step()
""", "LR006")
    assert "×1e100" in finding.message and "0" * 20 not in finding.message
