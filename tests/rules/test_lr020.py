"""LR020 lightning-scheduler-stepped-twice: returned from configure_optimizers with automatic
optimization (Lightning steps it) and stepped by user code too."""

from __future__ import annotations

import pytest
from lintkit import findings, lint_project, where

HEADER = """\
import pytorch_lightning as pl
import torch
from torch.optim.lr_scheduler import OneCycleLR, ReduceLROnPlateau, StepLR


class Model(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)
"""
TRAINING_STEP = """
    def training_step(self, batch, batch_idx):
        {step}
        return self.layer(batch).pow(2).mean()
"""
CONFIGURE = """
    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        self.scheduler = StepLR(optimizer, step_size=1, gamma=0.5)
        return {returned}
"""


def source(step: str = "pass", returned: str = "[optimizer], [self.scheduler]",
           extra: str = "") -> str:
    return (HEADER + TRAINING_STEP.format(step=step) + CONFIGURE.format(returned=returned)
            + extra)


@pytest.mark.parametrize("step", [
    "self.scheduler.step()",
    "self.lr_schedulers().step()",
    "sch = self.lr_schedulers()\n        sch.step()",
    "self.trainer.lr_scheduler_configs[0].scheduler.step()",
    "self._advance(self.lr_schedulers())",
])
def test_stepped_in_training_step_and_by_lightning(step):
    helper = "\n    def _advance(self, scheduler):\n        scheduler.step()\n"
    [finding] = findings(source(step, extra=helper), "LR020")
    assert finding.start.line in (12, 13, 21)  # the step, or the helper's
    assert finding.message.startswith(
        "StepLR is returned from configure_optimizers, so Lightning (automatic optimization) "
        "already steps it once per epoch; `")
    assert "in `training_step` steps it again, every training batch: the extra steps push the " \
        "schedule ahead of training" in finding.message


@pytest.mark.parametrize("returned", [
    '{"optimizer": optimizer, "lr_scheduler": {"scheduler": self.scheduler, "interval": "step"}}',
    '[optimizer], [{"scheduler": self.scheduler, "interval": "step"}]',
])
def test_same_cadence_runs_twice_as_fast(returned):
    [finding] = findings(source("self.lr_schedulers().step()", returned), "LR020")
    assert "already steps it after every optimizer step" in finding.message
    assert finding.message.endswith("it advances 2 steps at a time, so the schedule runs twice "
                                    "as fast")


def test_every_manual_step_is_reported_with_its_hook():
    # hearai: stepped in training_step and again in validation_epoch_end, and by Lightning
    extra = """
    def validation_epoch_end(self, outputs):
        if self.trainer.global_step > 0:
            self.scheduler.step()
"""
    found = findings(source("self.scheduler.step()", extra=extra), "LR020")
    assert [(f.start.line, "validation_epoch_end" in f.message) for f in found] == [
        (12, False), (22, True)]


def test_one_cycle_raises_past_its_total():
    text = source("self.scheduler.step()").replace(
        "StepLR(optimizer, step_size=1, gamma=0.5)",
        "OneCycleLR(optimizer, max_lr=0.1, total_steps=self.trainer.estimated_stepping_batches)")
    [finding] = findings(text, "LR020")
    assert finding.message.endswith("and OneCycleLR raises ValueError once it is stepped past "
                                    "its total steps")


def test_plateau_counts_its_patience_twice():
    text = source(extra="""
    def validation_step(self, batch, batch_idx):
        self.log("val_loss", batch.sum())

    def on_validation_epoch_end(self):
        self.scheduler.step(self.trainer.callback_metrics["val_loss"])
""").replace("StepLR(optimizer, step_size=1, gamma=0.5)", "ReduceLROnPlateau(optimizer)").replace(
        "[optimizer], [self.scheduler]",
        '{"optimizer": optimizer, "lr_scheduler": self.scheduler, "monitor": "val_loss"}')
    [finding] = findings(text, "LR020")
    assert finding.message.endswith("so its patience runs out early")


@pytest.mark.parametrize("text", [
    # not returned: the module steps it alone
    source("self.scheduler.step()", "optimizer"),
    # manual optimization: the manual step is the only one
    source("self.lr_schedulers().step()").replace(
        "self.layer = torch.nn.Linear(4, 1)",
        "self.layer = torch.nn.Linear(4, 1)\n        self.automatic_optimization = False"),
    # the step is Lightning's own, through the hook
    source(extra="\n    def lr_scheduler_step(self, scheduler, metric):\n        scheduler.step()\n"),
    # an own hook that does something else
    source("self.scheduler.step()", extra="\n    def lr_scheduler_step(self, scheduler, metric):"
           "\n        pass\n"),
    # once, to fast-forward a resumed schedule
    source(extra="\n    def on_train_start(self):\n        for _ in range(self.global_step):\n"
           "            self.scheduler.step()\n"),
    # several schedulers: which one lr_schedulers() steps is not said
    source("for s in self.lr_schedulers():\n            s.step()",
           "[optimizer], [self.scheduler, StepLR(optimizer, 5)]"),
    # only read
    source('self.log("lr", self.lr_schedulers().get_last_lr()[0])'),
])
def test_look_alikes(text):
    assert findings(text, "LR020") == []


def test_timm_scheduler_stepped_by_update_and_by_the_hook():
    text = """\
        import lightning as L
        import torch
        from timm.scheduler import CosineLRScheduler


        class Model(L.LightningModule):
            def training_step(self, batch, batch_idx):
                self.lr_schedulers().step_update(self.global_step)
                return batch.sum()

            def configure_optimizers(self):
                optimizer = torch.optim.AdamW(self.parameters(), lr=1e-3)
                return [optimizer], [CosineLRScheduler(optimizer, t_initial=100)]

            def lr_scheduler_step(self, scheduler, metric):
                scheduler.step(epoch=self.current_epoch)
    """
    assert findings(text, "LR020") == []


def test_a_subclass_steps_what_the_base_returns(tmp_path):
    diagnostics = lint_project(tmp_path, {
        "base.py": """\
            import lightning as L
            import torch


            class Base(L.LightningModule):
                def configure_optimizers(self):
                    optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
                    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 10)
                    return [optimizer], [scheduler]
        """,
        "model.py": """\
            from base import Base


            class Model(Base):
                def training_step(self, batch, batch_idx):
                    self.lr_schedulers().step()
                    return batch.sum()
        """}, select=["LR020"])
    assert where(diagnostics, tmp_path) == [("model.py", "LR020", 6)]


@pytest.mark.slow
def test_lightning_steps_it_too():
    pytest.importorskip("lightning.pytorch")
    from lightning_kit import fit_snippet

    text = source("self.lr_schedulers().step()",
                  '[optimizer], [{"scheduler": self.scheduler, "interval": "step"}]')
    run = fit_snippet(text.replace("pytorch_lightning as pl", "lightning.pytorch as pl"),
                      "Model", epochs=2, batches=3)
    assert run.error is None
    # gamma 0.5 per step, two steps per batch
    assert run.lrs == pytest.approx([0.1 * 0.25 ** i for i in range(6)])
