"""LR023 warmup-ratio-as-steps: a fraction where a step count is read."""

from __future__ import annotations

import pytest
from lintkit import findings, lint_project, where

HEADER = """\
import argparse
import torch
from transformers import (get_constant_schedule_with_warmup, get_cosine_schedule_with_warmup,
                          get_inverse_sqrt_schedule, get_linear_schedule_with_warmup,
                          get_scheduler)

optimizer = torch.optim.AdamW(torch.nn.Linear(2, 1).parameters(), lr=1e-3)
"""


def test_literal_ratio_to_a_warmup_factory():
    [finding] = findings(HEADER + "scheduler = get_linear_schedule_with_warmup(optimizer, 0.1, 1000)\n",
                         "LR023")
    assert finding.start.line == 8
    assert finding.message.startswith(
        "`num_warmup_steps=0.1` is a fraction, not a step count, but "
        "get_linear_schedule_with_warmup counts warm-up steps: only step 0 satisfies "
        "`current_step < 0.1`, and its factor is 0 / max(1, 0.1) = 0, so the first optimizer "
        "step runs at LR 0 and the second already at the peak: there is no warm-up")


def test_argparse_ratio_folds():
    [finding] = findings(HEADER + """
parser = argparse.ArgumentParser()
parser.add_argument("--warmup_ratio", type=float, default=0.06)
args = parser.parse_args()
scheduler = get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=args.warmup_ratio,
                                            num_training_steps=1000)
""", "LR023")
    assert "`num_warmup_steps=args.warmup_ratio` (= 0.06) is a fraction" in finding.message


def test_ratio_named_value_that_does_not_fold():
    [finding] = findings(HEADER + """
def build(optimizer, config):
    warmup = config.warmup_proportion
    return get_scheduler("linear", optimizer, num_warmup_steps=warmup,
                         num_training_steps=config.total_steps)
""", "LR023")
    assert "is a fraction of the run (`config.warmup_proportion`)" in finding.message


def test_inverse_sqrt_collapses():
    [finding] = findings(HEADER + "s = get_inverse_sqrt_schedule(optimizer, num_warmup_steps=0.05)\n",
                         "LR023")
    assert "from step 1 the LR is sqrt(0.05 / step) of its peak (0.22 of it at step 1, " \
        "0.022 at step 100)" in finding.message


def test_ratio_from_another_module(tmp_path):
    diagnostics = lint_project(tmp_path, {
        "config.py": """
            WARMUP_RATIO = 0.1
        """,
        "train.py": HEADER + """
import config
scheduler = get_constant_schedule_with_warmup(optimizer, config.WARMUP_RATIO)
""",
    }, select=["LR023"])
    assert where(diagnostics, tmp_path) == [("train.py", "LR023", 10)]


@pytest.mark.parametrize("call", [
    "get_linear_schedule_with_warmup(optimizer, 100, 1000)",
    "get_linear_schedule_with_warmup(optimizer, int(0.1 * 1000), 1000)",
    "get_linear_schedule_with_warmup(optimizer, 0, 1000)",
    "get_linear_schedule_with_warmup(optimizer, 1.0, 1000)",
    "get_cosine_schedule_with_warmup(optimizer, math.ceil(args.warmup_ratio * total), total)",
    "get_scheduler('constant', optimizer, num_warmup_steps=0.1)",  # LR021 / ignored anyway
    "get_scheduler('linear', optimizer, num_warmup_steps=n_warmup, num_training_steps=9)",
])
def test_look_alikes(call):
    assert findings(HEADER + f"scheduler = {call}\n", "LR023") == []


def test_training_arguments_warmup_below_one_is_a_ratio():
    # transformers 5 reads warmup_steps < 1 as a ratio of the run: not this rule's business.
    assert findings("""
        from transformers import TrainingArguments
        args = TrainingArguments(output_dir="o", warmup_steps=0.1, lr_scheduler_type="linear")
    """, "LR023") == []


# -- the claim, checked against transformers itself ------------------------------------------


@pytest.mark.slow
def test_transformers_reads_a_fraction_as_steps():
    torch = pytest.importorskip("torch")
    optimization = pytest.importorskip("transformers.optimization")
    parameter = torch.nn.Parameter(torch.zeros(1))
    lrs = {}
    for warmup in (0.1, 100):
        optimizer = torch.optim.SGD([parameter], lr=1.0)
        scheduler = optimization.get_linear_schedule_with_warmup(optimizer, warmup, 1000)
        lrs[warmup] = []
        for _ in range(3):
            lrs[warmup].append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
    assert lrs[0.1][0] == 0.0 and lrs[0.1][1] == pytest.approx(1.0, abs=1e-3)  # no warm-up
    assert lrs[100][1] == pytest.approx(0.01)  # the warm-up a step count gives
    optimizer = torch.optim.SGD([parameter], lr=1.0)
    scheduler = optimization.get_inverse_sqrt_schedule(optimizer, num_warmup_steps=0.05)
    for _ in range(100):
        optimizer.step()
        scheduler.step()
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.05 ** 0.5 / 10)  # step 100
