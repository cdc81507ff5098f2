"""LR017 warmup-starts-at-zero: `step / warmup_steps` gives the first step LR 0."""

from __future__ import annotations

import warnings

import pytest

from lrlint import lint_source

HEADER = """\
import argparse

import torch
from torch.optim.lr_scheduler import LambdaLR, MultiplicativeLR, SequentialLR, StepLR

parser = argparse.ArgumentParser()
parser.add_argument("--warmup_steps", type=int, default=100)
args = parser.parse_args([])
WARMUP = 5
model = torch.nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
"""


def findings(source: str):
    return lint_source(source, "train.py", select=["LR017"]).diagnostics


def fixed(source: str, unsafe: bool = False) -> str | None:
    return lint_source(source, "train.py", select=["LR017"], fix=True,
                       unsafe_fixes=unsafe).fixed_source


def first_lr(source: str) -> float:
    """The LR the first optimizer step of the script would use, in real torch."""
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, "train.py", "exec"), namespace)  # noqa: S102 - our own test script
    return namespace["optimizer"].param_groups[0]["lr"]


GUARDED = HEADER + "scheduler = LambdaLR(optimizer, lambda epoch: epoch / WARMUP if epoch < WARMUP else 1.0)\n"


def test_constant_warmup_quotes_the_lost_first_step():
    [finding] = findings(GUARDED)
    assert "`epoch / WARMUP` is 0 at step 0" in finding.message
    assert "LR 0 instead of 0.02" in finding.message
    assert "1 of the 5 warmup steps is wasted" in finding.message
    assert "ZeroDivisionError" not in finding.message
    assert first_lr(GUARDED) == 0.0


def test_fix_starts_the_warmup_at_one_step_and_keeps_the_rest():
    result = fixed(GUARDED)
    assert result == GUARDED.replace(
        "epoch / WARMUP if", "min(1.0, (epoch + 1) / max(1, WARMUP)) if")
    assert first_lr(result) == pytest.approx(0.02)
    assert findings(result) == []


def test_option_width_is_read_from_its_default_and_the_fix_guards_zero():
    source = HEADER + "scheduler = LambdaLR(optimizer, lambda step: min(1.0, step / args.warmup_steps))\n"
    [finding] = findings(source)
    # The option's default (100) is what a run without --warmup_steps gets.
    assert "1 of the 100 warmup steps is wasted" in finding.message
    assert fixed(source) == source.replace(
        "min(1.0, step / args.warmup_steps)", "min(1.0, (step + 1) / max(1, args.warmup_steps))")
    with pytest.raises(ZeroDivisionError):
        first_lr(source.replace("parse_args([])", "parse_args(['--warmup_steps', '0'])"))
    assert first_lr(fixed(source).replace(
        "parse_args([])", "parse_args(['--warmup_steps', '0'])")) == 0.1


def test_zero_width_raises_when_built():
    source = HEADER + "NO_WARMUP = 0\nscheduler = LambdaLR(optimizer, lambda s: min(1.0, s / NO_WARMUP))\n"
    [finding] = findings(source)
    assert "divides by zero: `NO_WARMUP` is 0 here" in finding.message
    with pytest.raises(ZeroDivisionError):
        first_lr(source)


def test_def_with_casts_and_a_decay_branch():
    source = HEADER + """\
TOTAL = 1000


def lr_lambda(step):
    if step < args.warmup_steps:
        return float(step) / float(args.warmup_steps)
    return max(0.0, (TOTAL - step) / (TOTAL - args.warmup_steps))


scheduler = LambdaLR(optimizer, lr_lambda)
"""
    [finding] = findings(source)
    assert "ZeroDivisionError" not in finding.message  # `step < 0` is never true
    result = fixed(source)
    assert "return min(1.0, (float(step) + 1) / max(1, float(args.warmup_steps)))" in result
    assert first_lr(result) == pytest.approx(0.1 / 100)


def test_warmup_child_of_sequential_lr_is_ended_by_its_milestone():
    source = HEADER + """\
warmup = LambdaLR(optimizer, lambda step: step / WARMUP)
decay = StepLR(optimizer, step_size=30)
scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[WARMUP])
"""
    [finding] = findings(source)
    assert "1 of the 5 warmup steps is wasted" in finding.message


def test_fix_is_unsafe_when_the_function_is_shared():
    source = HEADER + """\


def ramp(step):
    return min(1.0, step / WARMUP)


first = LambdaLR(optimizer, ramp)
print(ramp(3))
"""
    [finding] = findings(source)
    assert finding.fix.applicability == "unsafe"
    assert fixed(source) is None
    assert "return min(1.0, (step + 1) / max(1, WARMUP))" in fixed(source, unsafe=True)


def test_named_lambda_used_once_is_safe():
    source = HEADER + "warm = lambda step: min(step / WARMUP, 1)\nscheduler = LambdaLR(optimizer, warm)\n"
    assert fixed(source) == source.replace(
        "min(step / WARMUP, 1)", "min(1.0, (step + 1) / max(1, WARMUP))")


SILENT = {
    "Hugging Face's own guarded form starts at 0 by design": """\


def lr_lambda(current_step):
    if current_step < args.warmup_steps:
        return float(current_step) / float(max(1, args.warmup_steps))
    return 1.0


scheduler = LambdaLR(optimizer, lr_lambda)
""",
    "already starts above 0": "scheduler = LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / WARMUP))\n",
    "not a warmup: uncapped growth": "scheduler = LambdaLR(optimizer, lambda s: s / 100)\n",
    "step 0 takes another branch": """\


def lr_lambda(step):
    if step == 0:
        return 0.01
    if step < WARMUP:
        return step / WARMUP
    return 1.0


scheduler = LambdaLR(optimizer, lr_lambda)
""",
    "MultiplicativeLR never calls it with 0":
        "scheduler = MultiplicativeLR(optimizer, lambda s: min(1.0, s / WARMUP))\n",
    "the scheduler steps before the optimizer": """\
scheduler = LambdaLR(optimizer, lambda s: min(1.0, s / WARMUP))
for epoch in range(10):
    scheduler.step()
    optimizer.step()
""",
    "the step is not the numerator": "scheduler = LambdaLR(optimizer, lambda s: min(1.0, WARMUP / (s + 1)))\n",
}


@pytest.mark.parametrize("name", SILENT)
def test_silent_near_misses(name):
    assert findings(HEADER + SILENT[name]) == []


def test_hugging_face_copy_does_start_at_zero_in_torch():
    # The silence above is a decision (the page says why), not a blind spot.
    assert first_lr(HEADER + SILENT["Hugging Face's own guarded form starts at 0 by design"]) == 0.0
