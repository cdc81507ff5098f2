"""LR017 warmup-starts-at-zero: `step / warmup_steps` gives the first step LR 0."""

from __future__ import annotations

import warnings

import pytest
from lintkit import findings, fixed

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


def first_lr(source: str) -> float:
    """The LR the first optimizer step of the script would use, in real torch (the test that
    asks is skipped without torch)."""
    pytest.importorskip("torch")
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, "train.py", "exec"), namespace)  # noqa: S102 - our own test script
    return namespace["optimizer"].param_groups[0]["lr"]


GUARDED = HEADER + "scheduler = LambdaLR(optimizer, lambda epoch: epoch / WARMUP if epoch < WARMUP else 1.0)\n"


def test_constant_warmup_quotes_the_lost_first_step():
    [finding] = findings(GUARDED, "LR017")
    assert "`epoch / WARMUP` is 0 at step 0" in finding.message
    assert "LR 0 instead of 0.02" in finding.message
    assert "1 of the 5 warmup steps is wasted" in finding.message
    assert "ZeroDivisionError" not in finding.message


def test_torch_runs_the_first_step_of_the_warmup_at_lr_0():
    assert first_lr(GUARDED) == 0.0


def test_fix_starts_the_warmup_at_one_step_and_keeps_the_rest():
    result = fixed(GUARDED, "LR017")
    assert result == GUARDED.replace(
        "epoch / WARMUP if", "min(1.0, (epoch + 1) / max(1, WARMUP)) if")
    assert findings(result, "LR017") == []


def test_torch_runs_the_first_step_of_the_fixed_warmup_at_a_fifth_of_the_lr():
    assert first_lr(fixed(GUARDED, "LR017")) == pytest.approx(0.02)


OPTION_WIDTH = HEADER + "scheduler = LambdaLR(optimizer, lambda step: min(1.0, step / args.warmup_steps))\n"


def test_option_width_is_read_from_its_default_and_the_fix_guards_zero():
    source = OPTION_WIDTH
    [finding] = findings(source, "LR017")
    # The option's default (100) is what a run without --warmup_steps gets.
    assert "1 of the 100 warmup steps is wasted" in finding.message
    assert fixed(source, "LR017") == source.replace(
        "min(1.0, step / args.warmup_steps)", "min(1.0, (step + 1) / max(1, args.warmup_steps))")


def test_torch_divides_by_a_zero_option_and_the_fix_guards_it():
    source = OPTION_WIDTH
    with pytest.raises(ZeroDivisionError):
        first_lr(source.replace("parse_args([])", "parse_args(['--warmup_steps', '0'])"))
    assert first_lr(fixed(source, "LR017").replace(
        "parse_args([])", "parse_args(['--warmup_steps', '0'])")) == 0.1


ZERO_WIDTH = HEADER + "NO_WARMUP = 0\nscheduler = LambdaLR(optimizer, lambda s: min(1.0, s / NO_WARMUP))\n"


def test_zero_width_raises_when_built():
    [finding] = findings(ZERO_WIDTH, "LR017")
    assert "divides by zero: `NO_WARMUP` is 0 here" in finding.message


def test_torch_raises_on_a_zero_width_when_built():
    with pytest.raises(ZeroDivisionError):
        first_lr(ZERO_WIDTH)


CASTS = HEADER + """\
TOTAL = 1000


def lr_lambda(step):
    if step < args.warmup_steps:
        return float(step) / float(args.warmup_steps)
    return max(0.0, (TOTAL - step) / (TOTAL - args.warmup_steps))


scheduler = LambdaLR(optimizer, lr_lambda)
"""


def test_def_with_casts_and_a_decay_branch():
    [finding] = findings(CASTS, "LR017")
    assert "ZeroDivisionError" not in finding.message  # `step < 0` is never true
    result = fixed(CASTS, "LR017")
    assert "return min(1.0, (float(step) + 1) / max(1, float(args.warmup_steps)))" in result


def test_torch_runs_the_first_step_of_the_fixed_def_at_the_first_warmup_lr():
    assert first_lr(fixed(CASTS, "LR017")) == pytest.approx(0.1 / 100)


def test_warmup_child_of_sequential_lr_is_ended_by_its_milestone():
    source = HEADER + """\
warmup = LambdaLR(optimizer, lambda step: step / WARMUP)
decay = StepLR(optimizer, step_size=30)
scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[WARMUP])
"""
    [finding] = findings(source, "LR017")
    assert "1 of the 5 warmup steps is wasted" in finding.message


def test_fix_is_unsafe_when_the_function_is_shared():
    source = HEADER + """\


def ramp(step):
    return min(1.0, step / WARMUP)


first = LambdaLR(optimizer, ramp)
print(ramp(3))
"""
    [finding] = findings(source, "LR017")
    assert finding.fix.applicability == "unsafe"
    assert fixed(source, "LR017") is None
    assert "return min(1.0, (step + 1) / max(1, WARMUP))" in fixed(source, "LR017", unsafe=True)


def test_named_lambda_used_once_is_safe():
    source = HEADER + "warm = lambda step: min(step / WARMUP, 1)\nscheduler = LambdaLR(optimizer, warm)\n"
    assert fixed(source, "LR017") == source.replace(
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
    assert findings(HEADER + SILENT[name], "LR017") == []


def test_hugging_face_copy_does_start_at_zero_in_torch():
    # The silence above is a decision (the page says why), not a blind spot.
    assert first_lr(HEADER + SILENT["Hugging Face's own guarded form starts at 0 by design"]) == 0.0
