"""Constant folding through the module model: names, reaching assignments, and parameters."""

from __future__ import annotations

from textwrap import dedent

from lrlint import lint_source

TRAIN = dedent("""
    import torch
    from torch.optim.lr_scheduler import LinearLR

    def train(params, base_lr, epochs=10):
        opt = torch.optim.SGD(params, lr=base_lr)
        sched = LinearLR(opt, start_factor=0.5, total_iters=epochs)
        for epoch in range(epochs):
            opt.step()
            sched.step()
""")


def message(source: str) -> str:
    (d,) = lint_source(source, "t.py", select=["LR002"]).diagnostics
    return d.message


def test_parameter_folds_when_every_caller_agrees():
    assert "from 5e-4 to 1e-3 over 10 steps" in message(TRAIN + "train(p, 1e-3)\ntrain(q, base_lr=1e-3)\n")


def test_parameter_default_counts_for_callers_that_leave_it():
    assert "over 10 steps" in message(TRAIN + "train(p, 1e-3)\ntrain(q, 1e-3, epochs=10)\n")
    assert "over `total_iters` steps" in message(TRAIN + "train(p, 1e-3)\ntrain(q, 1e-3, 20)\n")


def test_callers_that_disagree_leave_the_value_unknown():
    assert "0.5x to 1.0x the base LR" in message(TRAIN + "train(p, 1e-3)\ntrain(q, 0.1)\n")


def test_no_caller_in_the_module_leaves_the_value_unknown():
    assert "0.5x to 1.0x the base LR" in message(TRAIN)
