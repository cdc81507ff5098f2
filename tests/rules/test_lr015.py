"""LR015 manual-lr-with-scheduler: a param group's LR written while a scheduler drives it."""

from __future__ import annotations

import textwrap

import lintkit
import pytest

HEADER = """\
import torch
from torch.optim import lr_scheduler
from torch.optim.lr_scheduler import (
    CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, OneCycleLR, ReduceLROnPlateau,
    SequentialLR, StepLR,
)
from transformers import get_linear_schedule_with_warmup

model = torch.nn.Linear(10, 1)
loader = [torch.randn(4, 10) for _ in range(8)]
"""


def messages(body: str) -> list[str]:
    """The messages of LR015 on HEADER and the dedented body."""
    return lintkit.messages(HEADER + textwrap.dedent(body), "LR015")


def test_chainable_scheduler_compounds_a_manual_decay():
    found = messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
        for epoch in range(90):
            optimizer.step()
            scheduler.step()
            if epoch == 50:
                for group in optimizer.param_groups:
                    group["lr"] *= 0.5
    """)
    assert len(found) == 1
    assert found[0].startswith('`group["lr"] *= 0.5` compounds with StepLR')
    assert "gamma=0.1 decay every 30 steps" in found[0]


def test_closed_form_scheduler_erases_a_one_off_write_and_says_to_what():
    found = messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = LambdaLR(optimizer, lambda epoch: 0.95 ** epoch)
        for group in optimizer.param_groups:
            group["lr"] = 0.05
        for epoch in range(90):
            optimizer.step()
            scheduler.step()
    """)
    assert len(found) == 1
    assert "erased at the next `scheduler.step()`" in found[0]
    assert "base LR (0.1)" in found[0] and "sets it back to 0.095" in found[0]


def test_closed_form_erases_a_conditional_write_in_the_loop():
    found = messages("""
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
        scheduler = get_linear_schedule_with_warmup(optimizer, 100, 1000)
        for step, batch in enumerate(loader):
            optimizer.step()
            scheduler.step()
            if step % 100 == 0:
                optimizer.param_groups[0]["lr"] = 1e-5
    """)
    assert len(found) == 1
    assert "get_linear_schedule_with_warmup" in found[0] and "lasts only until then" in found[0]
    assert "3e-4" in found[0]


def test_chainable_scheduler_with_a_per_step_rescale_compounds():
    found = messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = CosineAnnealingLR(optimizer, T_max=100)
        for epoch in range(100):
            optimizer.step()
            scheduler.step()
            for group in optimizer.param_groups:
                group["lr"] = group["lr"] * group.get("lr_scale", 1.0)
    """)
    assert len(found) == 1 and "cosine decay to eta_min=0.0 over T_max=100 steps" in found[0]


def test_closed_form_scheduler_with_a_per_step_rescale_is_the_layer_decay_idiom():
    assert messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = LambdaLR(optimizer, lambda step: 1 - step / 100)
        for epoch in range(100):
            optimizer.step()
            scheduler.step()
            for group in optimizer.param_groups:
                group["lr"] = group["lr"] * group.get("lr_scale", 1.0)
    """) == []


def test_write_before_the_scheduler_exists_is_the_warmup_hand_off():
    assert messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for step in range(100):
            for group in optimizer.param_groups:
                group["lr"] = 0.1 * (step + 1) / 100
            optimizer.step()
        scheduler = LambdaLR(optimizer, lambda epoch: 0.9 ** epoch)
        for epoch in range(10):
            optimizer.step()
            scheduler.step()
    """) == []


@pytest.mark.parametrize("guard", ["if epoch < warmup_epochs:", "if epoch < 5 and not warm_done:"])
def test_warmup_named_conditions_are_silent(guard):
    assert messages(f"""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = LambdaLR(optimizer, lambda epoch: 0.9 ** epoch)
        for epoch in range(100):
            {guard}
                for group in optimizer.param_groups:
                    group["lr"] = 0.1 * (epoch + 1) / 5
            optimizer.step()
            scheduler.step()
    """) == []


def test_warmup_function_reached_through_a_call_is_silent():
    assert messages("""
        def warmup_lr(optimizer, epoch):
            if epoch < 5:
                for group in optimizer.param_groups:
                    group["lr"] = 0.1 * (epoch + 1) / 5

        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(optimizer, 30)
        for epoch in range(100):
            warmup_lr(optimizer, epoch)
            optimizer.step()
            scheduler.step()
    """) == []


def test_per_iteration_write_between_per_epoch_steps_is_silent():
    # YOLOv5-style: the batch loop owns the LR during warmup; the epoch loop steps the scheduler.
    assert messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        scheduler = LambdaLR(optimizer, lambda epoch: (1 - epoch / 300) * 0.99 + 0.01)
        nw = 1000
        for epoch in range(300):
            for i, batch in enumerate(loader):
                ni = i + len(loader) * epoch
                if ni <= nw:
                    for j, x in enumerate(optimizer.param_groups):
                        x["lr"] = 0.01 * ni / nw
                optimizer.step()
            scheduler.step()
    """) == []


def test_write_in_the_branch_that_does_not_step_is_a_hand_off():
    assert messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = ExponentialLR(optimizer, gamma=0.9)
        for epoch in range(100):
            optimizer.step()
            if epoch < 5:
                for group in optimizer.param_groups:
                    group["lr"] *= 2
            else:
                scheduler.step()
    """) == []


def test_plateau_reads_the_group_lr_and_is_silent():
    assert messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = ReduceLROnPlateau(optimizer)
        for epoch in range(100):
            optimizer.step()
            scheduler.step(1.0)
            if epoch == 50:
                for group in optimizer.param_groups:
                    group["lr"] = 0.01
    """) == []


def test_initial_lr_writes_and_other_keys_are_silent():
    assert messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(optimizer, 30)
        for epoch in range(100):
            optimizer.step()
            scheduler.step()
            if epoch == 50:
                for group in optimizer.param_groups:
                    group["initial_lr"] = 0.01
                    group["weight_decay"] = 0.0
    """) == []


def test_writes_inside_a_scheduler_subclass_are_silent():
    assert messages("""
        class Halving(lr_scheduler.LRScheduler):
            def step(self, epoch=None):
                if self.last_epoch % 10 == 0:
                    for group in self.optimizer.param_groups:
                        group["lr"] *= 0.5
                super().step()

        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = Halving(optimizer)
        for epoch in range(100):
            optimizer.step()
            scheduler.step()
    """) == []


def test_optimizer_without_a_scheduler_or_another_optimizer_is_silent():
    assert messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        other = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(other, 30)
        for epoch in range(100):
            optimizer.step()
            other.step()
            scheduler.step()
            if epoch == 50:
                for group in optimizer.param_groups:
                    group["lr"] *= 0.1
    """) == []


def test_a_dict_that_only_looks_like_a_param_group_is_silent():
    assert messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(optimizer, 30)
        config = {"lr": 0.1}
        for epoch in range(100):
            optimizer.step()
            scheduler.step()
            if epoch == 50:
                config["lr"] *= 0.1
    """) == []


def test_helper_function_and_self_attributes_are_followed():
    found = messages("""
        def adjust_learning_rate(optimizer, epoch):
            if epoch in (30, 60):
                for group in optimizer.param_groups:
                    group["lr"] *= 0.1

        class Trainer:
            def __init__(self):
                self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
                self.scheduler = lr_scheduler.MultiStepLR(self.optimizer, milestones=[30, 60])

            def fit(self):
                for epoch in range(90):
                    self.optimizer.step()
                    adjust_learning_rate(self.optimizer, epoch)
                    self.scheduler.step()
    """)
    assert len(found) == 1 and "gamma=0.1 decays at milestones [30, 60]" in found[0]


def test_composite_scheduler_is_judged_by_its_children():
    found = messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)
        decay = LambdaLR(optimizer, lambda e: 0.9 ** e)
        scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[5])
        for epoch in range(50):
            optimizer.step()
            scheduler.step()
            if epoch == 20:
                for group in optimizer.param_groups:
                    group["lr"] = 0.01
    """)
    assert len(found) == 1 and "erased" in found[0] and "SequentialLR" in found[0]


def test_the_messages_match_torch():
    torch = pytest.importorskip("torch")
    parameter = torch.nn.Parameter(torch.zeros(1))
    # closed form: the manual write is gone after one step
    optimizer = torch.optim.SGD([parameter], lr=0.1)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 0.95 ** epoch)
    optimizer.param_groups[0]["lr"] = 0.05
    optimizer.step()
    scheduler.step()
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.095)
    # chainable: the manual write carries into the schedule and its decay applies on top
    optimizer = torch.optim.SGD([parameter], lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
    optimizer.param_groups[0]["lr"] *= 0.5
    for _ in range(2):
        optimizer.step()
        scheduler.step()
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.005)


def test_closed_form_stepped_inside_the_loop_that_writes_erases_it():
    found = messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = OneCycleLR(optimizer, max_lr=0.1, total_steps=80)
        for epoch in range(10):
            for group in optimizer.param_groups:
                group["lr"] = group["lr"] * 0.9
            for batch in loader:
                optimizer.step()
                scheduler.step()
    """)
    assert len(found) == 1 and "OneCycleLR" in found[0] and "erased" in found[0]


def test_chainable_scheduler_restarting_from_a_per_stage_lr_is_silent():
    assert messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = ExponentialLR(optimizer, gamma=0.99)
        for stage_lr in (0.1, 0.01):
            for group in optimizer.param_groups:
                group["lr"] = stage_lr
            for batch in loader:
                optimizer.step()
                scheduler.step()
    """) == []


def test_an_unconditional_clamped_warmup_write_undoes_the_decays():
    """Written every epoch, `lr * min(1, (epoch + 1) / warmup)` keeps writing the base LR after
    the warmup: MultiStepLR's decays never take effect."""
    [message] = messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.2)
        scheduler = lr_scheduler.MultiStepLR(optimizer, milestones=[30, 60], gamma=0.1)
        for epoch in range(90):
            warmup_factor = min(1.0, (epoch + 1) / 5)
            for group in optimizer.param_groups:
                group["lr"] = 0.2 * warmup_factor
            for batch in loader:
                optimizer.step()
            scheduler.step()
    """)
    assert "never takes effect" in message


def test_a_step_decay_helper_beside_a_cosine_scheduler_undoes_it():
    [message] = messages("""
        def adjust_learning_rate(optimizer, epoch, base_lr):
            lr = base_lr * (0.1 ** (epoch // 30))
            for param_group in optimizer.param_groups:
                param_group["lr"] = lr


        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = CosineAnnealingLR(optimizer, T_max=90)
        for epoch in range(90):
            adjust_learning_rate(optimizer, epoch, 0.1)
            for batch in loader:
                optimizer.step()
            scheduler.step()
    """)
    assert "CosineAnnealingLR" in message and "never takes effect" in message
