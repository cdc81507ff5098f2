"""`lrlint explain` on a LightningModule: the schedule at the interval Lightning steps it, for a
run length taken from --set / --steps-per-epoch, and for an LR019 finding the curve Lightning
really produces beside the declared one."""

from __future__ import annotations

import json

import pytest

from lrlint.cli import main
from lrlint.schedules import build

MODULE = """\
import lightning as L
import torch
from torch.optim.lr_scheduler import CosineAnnealingLR, OneCycleLR


class Model(L.LightningModule):
    def training_step(self, batch, batch_idx):
        return batch.sum()

    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        scheduler = {scheduler}
        return {returned}
"""
ONE_CYCLE = "OneCycleLR(optimizer, max_lr=0.1, total_steps=self.trainer.estimated_stepping_batches)"
COSINE = "CosineAnnealingLR(optimizer, T_max=self.trainer.max_epochs)"


def explain_json(capsys, tmp_path, scheduler: str, returned: str, *options) -> dict:
    path = tmp_path / "model.py"
    path.write_text(MODULE.format(scheduler=scheduler, returned=returned))
    assert main(["explain", str(path), "--output-format", "json", *map(str, options)]) == 0
    (pair,) = json.loads(capsys.readouterr().out)["pairs"]
    return pair


def test_per_step_schedule_at_the_default_interval_is_stretched(capsys, tmp_path):
    pair = explain_json(capsys, tmp_path, ONE_CYCLE, "[optimizer], [scheduler]",
                        "--set", "self.trainer.estimated_stepping_batches=600",
                        "--steps-per-epoch", "60")
    declared = build("OneCycleLR", 0.1, max_lr=0.1, total_steps=600).values(600)
    assert pair["x_axis"] == "optimizer step" and pair["steps"]["count"] == 600
    assert pair["curve"]["lr"] == pytest.approx(declared)
    actual = pair["actual"]
    assert [(f["code"], f["facts"]) for f in actual["findings"]] == [
        ("LR019", {"effect": "stretch", "stepped": "per epoch", "factor": 60})]
    assert actual["curve"]["lr"] == pytest.approx([declared[t // 60] for t in range(600)])
    assert 'Lightning steps it once per epoch ("interval": "epoch", Lightning\'s default)' \
        in pair["notes"]


def test_epoch_schedule_at_interval_step_is_squeezed(capsys, tmp_path):
    pair = explain_json(capsys, tmp_path, COSINE,
                        '[optimizer], [{"scheduler": scheduler, "interval": "step"}]',
                        "--set", "self.trainer.max_epochs=10", "--steps-per-epoch", "5")
    cosine = build("CosineAnnealingLR", 0.1, T_max=10).values(50)
    assert pair["steps"]["count"] == 50
    assert pair["steps"]["reason"] == ("Lightning's 10 epochs × 5 batches (max_epochs × "
                                       "--steps-per-epoch)")
    assert pair["curve"]["lr"] == pytest.approx([cosine[t // 5] for t in range(50)])  # meant
    assert pair["actual"]["curve"]["lr"] == pytest.approx(cosine)  # what Lightning does
    assert pair["actual"]["findings"][0]["facts"]["effect"] == "squeeze"


def test_interval_step_over_the_estimated_steps(capsys, tmp_path):
    pair = explain_json(capsys, tmp_path, ONE_CYCLE,
                        '{"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, '
                        '"interval": "step"}}',
                        "--set", "self.trainer.estimated_stepping_batches=300")
    assert pair["actual"] is None
    assert pair["x_axis"] == "optimizer step" and pair["steps"]["count"] == 300
    assert pair["steps"]["reason"] == ("Lightning's 300 optimizer steps "
                                       "(estimated_stepping_batches)")
    assert 'Lightning steps it after every optimizer step ("interval": "step")' in pair["notes"]


def test_epoch_schedule_at_the_default_interval(capsys, tmp_path):
    pair = explain_json(capsys, tmp_path, COSINE, "[optimizer], [scheduler]",
                        "--set", "self.trainer.max_epochs=20")
    assert pair["actual"] is None and pair["x_axis"] == "epoch"
    assert pair["steps"] == {**pair["steps"], "count": 20,
                             "reason": "Lightning's 20 epochs (max_epochs)"}


def test_without_the_batches_per_epoch_explain_says_what_to_pass(capsys, tmp_path):
    pair = explain_json(capsys, tmp_path, ONE_CYCLE, "[optimizer], [scheduler]",
                        "--set", "self.trainer.estimated_stepping_batches=600")
    assert pair["actual"] is None
    assert any(note.startswith("LR019 (line 12): to see the curve the code produces, pass "
                               "--steps-per-epoch N") for note in pair["notes"])
    assert any(note.startswith("pass --set self.trainer.max_epochs=N") for note in pair["notes"])


def test_interval_in_the_top_level_dict_is_drawn_at_the_epoch_interval(capsys, tmp_path):
    pair = explain_json(capsys, tmp_path, ONE_CYCLE,
                        '{"optimizer": optimizer, "lr_scheduler": scheduler, "interval": "step"}',
                        "--set", "self.trainer.estimated_stepping_batches=120",
                        "--steps-per-epoch", "12")
    declared = build("OneCycleLR", 0.1, max_lr=0.1, total_steps=120).values(120)
    [finding] = pair["actual"]["findings"]
    assert finding["code"] == "LR019" and finding["line"] == 13  # the misplaced "interval"
    assert pair["actual"]["curve"]["lr"] == pytest.approx([declared[t // 12] for t in range(120)])
