"""LR028 timm-step-without-epoch: ``scheduler.step()`` on a timm scheduler raises TypeError."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from lintkit import findings, fixed

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "schedules"))
from timm_reference import timm_scheduler

HEAD = """
    import torch
    from timm.scheduler import CosineLRScheduler, PlateauLRScheduler, create_scheduler_v2

    model = torch.nn.Linear(10, 1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4)
    scheduler = CosineLRScheduler(optimizer, t_initial=100, warmup_t=5, warmup_lr_init=1e-6)
"""
PER_EPOCH = HEAD + """
    for epoch in range(100):
        for batch in loader:
            optimizer.step()
        scheduler.step()
"""


def test_bare_step_per_epoch_raises_after_the_first_epoch():
    [finding] = findings(PER_EPOCH, "LR028")
    assert finding.severity == "error" and finding.start.line == 12
    assert finding.message == (
        "`scheduler.step()` leaves out the epoch that timm's `step(epoch, metric=None)` requires "
        "(CosineLRScheduler): it raises TypeError (\"Scheduler.step() missing 1 required "
        "positional argument: 'epoch'\") at the end of the first epoch, after a whole epoch of "
        "training; timm's train.py passes the next epoch after each epoch: `step(epoch + 1)`")


def test_fix_passes_the_next_epoch_and_is_unsafe():
    assert fixed(PER_EPOCH, "LR028") is None
    assert fixed(PER_EPOCH, "LR028", unsafe=True).endswith("\n    scheduler.step(epoch + 1)\n")
    metric = PER_EPOCH.replace("scheduler.step()", "scheduler.step(metric=val_loss)")
    assert fixed(metric, "LR028", unsafe=True).endswith(
        "\n    scheduler.step(epoch + 1, metric=val_loss)\n")


def test_per_batch_step_has_no_fix():
    [finding] = findings(HEAD + """
    for epoch in range(100):
        for batch in loader:
            optimizer.step()
            scheduler.step()
    """, "LR028")
    assert "raises TypeError (\"Scheduler.step() missing 1 required positional argument: " \
           "'epoch'\") after the first batch" in finding.message
    assert finding.fix is None
    assert "call `step_update(num_updates)` after each optimizer update" in finding.message


def test_factory_result_and_plateau():
    [factory] = findings(HEAD + """
    sched, num_epochs = create_scheduler_v2(optimizer, num_epochs=100)
    while True:
        train()
        sched.step()
    """, "LR028")
    assert "(the scheduler create_scheduler_v2() returns)" in factory.message
    assert "the first time it runs" in factory.message and factory.fix is None
    [plateau] = findings(HEAD + """
    plateau = PlateauLRScheduler(optimizer, mode="min")
    for epoch in range(100):
        train()
        plateau.step(metric=val_loss)
    """, "LR028")
    assert "PlateauLRScheduler.step() missing 1 required positional argument" in plateau.message


def test_epoch_given_or_possibly_given_is_fine():
    for call in ("scheduler.step(epoch + 1)", "scheduler.step(epoch=epoch)",
                 "scheduler.step(*step_args)", "scheduler.step(**kwargs)",
                 "scheduler.step_update(num_updates=n)"):
        assert findings(PER_EPOCH.replace("scheduler.step()", call), "LR028") == [], call


def test_a_receiver_that_may_be_a_torch_scheduler_is_left_alone():
    assert findings(HEAD + """
    other = CosineLRScheduler(optimizer, t_initial=100) if args.timm else \\
        torch.optim.lr_scheduler.StepLR(optimizer, 30)
    for epoch in range(100):
        train()
        other.step()
    """, "LR028") == []
    assert findings(HEAD + """
    def run(sched):
        for epoch in range(100):
            train()
            sched.step()

    run(scheduler)
    run(torch.optim.lr_scheduler.StepLR(optimizer, 30))
    """, "LR028") == []


def test_own_step_expected_error_and_wrapper_machinery():
    assert findings(HEAD + """
    class Stepping(CosineLRScheduler):
        def step(self, epoch=None, metric=None):
            self.epoch = (self.epoch + 1) if epoch is None else epoch
            super().step(self.epoch, metric)

    mine = Stepping(optimizer, t_initial=100)
    for epoch in range(100):
        train()
        mine.step()
    """, "LR028") == []
    assert findings(HEAD + """
    import pytest

    def test_step_needs_the_epoch():
        with pytest.raises(TypeError):
            scheduler.step()
    """, "LR028") == []


def test_lightning_hook_passes_the_epoch():
    assert findings("""
    import lightning as L
    import torch
    from timm.scheduler import CosineLRScheduler

    class Model(L.LightningModule):
        def configure_optimizers(self):
            optimizer = torch.optim.AdamW(self.parameters(), lr=5e-4)
            return [optimizer], [CosineLRScheduler(optimizer, t_initial=300)]

        def lr_scheduler_step(self, scheduler, metric):
            scheduler.step(epoch=self.current_epoch)
    """, ["LR027", "LR028", "LR011", "LR003", "LR018"]) == []


def test_timm_raises_the_quoted_type_error():
    torch = pytest.importorskip("torch")
    timm = timm_scheduler()
    optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=5e-4)
    for scheduler, owner in ((timm.CosineLRScheduler(optimizer, t_initial=100), "Scheduler"),
                             (timm.PlateauLRScheduler(optimizer), "PlateauLRScheduler")):
        for keywords in ({}, {"metric": 0.5}):
            with pytest.raises(TypeError) as raised:
                scheduler.step(**keywords)
            assert str(raised.value) == (f"{owner}.step() missing 1 required positional "
                                         "argument: 'epoch'")
