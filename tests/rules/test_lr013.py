"""LR013 scheduler-not-checkpointed: checkpoints without the scheduler, and resumes that raise."""

from __future__ import annotations

import textwrap

import lintkit
import pytest

HEADER = """\
import torch
from torch.optim.lr_scheduler import (
    CosineAnnealingLR, LambdaLR, LinearLR, ReduceLROnPlateau, SequentialLR, StepLR,
)

model = torch.nn.Linear(10, 1)
"""


def messages(body: str) -> list[str]:
    """The messages of LR013 on HEADER and the dedented body."""
    return lintkit.messages(HEADER + textwrap.dedent(body), "LR013")


LOOP = """
        for epoch in range(100):
            optimizer.step()
            scheduler.step()
"""


def test_dict_literal_without_the_scheduler_chainable_message():
    found = messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(optimizer, step_size=30, gamma=0.5)
    """ + LOOP + """
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, "c.pt")
    """)
    assert len(found) == 1
    message = found[0]
    assert message.startswith("this checkpoint saves the state of `optimizer` (SGD) but not that "
                              "of `scheduler` (StepLR)")
    assert "step count at 0" in message and "gamma=0.5 decay every 30 steps" in message


def test_dict_variable_built_earlier_closed_form_message_quotes_the_restart_lr():
    found = messages("""
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        scheduler = LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / 100))
        for step in range(1000):
            optimizer.step()
            scheduler.step()
            state = {"model": model.state_dict()}
            state["optimizer"] = optimizer.state_dict()
            torch.save(state, "c.pt")
    """)
    assert len(found) == 1
    assert "restarts LambdaLR from its first step at LR 2e-5" in found[0]


@pytest.mark.parametrize("saved", [
    '{"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}',
    '{"optimizer": optimizer.state_dict(), "scheduler": scheduler}',
    'dict(optimizer=optimizer.state_dict(), lr_scheduler=scheduler.state_dict())',
    '{"optimizer": optimizer.state_dict(), **{"sched": scheduler.state_dict()}}',
])
def test_scheduler_state_in_the_same_checkpoint_is_silent(saved):
    assert messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(optimizer, step_size=30)
    """ + LOOP + f"""
            torch.save({saved}, "c.pt")
    """) == []


def test_separate_files_in_one_function_are_one_checkpoint():
    assert messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(optimizer, step_size=30)

        def save_checkpoint(directory):
            torch.save(model.state_dict(), f"{directory}/model.pt")
            torch.save(optimizer.state_dict(), f"{directory}/optimizer.pt")
            torch.save(scheduler.state_dict(), f"{directory}/scheduler.pt")
    """ + LOOP + """
            save_checkpoint("out")
    """) == []


def test_whole_trainer_pickled_and_no_scheduler_are_silent():
    assert messages("""
        class Trainer:
            def __init__(self):
                self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
                self.scheduler = StepLR(self.optimizer, 30)

            def save(self, path):
                torch.save(self, path)

        plain = torch.optim.SGD(model.parameters(), lr=0.1)
        torch.save({"optimizer": plain.state_dict()}, "plain.pt")
    """) == []


def test_plateau_and_resumable_schedulers_are_silent():
    assert messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        plateau = ReduceLROnPlateau(optimizer)
        for epoch in range(10):
            optimizer.step()
            plateau.step(1.0)
            torch.save({"optimizer": optimizer.state_dict()}, "c.pt")
    """) == []
    # Re-positioned on resume: fast-forwarded, or stepped with the epoch.
    for resume in ("for _ in range(start_epoch):\n    scheduler.step()",
                   "scheduler.step(start_epoch)"):
        body = (
            "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
            "scheduler = StepLR(optimizer, step_size=30)\n"
            "start_epoch = 5\n"
            f"{resume}\n"
            "for epoch in range(start_epoch, 100):\n"
            "    optimizer.step()\n"
            "    scheduler.step()\n"
            "    torch.save({'optimizer': optimizer.state_dict()}, 'c.pt')\n"
        )
        assert messages(body) == [], resume


def test_self_attributes_in_a_checkpoint_method():
    found = messages("""
        class Trainer:
            def __init__(self):
                self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
                self.scheduler = CosineAnnealingLR(self.optimizer, T_max=90)

            def save_checkpoint(self, path, epoch):
                torch.save({"epoch": epoch, "optimizer": self.optimizer.state_dict()}, path)

            def fit(self):
                for epoch in range(90):
                    self.optimizer.step()
                    self.scheduler.step()
                    self.save_checkpoint("c.pt", epoch)
    """)
    assert len(found) == 1 and "CosineAnnealingLR" in found[0] and "T_max=90" in found[0]


@pytest.mark.parametrize("save", [
    'accelerator.save({"optimizer": optimizer.state_dict()}, "a.pt")',
    'fabric.save("f.ckpt", {"model": model, "optimizer": optimizer})',
    'xm.save({"optimizer": optimizer.state_dict()}, "x.pt")',
    'torch.save(optimizer, "whole.pt")',
])
def test_recognised_saves(save):
    found = messages("""
        import torch_xla.core.xla_model as xm
        from accelerate import Accelerator
        from lightning.fabric import Fabric

        accelerator = Accelerator()
        fabric = Fabric()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        scheduler = StepLR(optimizer, 10)
    """ + LOOP + f"""
            {save}
    """)
    assert len(found) == 1 and "(AdamW) but not that of" in found[0] and "(StepLR)" in found[0]


def test_scheduler_handed_to_accelerate_is_silent():
    assert messages("""
        from accelerate import Accelerator

        accelerator = Accelerator()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        scheduler = StepLR(optimizer, 10)
        model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
    """ + LOOP + """
            accelerator.save({"optimizer": optimizer.state_dict()}, "a.pt")
    """) == []


def test_name_alone_is_not_a_save():
    assert messages("""
        class Store:
            def save(self, obj, path):
                pass

        store = Store()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(optimizer, 10)
    """ + LOOP + """
            store.save({"optimizer": optimizer.state_dict()}, "c.pt")
    """) == []


def test_composite_is_reported_once_and_its_state_counts():
    body = """
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)
        decay = CosineAnnealingLR(optimizer, T_max=95)
        scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[5])
    """ + LOOP
    found = messages(body + """
            torch.save({"optimizer": optimizer.state_dict()}, "c.pt")
    """)
    assert len(found) == 1 and "SequentialLR" in found[0]
    assert messages(body + """
            torch.save({"optimizer": optimizer.state_dict(), "s": scheduler.state_dict()}, "c.pt")
    """) == []


# -- last_epoch= on a fresh optimizer ---------------------------------------------------------

def test_constant_last_epoch_on_a_fresh_optimizer_raises():
    found = messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(optimizer, step_size=30, last_epoch=9)
    """)
    assert len(found) == 1
    assert "KeyError" in found[0] and "param_groups[0] when resuming scheduler" in found[0]
    assert "(a resumed run)" not in found[0]


def test_load_after_the_scheduler_is_named():
    found = messages("""
        def resume(path, start_epoch):
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            scheduler = StepLR(optimizer, 30, last_epoch=start_epoch - 1)
            optimizer.load_state_dict(torch.load(path)["optimizer"])
            return optimizer, scheduler
    """)
    assert len(found) == 1
    assert '`optimizer.load_state_dict(torch.load(path)["optimizer"])` comes only after' in found[0]
    assert "when `start_epoch - 1` is >= 0 (a resumed run)" in found[0]


@pytest.mark.parametrize("before", [
    'optimizer.load_state_dict(torch.load("c.pt")["optimizer"])',
    "load_checkpoint('c.pt', model, optimizer)",
    "warmup = LinearLR(optimizer, start_factor=0.1)",
    "for group in optimizer.param_groups:\n    group.setdefault('initial_lr', group['lr'])",
])
def test_optimizer_that_may_have_initial_lr_is_silent(before):
    assert messages(
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        f"{before}\n"
        "scheduler = StepLR(optimizer, 30, last_epoch=9)\n"
    ) == []


def test_default_last_epoch_is_silent():
    assert messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(optimizer, 30, last_epoch=-1)
        plateau = ReduceLROnPlateau(optimizer)
    """) == []


def test_the_messages_match_torch():
    torch = pytest.importorskip("torch")
    parameter = torch.nn.Parameter(torch.zeros(1))

    def run(epochs, resume_from=None):
        optimizer = torch.optim.SGD([parameter], lr=0.1)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.1)
        if resume_from is not None:
            optimizer.load_state_dict(resume_from)  # the scheduler's state is lost
        for _ in range(epochs):
            optimizer.step()
            scheduler.step()
        return optimizer

    straight = run(6)
    resumed = run(2, resume_from=run(4).state_dict())
    assert straight.param_groups[0]["lr"] == pytest.approx(1e-3)
    assert resumed.param_groups[0]["lr"] == pytest.approx(1e-2)  # the second decay comes late
    fresh = torch.optim.SGD([parameter], lr=0.1)
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups\\[0\\]"):
        torch.optim.lr_scheduler.StepLR(fresh, step_size=3, last_epoch=9)


def test_last_epoch_assigned_on_resume_is_silent():
    # The YOLOv5 idiom: the checkpoint keeps the epoch, and the resume re-positions the scheduler.
    assert messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        scheduler = LambdaLR(optimizer, lambda epoch: (1 - epoch / 300) * 0.99 + 0.01)
        start_epoch = 0
        scheduler.last_epoch = start_epoch - 1
        for epoch in range(start_epoch, 300):
            optimizer.step()
            scheduler.step()
            torch.save({"epoch": epoch, "optimizer": optimizer.state_dict()}, "last.pt")
    """) == []
