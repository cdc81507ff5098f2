"""Miss shape 5: checkpoints across save and load."""

from __future__ import annotations

from lintkit import findings, lint_project, where

SAVE_UNDER_SCHEDULER = """\
    import torch


    def save_checkpoint(path, epoch, model, optimizer, scheduler):
        torch.save({
            "epoch": epoch,
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
        }, path)
"""

RESUME = """\
    import torch
    from torch.optim.lr_scheduler import StepLR
    from checkpointing import save_checkpoint


    def main(model, loader, args):
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
        start = 0
        if args.resume:
            checkpoint = torch.load(args.resume)
            model.load_state_dict(checkpoint["model"])
            optimizer.load_state_dict(checkpoint["optimizer"])
            scheduler.load_state_dict(checkpoint["{key}"])
            start = checkpoint["epoch"]
        for epoch in range(start, 90):
            for batch in loader:
                optimizer.step()
            scheduler.step()
            save_checkpoint("last.pt", epoch, model, optimizer, scheduler)
"""


def test_resume_reads_another_key_than_the_checkpoint_writes(tmp_path):
    found = lint_project(tmp_path, {
        "checkpointing.py": SAVE_UNDER_SCHEDULER,
        "train.py": RESUME.replace("{key}", "lr_scheduler"),
    }, select=["LR013"])
    assert where(found, tmp_path) == [("train.py", "LR013", 14)]
    assert "KeyError: 'lr_scheduler'" in found[0].message
    assert "'scheduler'" in found[0].message


def test_matching_keys_are_silent(tmp_path):
    assert lint_project(tmp_path, {
        "checkpointing.py": SAVE_UNDER_SCHEDULER,
        "train.py": RESUME.replace("{key}", "scheduler"),
    }, select=["LR013"]) == []


def test_a_load_somewhere_does_not_hide_a_save_without_the_scheduler(tmp_path):
    found = lint_project(tmp_path, {
        "checkpointing.py": SAVE_UNDER_SCHEDULER.replace(
            '            "scheduler": scheduler.state_dict(),\n', ""),
        "train.py": RESUME.replace("{key}", "scheduler"),
    }, select=["LR013"])
    # Reported at the save that lacks it (in the helper), with the resume it breaks.
    assert where(found, tmp_path) == [("checkpointing.py", "LR013", 5)]
    assert "KeyError: 'scheduler'" in found[0].message


CHAINABLE_REPLAY = """
    import torch
    from torch.optim.lr_scheduler import {scheduler}

    model = torch.nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    checkpoint = torch.load("last.pt")
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    start_epoch = checkpoint["epoch"]
    scheduler = {scheduler}(optimizer, {arguments})
    for _ in range(start_epoch):
        scheduler.step()
    for epoch in range(start_epoch, 90):
        for batch in loader:
            optimizer.step()
        scheduler.step()
        torch.save({{"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "epoch": epoch + 1}}, "last.pt")
"""


def test_replaying_a_chainable_scheduler_onto_the_loaded_lr_decays_twice():
    [finding] = findings(CHAINABLE_REPLAY.format(scheduler="StepLR",
                                                 arguments="step_size=30, gamma=0.1"), "LR013")
    assert finding.start.line == 13
    assert "twice" in finding.message


def test_replaying_a_closed_form_scheduler_is_a_legitimate_resume():
    assert findings(CHAINABLE_REPLAY.format(
        scheduler="LambdaLR", arguments="lambda epoch: 0.1 ** (epoch // 30)"), "LR013") == []


def test_a_trainer_given_both_objects_saves_only_the_optimizer(tmp_path):
    """PolymathicAI/the_well: Hydra builds both; the Trainer keeps them and checkpoints only the
    optimizer."""
    found = lint_project(tmp_path, {
        "trainer.py": """\
            from typing import Optional

            import torch


            class Trainer:
                def __init__(self, model, optimizer: torch.optim.Optimizer,
                             lr_scheduler: Optional[torch.optim.lr_scheduler._LRScheduler] = None):
                    self.model = model
                    self.optimizer = optimizer
                    self.lr_scheduler = lr_scheduler

                def save_model(self, epoch, path):
                    torch.save({"epoch": epoch, "model": self.model.state_dict(),
                                "optimizer": self.optimizer.state_dict()}, path)

                def train(self, loader, epochs):
                    for epoch in range(epochs):
                        for batch in loader:
                            self.optimizer.zero_grad()
                            self.model(batch).backward()
                            self.optimizer.step()
                        if self.lr_scheduler:
                            self.lr_scheduler.step()
                        self.save_model(epoch, "last.pt")
        """,
    }, select=["LR013"])
    assert where(found, tmp_path) == [("trainer.py", "LR013", 14)]


RESTART = """
    import torch
    from torch.optim.lr_scheduler import CosineAnnealingLR

    model = build_model()
    if args.reload:
        model.load_state_dict(torch.load(args.checkpoint))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
    scheduler = CosineAnnealingLR(optimizer, args.epochs, eta_min=0, last_epoch=-1)
    for epoch in range(args.start_epoch, args.epochs):
        for batch in loader:
            optimizer.step()
        scheduler.step()
        torch.save(model.state_dict(), f"checkpoint_{epoch}.tar")
"""


def test_a_loop_resuming_at_a_saved_epoch_around_a_fresh_scheduler():
    """Spijkervet/SimCLR: --reload restores the weights and the loop starts at start_epoch, but
    the cosine starts again from its first step."""
    [finding] = findings(RESTART, "LR013")
    assert finding.start.line == 9
    assert "resumes at `args.start_epoch`" in finding.message


def test_a_restored_scheduler_position_is_a_correct_resume():
    assert findings(RESTART.replace(
        "    for epoch in range(args.start_epoch",
        "    if args.reload:\n        scheduler.load_state_dict(torch.load(args.sched))\n"
        "    for epoch in range(args.start_epoch"), "LR013") == []
