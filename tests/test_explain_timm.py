"""`lrlint explain` on timm schedulers: drawn per epoch or per update as ``t_in_epochs`` says,
and, for an LR027 finding, the flat curve the code really produces beside the declared one."""

from __future__ import annotations

import json
from textwrap import dedent

from lrlint.cli import main
from lrlint.schedules import build

HEAD = """\
import torch
from timm.scheduler import CosineLRScheduler, PlateauLRScheduler, create_scheduler_v2

model = torch.nn.Linear(10, 1)
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4)
"""
PER_EPOCH = HEAD + """\
scheduler = CosineLRScheduler(optimizer, t_initial=50, warmup_t=5, warmup_lr_init=1e-6)
for epoch in range(50):
    for batch in train_loader:
        optimizer.step()
    scheduler.step(epoch + 1)
"""
PER_UPDATE = HEAD + """\
scheduler = CosineLRScheduler(optimizer, t_initial=20 * len(train_loader), lr_min=1e-5,
                              warmup_t=len(train_loader), warmup_lr_init=1e-6,
                              t_in_epochs=False)
num_updates = 0
for epoch in range(20):
    for batch in train_loader:
        optimizer.step()
        num_updates += 1
        scheduler.step_update(num_updates)
"""


def explain_json(capsys, tmp_path, source, *options):
    path = tmp_path / "train.py"
    path.write_text(dedent(source))
    assert main(["explain", str(path), "--output-format", "json", *options]) == 0
    [pair] = json.loads(capsys.readouterr().out)["pairs"]
    return pair


def test_epoch_schedule_is_drawn_per_epoch(capsys, tmp_path):
    pair = explain_json(capsys, tmp_path, PER_EPOCH)
    assert pair["status"] == "ok" and pair["x_axis"] == "epoch"
    assert pair["steps"]["count"] == 50 and pair["steps"]["source"] == "loop"
    expected = build("timm.CosineLRScheduler", 5e-4, t_initial=50, warmup_t=5,
                     warmup_lr_init=1e-6).values_by_epoch(50)
    assert pair["curve"]["lr"] == expected
    assert pair["actual"] is None


def test_update_schedule_is_drawn_per_update_with_steps_per_epoch(capsys, tmp_path):
    pair = explain_json(capsys, tmp_path, PER_UPDATE, "--steps-per-epoch", "30")
    assert pair["status"] == "ok" and pair["x_axis"] == "optimizer step"
    assert pair["steps"]["count"] == 600  # 20 epochs × 30 updates
    expected = build("timm.CosineLRScheduler", 5e-4, t_initial=600, lr_min=1e-5, warmup_t=30,
                     warmup_lr_init=1e-6, t_in_epochs=False).values_by_update(600)
    assert pair["curve"]["lr"] == expected
    lrs = pair["curve"]["lr"]
    assert lrs.index(max(lrs)) == 30  # the warm-up ends after the first epoch


def test_lr027_draws_the_flat_curve_beside_the_declared_one(capsys, tmp_path):
    source = PER_EPOCH.replace("    scheduler.step(epoch + 1)\n", "").replace(
        "        optimizer.step()\n",
        "        optimizer.step()\n        scheduler.step_update(0)\n")
    pair = explain_json(capsys, tmp_path, source)
    assert pair["x_axis"] == "epoch"
    assert pair["steps"] == {"count": 50, "source": "schedule",
                             "reason": "the decay of CosineLRScheduler ends at t=50"}
    actual = pair["actual"]
    assert [f["code"] for f in actual["findings"]] == ["LR027"]
    assert actual["curve"]["lr"] == [1e-6] * 50
    assert actual["effect"] == ("only `step_update()` is called, which this scheduler ignores "
                                "(`step()` moves it): the LR never leaves its initial value")
    assert max(pair["curve"]["lr"]) > 4.8e-4  # the declared warm-up and cosine
    assert "scheduler.step() is not called in this file" in pair["notes"]


def test_factory_length_and_plateau(capsys, tmp_path):
    pair = explain_json(capsys, tmp_path, HEAD + """\
scheduler, num_epochs = create_scheduler_v2(optimizer, sched="step", num_epochs=90,
                                            decay_epochs=30, warmup_epochs=3, warmup_lr=0.01,
                                            cooldown_epochs=10)
""")
    assert pair["steps"]["count"] == 90
    assert pair["steps"]["reason"] == "num_epochs=90 that create_scheduler_v2 returns"
    assert pair["curve"]["lr"][:4] == build(
        "timm.StepLRScheduler", 5e-4, decay_t=30, warmup_t=3, warmup_lr_init=0.01,
        decay_rate=0.1).values_by_epoch(4)
    plateau = explain_json(capsys, tmp_path, HEAD + "scheduler = PlateauLRScheduler(optimizer)\n")
    assert plateau["status"] == "no_curve"
    assert plateau["reason"] == ("PlateauLRScheduler follows the metric given to "
                                 "scheduler.step(): its curve is only known during the run")


def test_timm_refusal_is_the_reason(capsys, tmp_path):
    pair = explain_json(capsys, tmp_path, HEAD + """\
scheduler, _ = create_scheduler_v2(optimizer, step_on_epochs=False)
""")
    assert pair["status"] == "no_schedule"
    assert pair["reason"].startswith("timm would raise AssertionError: updates_per_epoch must be")
