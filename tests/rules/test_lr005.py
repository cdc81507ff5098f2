"""LR005 lambda-returns-absolute-lr: the LR applied twice."""

from __future__ import annotations

import pytest
from lintkit import findings

HEADER = """\
import argparse

import torch
from torch.optim import lr_scheduler

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=1e-3)
args = parser.parse_args()
BASE_LR = 1e-3
model = torch.nn.Linear(4, 1)
"""


def test_constant_lr_quotes_the_squared_lr_torch_uses():
    source = HEADER + """\
optimizer = torch.optim.SGD(model.parameters(), lr=BASE_LR)
scheduler = lr_scheduler.LambdaLR(optimizer, lambda epoch: BASE_LR * 0.1 ** (epoch // 30))
"""
    [finding] = findings(source, "LR005")
    assert "(`BASE_LR`)" in finding.message
    assert "the LR at step 0 is 1e-3 × 1e-3 = 1e-6 instead of 1e-3" in finding.message


def test_torch_squares_the_lr_a_lambda_returns():
    """The value the message above quotes is torch's own."""
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
    torch.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 1e-3 * 0.1 ** (epoch // 30))
    assert opt.param_groups[0]["lr"] == pytest.approx(1e-6)


def test_unknown_lr_is_named_twice():
    source = HEADER + """\
config = load_config()
optimizer = torch.optim.SGD(model.parameters(), lr=config.lr)
scheduler = lr_scheduler.LambdaLR(optimizer, lambda e: config.lr * 0.95 ** e)
"""
    [finding] = findings(source, "LR005")
    assert "the LR is `config.lr` × `config.lr` × the schedule's factor" in finding.message
    assert finding.start.line == source.splitlines().index(
        "scheduler = lr_scheduler.LambdaLR(optimizer, lambda e: config.lr * 0.95 ** e)") + 1


def test_an_options_default_is_its_value():
    source = HEADER + """\
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
scheduler = lr_scheduler.LambdaLR(optimizer, lambda e: args.lr * 0.95 ** e)
"""
    [finding] = findings(source, "LR005")
    assert "the LR at step 0 is 1e-3 × 1e-3 = 1e-6 instead of 1e-3" in finding.message


def test_a_lambda_made_by_a_function_of_the_module():
    source = HEADER + """\
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)


def schedule(args):
    return lambda e: args.lr * 0.95 ** e


scheduler = lr_scheduler.LambdaLR(optimizer, schedule(args))
"""
    [finding] = findings(source, "LR005")
    assert finding.start.line == source.splitlines().index(
        "    return lambda e: args.lr * 0.95 ** e") + 1


def test_def_with_branches_and_self_attributes():
    source = HEADER + """\


class Trainer:
    def __init__(self, lr):
        self.lr = lr
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=self.lr)
        self.scheduler = lr_scheduler.LambdaLR(self.optimizer, self.schedule)

    def schedule(self, step):
        return step

    def restart(self):
        self.scheduler = lr_scheduler.LambdaLR(self.optimizer, lambda s: self.lr * 0.9 ** s)


def fit(lr, warmup):
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)

    def lr_at(step):
        if step < warmup:
            return lr * step / warmup
        return lr

    return lr_scheduler.LambdaLR(optimizer, lr_at)
"""
    messages = sorted(finding.message for finding in findings(source, "LR005"))
    assert len(messages) == 2
    assert "(`lr`)" in messages[0] and "(`self.lr`)" in messages[1]


def test_reading_the_param_group_lr_back():
    source = HEADER + """\
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = lr_scheduler.MultiplicativeLR(
    optimizer, lambda e: optimizer.param_groups[0]["lr"] * 0.95)
"""
    [finding] = findings(source, "LR005")
    assert "MultiplicativeLR multiplies the current LR" in finding.message


def test_multiplicative_lr_shrinks_by_the_lr_each_step():
    source = HEADER + """\
optimizer = torch.optim.SGD(model.parameters(), lr=BASE_LR)
scheduler = lr_scheduler.MultiplicativeLR(optimizer, lambda e: BASE_LR * 0.95)
"""
    [finding] = findings(source, "LR005")
    assert "after one step it is 1e-3 × 9.5e-4 = 9.5e-7" in finding.message


def test_literal_lr_returned_by_value():
    source = HEADER + """\
optimizer = torch.optim.Adam(model.parameters(), lr=3e-4)
scheduler = lr_scheduler.LambdaLR(optimizer, lambda s: 3e-4 * min(1.0, s / 100))
"""
    [finding] = findings(source, "LR005")
    assert "peaks at 3e-4, the optimizer's own lr=3e-4" in finding.message
    assert "3e-4 × 0.0 = 0.0 and it peaks at 9e-8" in finding.message


def test_lr_sized_values_where_factors_belong():
    source = HEADER + """\
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = lr_scheduler.LambdaLR(optimizer, lambda epoch: 1e-4 if epoch < 10 else 1e-5)
"""
    [finding] = findings(source, "LR005")
    assert "never returns more than 1e-4" in finding.message
    assert "0.1 × 1e-4 = 1e-5" in finding.message


def test_groups_written_in_terms_of_the_base_lr_are_absolute():
    source = HEADER + """\
groups = [{"params": model.weight, "lr": args.lr * 0.1}, {"params": model.bias}]
optimizer = torch.optim.SGD(groups, lr=args.lr)
scheduler = lr_scheduler.LambdaLR(optimizer, lambda e: args.lr * 0.95 ** e)
"""
    assert len(findings(source, "LR005")) == 1


SILENT = {
    "TLlib: groups from a helper hold multipliers": """\


def get_parameters(base_lr=1.0):
    return [{"params": model.weight, "lr": 0.1 * base_lr}, {"params": model.bias, "lr": base_lr}]


optimizer = torch.optim.SGD(get_parameters(), args.lr, momentum=0.9)
scheduler = lr_scheduler.LambdaLR(
    optimizer, lambda x: args.lr * (1.0 + 0.001 * float(x)) ** (-0.75))
""",
    "literal multipliers in the groups": """\
optimizer = torch.optim.SGD(
    [{"params": model.weight, "lr": 0.1}, {"params": model.bias, "lr": 1.0}], lr=args.lr)
scheduler = lr_scheduler.LambdaLR(optimizer, lambda x: args.lr * 0.95 ** x)
""",
    "lr=1.0 and the lambda returns the LR": """\
optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
scheduler = lr_scheduler.LambdaLR(optimizer, lambda e: 1e-3 * 0.95 ** e)
""",
    "normalised back to a factor": """\
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
scheduler = lr_scheduler.LambdaLR(
    optimizer, lambda e: (1e-5 + (args.lr - 1e-5) * 0.95 ** e) / args.lr)
""",
    "group LRs reset to 1.0": """\
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
for group in optimizer.param_groups:
    group["lr"] = 1.0
scheduler = lr_scheduler.LambdaLR(optimizer, lambda e: args.lr * 0.95 ** e)
""",
    "a factor": """\
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = lr_scheduler.LambdaLR(optimizer, lambda epoch: 0.1 ** (epoch // 30))
""",
    "warmup from a tenth of the LR, on lr=0.1": """\
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = lr_scheduler.LambdaLR(
    optimizer, lambda e: 0.1 + 0.9 * e / 5 if e < 5 else 0.1 ** (e // 30))
""",
    "same name, another binding": """\
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)


def schedule(args):
    return lambda e: args.lr * 0.95 ** e


scheduler = lr_scheduler.LambdaLR(optimizer, lambda e: 0.95 ** e)
other = lr_scheduler.LambdaLR(optimizer, schedule(load_other_args()))
""",
    "optimizer not known": """\


def build(optimizer):
    return lr_scheduler.LambdaLR(optimizer, lambda e: args.lr * 0.95 ** e)
""",
    "param groups added later": """\
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
optimizer.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 1.0})
scheduler = lr_scheduler.LambdaLR(optimizer, lambda e: args.lr * 0.95 ** e)
""",
}


@pytest.mark.parametrize("name", SILENT)
def test_silent_near_misses(name):
    assert findings(HEADER + SILENT[name], "LR005") == []


def test_a_constant_lambda_in_a_test_that_asserts_the_lr_is_deliberate():
    source = """
import torch


def test_lambda_lr_scales_the_base_lr():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 0.1)
    assert scheduler.get_last_lr() == [0.1 * 0.1]
"""
    assert findings(source, "LR005") == []
    assert len(findings(source.replace("def test_lambda_lr_scales_the_base_lr", "def build")
                        .replace("    assert scheduler", "    print(scheduler"), "LR005")) == 1
