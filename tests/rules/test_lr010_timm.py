"""LR010 on timm's PlateauLRScheduler: mode "max" by default (torch's is "min"), other argument
names, the metric after the epoch; checked against timm itself where it is installed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from lintkit import findings, fixed, lint_project, where

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "schedules"))
from timm_reference import timm_scheduler

HEAD = """
    import torch
    from timm.scheduler import PlateauLRScheduler, create_scheduler, create_scheduler_v2

    model = torch.nn.Linear(10, 1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4)
"""
EPOCHS = """
    for epoch in range(100):
        for batch in loader:
            optimizer.zero_grad()
            model(batch).mean().backward()
            optimizer.step()
        val_loss, top1 = evaluate(model)
        {step}
"""


def lr010(constructor: str, step: str = "scheduler.step(epoch + 1, val_loss)"):
    return findings(HEAD + f"    scheduler = {constructor}\n" + EPOCHS.format(step=step), "LR010")


def test_default_mode_max_stepped_with_a_loss():
    [finding] = lr010("PlateauLRScheduler(optimizer, decay_rate=0.5, patience_t=3)")
    assert finding.message == (
        "timm's PlateauLRScheduler is in mode 'max' (timm's default; torch's is 'min') but is "
        "stepped with `val_loss`, a loss-like metric: the LR is cut by factor 0.5 whenever "
        "`val_loss` stops increasing for more than 3 steps — i.e. while the loss falls as it "
        'should; use mode="min"')
    assert (finding.start.line, finding.start.column) == (15, 31)  # the metric


def test_timm_names_and_positions_are_read():
    """decay_rate and patience_t are timm's second and third positionals; the metric is
    step's second (or `metric=`), the first being the epoch."""
    [finding] = lr010("PlateauLRScheduler(optimizer, 0.2, 7)",
                      step="scheduler.step(epoch=epoch + 1, metric=val_loss)")
    assert "by factor 0.2" in finding.message and "more than 7 steps" in finding.message
    # timm's defaults, not torch's names, when nothing is passed
    [finding] = lr010("PlateauLRScheduler(optimizer)")
    assert "by factor 0.1" in finding.message and "more than 10 steps" in finding.message


@pytest.mark.parametrize("constructor, step", [
    ('PlateauLRScheduler(optimizer, mode="min")', "scheduler.step(epoch + 1, val_loss)"),
    ("PlateauLRScheduler(optimizer)", "scheduler.step(epoch + 1, top1)"),
    ('PlateauLRScheduler(optimizer, mode="max")', "scheduler.step(epoch + 1, metric=top1)"),
    ("PlateauLRScheduler(optimizer)", "scheduler.step(epoch + 1, -val_loss)"),
    ("PlateauLRScheduler(optimizer, mode=args.mode)", "scheduler.step(epoch + 1, val_loss)"),
    # the epoch alone is not the metric (torch's plateau would read it as one)
    ("PlateauLRScheduler(optimizer)", "scheduler.step(val_loss_epoch, top1)"),
])
def test_matching_or_unknown_modes_are_silent(constructor, step):
    assert lr010(constructor, step) == []


def test_fix_adds_or_flips_the_keyword():
    source = HEAD + "    scheduler = PlateauLRScheduler(optimizer, 0.5, 3)\n" + \
        EPOCHS.format(step="scheduler.step(epoch + 1, val_loss)")
    assert fixed(source, "LR010") is None  # unsafe: the direction comes from a name
    after = fixed(source, "LR010", unsafe=True)
    assert 'PlateauLRScheduler(optimizer, 0.5, 3, mode="min")' in after
    assert findings(after, "LR010") == []
    flipped = fixed(source.replace("0.5, 3)", "0.5, 3, mode='max')"), "LR010", unsafe=True)
    assert "PlateauLRScheduler(optimizer, 0.5, 3, mode='min')" in flipped


def test_create_scheduler_v2_plateau_mode():
    source = HEAD + """
    scheduler, num_epochs = create_scheduler_v2(optimizer, sched="plateau", patience_epochs=4)
    for epoch in range(num_epochs):
        val_loss = evaluate(model)
        scheduler.step(epoch + 1, val_loss)
    """
    [finding] = findings(source, "LR010")
    assert finding.message.startswith(
        "create_scheduler_v2's PlateauLRScheduler is in plateau_mode 'max' (timm's default; "
        "torch's is 'min')")
    assert finding.message.endswith('use plateau_mode="min"')
    assert "more than 4 steps" in finding.message
    assert 'sched="plateau", patience_epochs=4, plateau_mode="min")' in \
        fixed(source, "LR010", unsafe=True)
    assert findings(source.replace('sched="plateau"', 'sched="cosine"'), "LR010") == []
    assert findings(source.replace("patience_epochs=4", 'plateau_mode="min"'), "LR010") == []


def test_create_scheduler_derives_the_mode_from_eval_metric():
    """create_scheduler(args) sets plateau_mode from args.eval_metric ("loss" in it: "min")."""
    assert findings(HEAD + """
    scheduler, num_epochs = create_scheduler(args, optimizer)
    for epoch in range(num_epochs):
        val_loss = evaluate(model)
        scheduler.step(epoch + 1, val_loss)
    """, "LR010") == []


def test_timm_train_py_look_alike_is_silent():
    """timm's train.py: step_update per update, step(epoch + 1, metric) per epoch, the metric
    read out of a dict by a configured key."""
    assert findings(HEAD + """
    lr_scheduler = PlateauLRScheduler(optimizer, patience_t=5)
    num_updates = 0
    for epoch in range(100):
        for batch in loader:
            optimizer.step()
            num_updates += 1
            lr_scheduler.step_update(num_updates=num_updates, metric=losses_m.avg)
        eval_metrics = validate(model)
        lr_scheduler.step(epoch + 1, eval_metrics[eval_metric])
    """, "LR010") == []


def test_lightning_monitor_feeds_a_timm_plateau():
    source = HEAD + """
    import lightning as L

    class Model(L.LightningModule):
        def configure_optimizers(self):
            optimizer = torch.optim.AdamW(self.parameters(), lr=5e-4)
            scheduler = PlateauLRScheduler(optimizer, patience_t=4)
            return {"optimizer": optimizer,
                    "lr_scheduler": {"scheduler": scheduler, "monitor": "val_loss",
                                     "reduce_on_plateau": True}}

        def lr_scheduler_step(self, scheduler, metric):
            scheduler.step(epoch=self.current_epoch, metric=metric)
    """
    [finding] = findings(source, "LR010")
    assert '`"val_loss"`' in finding.message and "mode 'max'" in finding.message
    assert findings(source.replace("patience_t=4", 'patience_t=4, mode="min"'), "LR010") == []
    # Lightning hands a scheduler that is not a ReduceLROnPlateau the monitored value only
    # with "reduce_on_plateau": True (lightning 2.6, _configure_schedulers_automatic_opt).
    without = source.replace(',\n                                     "reduce_on_plateau": True', "")
    assert without != source and findings(without, "LR010") == []


def test_built_in_one_module_stepped_in_another(tmp_path):
    files = {
        "sched.py": """
            from timm.scheduler import PlateauLRScheduler

            def build_scheduler(optimizer, cfg):
                return PlateauLRScheduler(optimizer, decay_rate=0.5, patience_t=cfg.patience)
        """,
        "train.py": """
            import torch
            from sched import build_scheduler

            def main(model, loader, cfg):
                optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4)
                scheduler = build_scheduler(optimizer, cfg)
                for epoch in range(cfg.epochs):
                    for batch in loader:
                        optimizer.step()
                    val_loss = evaluate(model)
                    scheduler.step(epoch + 1, val_loss)
        """,
    }
    found = lint_project(tmp_path, files, select=["LR010"])
    assert where(found, tmp_path) == [("train.py", "LR010", 12)]
    assert "more than `patience_t` steps" in found[0].message
    files["sched.py"] = files["sched.py"].replace("patience_t=cfg.patience", 'mode="min"')
    assert lint_project(tmp_path, files, select=["LR010"]) == []


# -- step(epoch) without the metric ----------------------------------------------------------


def test_step_without_a_metric_never_cuts_the_lr():
    [finding] = lr010('PlateauLRScheduler(optimizer, mode="min")', "scheduler.step(epoch + 1)")
    assert finding.message == (
        "`scheduler.step(epoch + 1)` passes no metric, and no call of timm's PlateauLRScheduler "
        "does: its step(epoch, metric=None) cuts the LR only when given the metric, so after any "
        "warm-up the LR never drops; pass the validation metric it should watch "
        "(`step(epoch + 1, val_loss)`)")


@pytest.mark.parametrize("step", [
    "scheduler.step(epoch + 1, val_loss)\n        scheduler.step(epoch + 1)",
    "scheduler.step(*step_args)",
    "scheduler.step(epoch + 1, **metric_kwargs)",
    "if isinstance(scheduler, PlateauLRScheduler):\n"
    "            scheduler.step(epoch + 1, val_loss)\n"
    "        else:\n"
    "            scheduler.step(epoch + 1)",
])
def test_a_metric_passed_anywhere_or_maybe_passed_is_silent(step):
    assert lr010('PlateauLRScheduler(optimizer, mode="min")', step) == []


def test_step_without_a_metric_on_a_maybe_other_scheduler_is_silent():
    assert findings(HEAD + """
    from timm.scheduler import CosineLRScheduler
    if args.sched == "plateau":
        scheduler = PlateauLRScheduler(optimizer, mode="min")
    else:
        scheduler = CosineLRScheduler(optimizer, t_initial=100)
    for epoch in range(100):
        train_one_epoch(model, optimizer)
        scheduler.step(epoch + 1)
    """, "LR010") == []


def test_torch_plateau_messages_are_unchanged():
    [finding] = findings(HEAD + """
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, "max")
    for epoch in range(10):
        scheduler.step(val_loss)
    """, "LR010")
    assert finding.message.startswith("ReduceLROnPlateau is in mode 'max' but")
    assert finding.message.endswith('use mode="min"')


# -- what timm does ----------------------------------------------------------------------------


def _plateau_lrs(losses, **kwargs):
    torch = pytest.importorskip("torch")
    timm = timm_scheduler()
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.warns(FutureWarning):  # timm 1.0.31 deprecates the plateau scheduler
        scheduler = timm.PlateauLRScheduler(optimizer, decay_rate=0.5, patience_t=2, **kwargs)
    lrs = []
    for epoch, loss in enumerate(losses):
        if loss is None:
            scheduler.step(epoch + 1)
        else:
            scheduler.step(epoch + 1, loss)
        lrs.append(optimizer.param_groups[0]["lr"])
    return lrs


def test_timm_cuts_the_lr_of_a_falling_loss_in_its_default_mode():
    falling = [1.0 / (1 + k) for k in range(8)]
    assert _plateau_lrs(falling) == [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025]
    assert _plateau_lrs(falling, mode="min") == [0.1] * 8


def test_timm_never_cuts_without_a_metric():
    flat = [0.5] * 8
    assert _plateau_lrs(flat, mode="min")[-1] < 0.1  # a plateau is cut when it sees one
    assert _plateau_lrs([None] * 8, mode="min") == [0.1] * 8


def test_timm_factories_plateau_modes():
    """create_scheduler_v2 passes plateau_mode (default "max") on; create_scheduler derives it
    from args.eval_metric."""
    import types

    torch = pytest.importorskip("torch")
    timm = timm_scheduler()
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.warns(FutureWarning):
        scheduler, _ = timm.create_scheduler_v2(optimizer, sched="plateau")
    assert scheduler.lr_scheduler.mode == "max"
    args = types.SimpleNamespace(sched="plateau", eval_metric="loss", epochs=10)
    with pytest.warns(FutureWarning):
        scheduler, _ = timm.create_scheduler(args, optimizer)
    assert scheduler.lr_scheduler.mode == "min"
