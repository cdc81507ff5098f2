"""LR027 timm-scheduler-unit: a timm scheduler driven by the call its unit ignores, or with
lengths in two units; checked against timm itself where it is installed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from lintkit import findings, lint_project, where

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "schedules"))
from timm_reference import timm_scheduler

HEAD = """
    import torch
    from timm.scheduler import (CosineLRScheduler, MultiStepLRScheduler, PlateauLRScheduler,
                                StepLRScheduler, create_scheduler, create_scheduler_v2)

    model = torch.nn.Linear(10, 1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4)
"""


def lr027(body: str):
    return findings(HEAD + body, "LR027")


PER_UPDATE_ONLY = """
    num_updates = 0
    for epoch in range(300):
        for batch in loader:
            optimizer.step()
            num_updates += 1
            scheduler.step_update(num_updates)
"""
PER_EPOCH_ONLY = """
    for epoch in range(90):
        for batch in loader:
            optimizer.step()
        scheduler.step(epoch + 1)
"""

# -- (a) t_in_epochs=True driven only by step_update ---------------------------------------


def test_default_unit_stepped_only_per_update_stays_at_warmup_lr_init():
    [finding] = lr027("""
    scheduler = CosineLRScheduler(optimizer, t_initial=300, warmup_t=5, warmup_lr_init=1e-6)
    """ + PER_UPDATE_ONLY)
    assert finding.start.line == 16  # the step_update call
    assert finding.message.startswith(
        "`scheduler.step_update(num_updates)` never changes the LR of CosineLRScheduler: with "
        "t_in_epochs=True (timm's default) only `step(...)` moves it, and nothing calls that: "
        "the LR stays at 1e-6 (warmup_lr_init) for the whole run, where the schedule reaches "
        "4.997e-4 at t=5 (end of warm-up) and ends at 0.0 at t=300")
    assert finding.message.endswith(
        "pass t_in_epochs=False, or also call `step(epoch + 1)` after each epoch as timm's "
        "train.py does")


def test_default_warmup_lr_init_of_zero_means_no_training():
    [finding] = lr027("""
    scheduler = StepLRScheduler(optimizer, decay_t=30, warmup_t=3)
    """ + PER_UPDATE_ONLY)
    assert "the LR stays at 0.0 (warmup_lr_init), so the model does not train" in finding.message


def test_lengths_in_updates_suggest_t_in_epochs_false():
    [finding] = lr027("""
    steps_per_epoch = len(loader)
    scheduler = CosineLRScheduler(optimizer, t_initial=300 * steps_per_epoch)
    """ + PER_UPDATE_ONLY)
    assert "the LR stays at 5e-4 (the optimizer's lr) for the whole run" in finding.message
    assert finding.message.endswith(
        "its lengths count updates (`t_initial=300 * steps_per_epoch`): pass t_in_epochs=False")


def test_plateau_scheduler_ignores_step_update():
    [finding] = lr027("""
    scheduler = PlateauLRScheduler(optimizer, decay_rate=0.5, mode="min")
    """ + PER_UPDATE_ONLY)
    assert "with PlateauLRScheduler, which only moves in step(epoch)" in finding.message
    assert finding.message.endswith("call `step(epoch + 1, metric)` after each epoch")


def test_factories_default_to_epochs():
    [v2] = lr027("""
    scheduler, num_epochs = create_scheduler_v2(optimizer, sched="cosine", num_epochs=300)
    """ + PER_UPDATE_ONLY)
    assert "never changes the LR of the scheduler create_scheduler_v2() returns: with " \
           "step_on_epochs=True (timm's default)" in v2.message
    [v1] = lr027("""
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--sched", default="cosine")
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--warmup-epochs", type=int, default=5)
    args = parser.parse_args()
    scheduler, num_epochs = create_scheduler(args, optimizer)
    """ + PER_UPDATE_ONLY)
    assert "with `args.sched_on_updates=False` only `step(...)` moves it" in v1.message
    assert "the LR stays at 1e-5 (warmup_lr_init)" in v1.message


def test_factory_with_an_unknown_unit_is_left_alone():
    assert lr027("""
    scheduler, num_epochs = create_scheduler_v2(optimizer, step_on_epochs=args.by_epoch)
    """ + PER_UPDATE_ONLY) == []
    # A namespace lrlint cannot read (a YAML config) may set sched_on_updates.
    assert lr027("""
    args = load_yaml_config("train.yaml")
    scheduler, num_epochs = create_scheduler(args, optimizer)
    """ + PER_UPDATE_ONLY) == []


# -- (b) t_in_epochs=False driven only by step(epoch) --------------------------------------


def test_update_unit_stepped_only_per_epoch():
    [finding] = lr027("""
    scheduler = MultiStepLRScheduler(optimizer, decay_t=[30, 60], decay_rate=0.1,
                                     t_in_epochs=False)
    """ + PER_EPOCH_ONLY)
    assert finding.message.startswith(
        "`scheduler.step(epoch + 1)` never changes the LR of MultiStepLRScheduler: with "
        "t_in_epochs=False only `step_update(...)` moves it, and nothing calls that: the LR "
        "stays at 5e-4 (the optimizer's lr) for the whole run, where the schedule ends at "
        "5e-6 at t=60")
    [v2] = lr027("""
    scheduler, _ = create_scheduler_v2(optimizer, num_epochs=90, warmup_epochs=2,
                                       step_on_epochs=False, updates_per_epoch=len(loader))
    """ + PER_EPOCH_ONLY)
    assert "stays at 1e-5 (warmup_lr) for the whole run" in v2.message


def test_bare_step_is_lr028s():
    assert lr027("""
    scheduler = CosineLRScheduler(optimizer, t_initial=90, t_in_epochs=False)
    """ + PER_EPOCH_ONLY.replace("scheduler.step(epoch + 1)", "scheduler.step()")) == []


# -- (c) and (d): lengths in two units -----------------------------------------------------


def test_warmup_in_epochs_with_lengths_in_updates():
    [finding] = lr027("""
    EPOCHS, WARMUP_EPOCHS = 300, 5
    iters_per_epoch = 500
    scheduler = CosineLRScheduler(optimizer, t_initial=EPOCHS * iters_per_epoch,
                                  warmup_t=WARMUP_EPOCHS, t_in_epochs=False)
    """)
    assert finding.start.line == 12  # the warm-up argument
    assert finding.message == (
        "CosineLRScheduler mixes units: `t_initial=EPOCHS * iters_per_epoch` counts updates but "
        "`warmup_t=WARMUP_EPOCHS` counts epochs: with t_in_epochs=False it is stepped per "
        "update, so `warmup_t` lasts 5 updates, not epochs")


def test_warmup_in_updates_stepped_per_epoch():
    [finding] = lr027("""
    warmup_steps = 5 * len(loader)
    scheduler = CosineLRScheduler(optimizer, t_initial=args.epochs, warmup_t=warmup_steps)
    """)
    assert finding.message.endswith(
        "with t_in_epochs=True (timm's default) it is stepped per epoch, so `warmup_t` lasts "
        "`warmup_steps` epochs, not updates")


def test_the_length_in_the_other_unit_is_the_one_pointed_at():
    """Stepped per epoch with the warm-up in epochs, it is t_initial that is off."""
    [finding] = lr027("""
    scheduler = CosineLRScheduler(optimizer, warmup_t=args.warmup_epochs,
                                  t_initial=args.epochs * len(loader))
    """)
    assert (finding.start.line, finding.start.column) == (10, 41)  # t_initial's value
    assert finding.message.endswith("so `t_initial` lasts `args.epochs * len(loader)` epochs, "
                                    "not updates")


def test_timm_spends_an_epoch_warmup_in_updates():
    """What the unit-mix message claims: warmup_t=5 with t_in_epochs=False is 5 updates."""
    torch = pytest.importorskip("torch")
    timm = timm_scheduler()
    optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=5e-4)
    scheduler = timm.CosineLRScheduler(optimizer, t_initial=300 * 500, warmup_t=5,
                                       warmup_lr_init=1e-6, t_in_epochs=False)
    lrs = []
    for update in range(1, 8):
        scheduler.step_update(update)
        lrs.append(optimizer.param_groups[0]["lr"])
    assert lrs[3] < 5e-4 and lrs[4] == pytest.approx(5e-4, rel=1e-6)  # peak at update 5


def test_factory_mixes_units():
    [finding] = lr027("""
    warmup_steps = 5 * len(loader)
    scheduler, _ = create_scheduler_v2(optimizer, num_epochs=args.epochs,
                                       warmup_epochs=warmup_steps)
    """)
    assert "create_scheduler_v2 reads every length in epochs" in finding.message
    assert finding.message.endswith("so `warmup_epochs` lasts `warmup_steps` epochs, not updates")


def test_factory_lengths_already_in_updates_are_multiplied_again():
    [finding] = lr027("""
    total_steps = 300 * len(loader)
    scheduler, _ = create_scheduler_v2(optimizer, num_epochs=total_steps, step_on_epochs=False,
                                       updates_per_epoch=len(loader))
    """)
    assert finding.message == (
        "create_scheduler_v2 with step_on_epochs=False multiplies its lengths by "
        "updates_per_epoch, but `num_epochs=total_steps` already counts updates: the schedule "
        "is `len(loader)` times too long")


def test_lengths_in_one_unit_or_unreadable_are_fine():
    for arguments in ("t_initial=args.epochs, warmup_t=args.warmup_epochs",
                      "t_initial=300 * len(loader), warmup_t=5 * len(loader), t_in_epochs=False",
                      "t_initial=300 * len(loader), warmup_t=5, t_in_epochs=False"):
        assert lr027(f"\n    scheduler = CosineLRScheduler(optimizer, {arguments})\n") == []
    assert lr027("""
    scheduler, _ = create_scheduler_v2(optimizer, num_epochs=args.epochs, step_on_epochs=False,
                                       updates_per_epoch=len(loader))
    """) == []


# -- look-alikes ---------------------------------------------------------------------------


def test_timm_train_py_calls_both():
    assert lr027("""
    scheduler, num_epochs = create_scheduler_v2(optimizer, sched="cosine", num_epochs=300)

    def train_one_epoch(epoch, lr_scheduler, num_updates):
        for batch in loader:
            optimizer.step()
            num_updates += 1
            lr_scheduler.step_update(num_updates=num_updates, metric=0.5)
        return num_updates

    updates = 0
    for epoch in range(num_epochs):
        updates = train_one_epoch(epoch, scheduler, updates)
        scheduler.step(epoch + 1, 0.5)
    """) == []


def test_swin_style_update_schedule_across_modules(tmp_path):
    files = {
        "lr_scheduler.py": """
            from timm.scheduler.cosine_lr import CosineLRScheduler

            def build_scheduler(config, optimizer, n_iter_per_epoch):
                num_steps = int(config.EPOCHS * n_iter_per_epoch)
                warmup_steps = int(config.WARMUP_EPOCHS * n_iter_per_epoch)
                lr_scheduler = None
                if config.NAME == "cosine":
                    lr_scheduler = CosineLRScheduler(
                        optimizer, t_initial=num_steps, lr_min=5e-6, warmup_lr_init=5e-7,
                        warmup_t=warmup_steps, cycle_limit=1, t_in_epochs=False)
                return lr_scheduler
        """,
        "main.py": """
            import torch
            from lr_scheduler import build_scheduler

            def train_one_epoch(model, loader, optimizer, epoch, lr_scheduler):
                num_steps = len(loader)
                for idx, batch in enumerate(loader):
                    optimizer.step()
                    lr_scheduler.step_update(epoch * num_steps + idx)

            def main(config, model, loader):
                optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4)
                lr_scheduler = build_scheduler(config, optimizer, len(loader))
                for epoch in range(config.EPOCHS):
                    train_one_epoch(model, loader, optimizer, epoch, lr_scheduler)
        """,
    }
    assert lint_project(tmp_path, files, select=["LR027", "LR028"]) == []
    files["lr_scheduler.py"] = files["lr_scheduler.py"].replace(", t_in_epochs=False", "")
    found = lint_project(tmp_path, files, select=["LR027"])
    # The schedule counts updates (warm-up and length agree): driven per update, it never moves.
    assert where(found, tmp_path) == [("main.py", "LR027", 9)]
    assert "its lengths count updates" in found[0].message


def test_lightning_hook_steps_it():
    """A timm scheduler returned from configure_optimizers is stepped by Lightning through the
    module's lr_scheduler_step hook: not in the model's view."""
    assert lr027("""
    import lightning as L

    class Model(L.LightningModule):
        def configure_optimizers(self):
            optimizer = torch.optim.AdamW(self.parameters(), lr=5e-4)
            self.sched = CosineLRScheduler(optimizer, t_initial=300)
            return [optimizer], [{"scheduler": self.sched, "interval": "epoch"}]

        def on_train_batch_end(self, outputs, batch, batch_idx):
            self.sched.step_update(self.global_step)

        def lr_scheduler_step(self, scheduler, metric):
            scheduler.step(epoch=self.current_epoch)
    """) == []


def test_scheduler_handed_to_an_outside_trainer():
    assert lr027("""
    scheduler = CosineLRScheduler(optimizer, t_initial=300)
    trainer = Trainer(model, optimizer, lr_scheduler=scheduler)
    """ + PER_UPDATE_ONLY) == []


def test_subclass_with_its_own_stepping_and_non_timm_step_update():
    assert lr027("""
    class Warm(CosineLRScheduler):
        def step_update(self, num_updates, metric=None):
            self.step(num_updates / 100)

    scheduler = Warm(optimizer, t_initial=300)
    """ + PER_UPDATE_ONLY) == []
    # fairseq's schedulers have a step_update of their own.
    assert findings("""
    from fairseq.optim.lr_scheduler import build_lr_scheduler
    scheduler = build_lr_scheduler(cfg, optimizer)
    for batch in loader:
        optimizer.step()
        scheduler.step_update(num_updates)
    """, "LR027") == []


def test_project_subclass_default_unit():
    [finding] = lr027("""
    from timm.scheduler.scheduler import Scheduler

    class LinearLRScheduler(Scheduler):
        def __init__(self, optimizer, t_initial, t_in_epochs=True):
            super().__init__(optimizer, "lr", t_in_epochs=t_in_epochs)
            self.t_initial = t_initial

        def _get_lr(self, t):
            return [v * (1 - t / self.t_initial) for v in self.base_values]

    scheduler = LinearLRScheduler(optimizer, t_initial=300)
    """ + PER_UPDATE_ONLY)
    assert "LinearLRScheduler: with t_in_epochs=True (timm's default)" in finding.message


# -- the claims, on timm itself --------------------------------------------------------------


def test_timm_ignores_step_update_of_an_epoch_schedule_and_step_of_an_update_schedule():
    torch = pytest.importorskip("torch")
    timm = timm_scheduler()

    def lrs(t_in_epochs, call):
        optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=5e-4)
        scheduler = timm.CosineLRScheduler(optimizer, t_initial=300, warmup_t=5,
                                           warmup_lr_init=1e-6, t_in_epochs=t_in_epochs)
        seen = set()
        for t in range(1, 400):
            getattr(scheduler, call)(t)
            seen.add(optimizer.param_groups[0]["lr"])
        return seen, scheduler

    assert lrs(True, "step_update")[0] == {1e-6}
    assert lrs(False, "step")[0] == {1e-6}
    # The landmarks the message quotes are timm's _get_lr at t=5 and t=300.
    _, scheduler = lrs(True, "step")
    assert f"{scheduler._get_lr(5)[0]:.4g}" == "0.0004997" and scheduler._get_lr(300)[0] == 0.0


def test_timm_plateau_step_update_does_nothing_and_factory_multiplies_lengths():
    torch = pytest.importorskip("torch")
    timm = timm_scheduler()
    optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=5e-4)
    plateau = timm.PlateauLRScheduler(optimizer, mode="min")
    for t in range(1, 50):
        plateau.step_update(t)
    assert optimizer.param_groups[0]["lr"] == 5e-4
    optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=5e-4)
    scheduler, _ = timm.create_scheduler_v2(optimizer, num_epochs=3000, step_on_epochs=False,
                                            updates_per_epoch=100)
    assert scheduler.t_initial == 300_000  # lengths already in updates, multiplied again


# -- lengths in one unit, the loop passing the other ----------------------------------------


def test_epoch_lengths_driven_by_update_counts():
    """A public training script: t_initial=opt.num_epochs with t_in_epochs=False, and
    step_update(t * batches + index) in the batch loop: the cosine is over within the first
    epoch."""
    [finding] = lr027("""
    lr_scheduler = CosineLRScheduler(optimizer, t_initial=opt.num_epochs, lr_min=5e-6,
                                     cycle_limit=1, t_in_epochs=False)
    for t in range(0, opt.num_epochs + 1):
        train_batches = len(train_dl)
        for index, batch in enumerate(train_dl):
            optimizer.step()
            if config["sched"] == "cosinelr":
                lr_scheduler.step_update(t * train_batches + index)
    """)
    assert finding.start.line == 16
    assert finding.message.startswith(
        "CosineLRScheduler counts `t_initial=opt.num_epochs` in epochs, but with "
        "t_in_epochs=False it follows `lr_scheduler.step_update(t * train_batches + index)`, "
        "which passes the update count (once per batch): the whole schedule is spent after "
        "`opt.num_epochs` updates")


def test_update_lengths_driven_by_the_epoch():
    [finding] = lr027("""
    scheduler, _ = create_scheduler_v2(optimizer, num_epochs=args.epochs * len(train_dl))
    for epoch in range(args.epochs):
        for batch in train_dl:
            optimizer.step()
        scheduler.step(epoch + 1)
    """)
    assert finding.message.startswith(
        "create_scheduler_v2 counts `num_epochs=args.epochs * len(train_dl)` in updates, but "
        "with step_on_epochs=True (timm's default) it follows `scheduler.step(epoch + 1)`, which "
        "passes the epoch")


def test_counts_that_match_the_lengths():
    for lengths, call in (
            # fractional epochs through step_update, per batch
            ("t_initial=args.epochs, t_in_epochs=False",
             "scheduler.step_update(epoch + index / len(train_dl))"),
            # the update count through step(), per batch
            ("t_initial=args.epochs * len(train_dl)",
             "scheduler.step(epoch * len(train_dl) + index)"),
    ):
        assert lr027(f"""
    scheduler = CosineLRScheduler(optimizer, {lengths})
    for epoch in range(args.epochs):
        for index, batch in enumerate(train_dl):
            optimizer.step()
            {call}
    """) == [], call
    # step_update(epoch) once per epoch with epoch lengths: odd, but consistent.
    assert lr027("""
    scheduler = CosineLRScheduler(optimizer, t_initial=args.epochs, t_in_epochs=False)
    for epoch in range(args.epochs):
        for batch in train_dl:
            optimizer.step()
        scheduler.step_update(epoch)
    """) == []


def test_handed_on_in_the_module_that_steps_it(tmp_path):
    files = {
        "sched.py": """
            from timm.scheduler import CosineLRScheduler

            def build(optimizer, epochs):
                return CosineLRScheduler(optimizer, t_initial=epochs)
        """,
        "train.py": """
            import torch
            from sched import build
            from engine import Engine

            def main(model, loader):
                optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4)
                scheduler = build(optimizer, 90)
                n = 0
                for epoch in range(90):
                    for batch in loader:
                        optimizer.step()
                        n += 1
                        scheduler.step_update(n)
                    Engine(scheduler).on_epoch_end(epoch)
        """,
    }
    assert lint_project(tmp_path, files, select=["LR027"]) == []
    files["train.py"] = files["train.py"].replace("Engine(scheduler)", "Engine(model)")
    assert where(lint_project(tmp_path, files, select=["LR027"]), tmp_path) == [
        ("train.py", "LR027", 14)]
