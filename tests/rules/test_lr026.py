"""LR026 accelerate-accumulation-step: an unprepared scheduler stepped on every micro-batch
inside accelerator.accumulate(); and LR009 on accelerate's `if accelerator.sync_gradients:`."""

from __future__ import annotations

import pytest
from lintkit import findings, fixed, lint_project, where

SOURCE = """\
import torch
from accelerate import Accelerator
from transformers import get_scheduler


def main(args, model, loader):
    accelerator = Accelerator(gradient_accumulation_steps=ACCUMULATION)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    lr_scheduler = get_scheduler("linear", optimizer, num_warmup_steps=10,
                                 num_training_steps=LENGTH)
    PREPARE
    for epoch in range(args.epochs):
        for batch in loader:
            with accelerator.accumulate(model):
                accelerator.backward(model(batch))
                optimizer.step()
                lr_scheduler.step()
                optimizer.zero_grad()
"""
UNPREPARED = "model, optimizer, loader = accelerator.prepare(model, optimizer, loader)"
PREPARED = ("model, optimizer, loader, lr_scheduler = accelerator.prepare("
            "model, optimizer, loader, lr_scheduler)")
UPDATES = "len(loader) * args.epochs // args.gradient_accumulation_steps"


def source(prepare=UNPREPARED, accumulation="args.gradient_accumulation_steps", length=UPDATES):
    return (SOURCE.replace("PREPARE", prepare).replace("ACCUMULATION", accumulation)
            .replace("LENGTH", length))


def test_unprepared_scheduler_inside_accumulate():
    [finding] = findings(source(), "LR026")
    assert finding.start.line == 17
    assert finding.message.startswith(
        "`lr_scheduler.step()` runs on every micro-batch inside `with accelerator.accumulate(...)`"
        ", but get_scheduler was not passed to `accelerator.prepare`: the prepared optimizer only "
        "updates when gradients synchronise, once every `args.gradient_accumulation_steps` "
        "micro-batches, so the schedule runs `args.gradient_accumulation_steps` times too fast, "
        "and its length counts optimizer updates: it is spent early in the run")


def test_folded_accumulation_is_quoted():
    [finding] = findings(source(accumulation="4"), "LR026")
    assert "once every 4 micro-batches, so the schedule runs 4 times too fast" in finding.message


def test_fix_steps_it_under_sync_gradients():
    result = fixed(source(), "LR026", unsafe=True)
    assert ("                optimizer.step()\n"
            "                if accelerator.sync_gradients:\n"
            "                    lr_scheduler.step()\n"
            "                optimizer.zero_grad()\n") in result
    assert fixed(source(), "LR026") is None  # unsafe only


def test_across_modules_prepared_through_a_helper(tmp_path):
    # starVLA before PR #210: prepare(*components) in a helper that never receives the scheduler.
    diagnostics = lint_project(tmp_path, {
        "tools.py": """
            class TrainerUtils:
                @staticmethod
                def setup_distributed_training(accelerator, *components):
                    return accelerator.prepare(*components)
        """,
        "train.py": """
            import torch
            from accelerate import Accelerator, DeepSpeedPlugin
            from transformers import get_scheduler
            from tools import TrainerUtils

            accelerator = Accelerator(deepspeed_plugin=DeepSpeedPlugin())

            class VLATrainer(TrainerUtils):
                def __init__(self, cfg, model, loader, optimizer, lr_scheduler):
                    self.cfg, self.model, self.loader = cfg, model, loader
                    self.optimizer, self.lr_scheduler = optimizer, lr_scheduler
                    self.accelerator = accelerator

                def prepare_training(self):
                    self.model, self.optimizer, self.loader = self.setup_distributed_training(
                        self.accelerator, self.model, self.optimizer, self.loader)

                def train(self):
                    step = 0
                    while step < self.cfg.max_train_steps:
                        self._train_step(next(iter(self.loader)))
                        if self.accelerator.sync_gradients:
                            step += 1

                def _train_step(self, batch):
                    with self.accelerator.accumulate(self.model):
                        self.optimizer.zero_grad()
                        self.accelerator.backward(self.model(batch))
                        self.optimizer.step()
                        self.lr_scheduler.step()

            def main(cfg, model, loader):
                optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
                lr_scheduler = get_scheduler("cosine", optimizer, num_warmup_steps=100,
                                             num_training_steps=cfg.max_train_steps)
                trainer = VLATrainer(cfg, model, loader, optimizer, lr_scheduler)
                trainer.prepare_training()
                trainer.train()
        """,
    }, select=["LR026"])
    assert where(diagnostics, tmp_path) == [("train.py", "LR026", 31)]
    assert "once every `gradient_accumulation_steps` micro-batches" in diagnostics[0].message


# -- clean look-alikes ----------------------------------------------------------------------


def test_prepared_scheduler_inside_accumulate_is_the_official_pattern():
    assert findings(source(prepare=PREPARED), ["LR026", "LR009"]) == []


def test_schedule_sized_in_micro_batches_matches_the_pace():
    # h2o-llmstudio #663's look-alike: len(loader) * epochs, stepped every micro-batch.
    assert findings(source(length="len(loader) * args.epochs"), "LR026") == []


@pytest.mark.parametrize("accumulation", ["1"])
def test_no_accumulation(accumulation):
    assert findings(source(accumulation=accumulation), "LR026") == []


def test_accelerator_without_accumulation_setting():
    text = source().replace("Accelerator(gradient_accumulation_steps=args.gradient_accumulation_"
                            "steps)", "Accelerator()")
    assert findings(text, "LR026") == []


def test_stepped_under_sync_gradients():
    text = source().replace("                lr_scheduler.step()\n",
                            "                if accelerator.sync_gradients:\n"
                            "                    lr_scheduler.step()\n")
    assert findings(text, ["LR026", "LR009"]) == []


def test_unprepared_optimizer_steps_every_micro_batch_too():
    text = source(prepare="model, loader = accelerator.prepare(model, loader)")
    assert findings(text, "LR026") == []


# -- LR009: the accelerate spelling of hand-written accumulation --------------------------

GATED = SOURCE.replace(
    "                optimizer.step()\n",
    "                if accelerator.sync_gradients:\n"
    "                    optimizer.step()\n")


def test_lr009_reads_sync_gradients_as_the_accumulation_gate():
    text = (GATED.replace("PREPARE", UNPREPARED)
            .replace("ACCUMULATION", "args.gradient_accumulation_steps").replace("LENGTH", UPDATES))
    [finding] = findings(text, ["LR009", "LR026"])
    assert finding.code == "LR009"  # LR026 leaves hand-written gates to LR009
    assert finding.message.startswith(
        "`optimizer.step()` runs once every `args.gradient_accumulation_steps` micro-batches "
        "(under `if accelerator.sync_gradients:`) but `lr_scheduler.step()` runs on every "
        "micro-batch")
    assert "counts optimizer steps, so the whole schedule is spent in the first" in finding.message


def test_lr009_prepared_scheduler_outside_the_gate_is_clean():
    text = (GATED.replace("PREPARE", PREPARED)
            .replace("ACCUMULATION", "args.gradient_accumulation_steps").replace("LENGTH", UPDATES))
    assert findings(text, ["LR009", "LR026"]) == []


def test_lr009_modulus_gate_with_prepared_scheduler_inside_accumulate():
    text = (SOURCE.replace("PREPARE", PREPARED)
            .replace("ACCUMULATION", "4").replace("LENGTH", UPDATES)
            .replace("        for batch in loader:", "        for i, batch in enumerate(loader):")
            .replace("                optimizer.step()\n",
                     "                if (i + 1) % 4 == 0:\n"
                     "                    optimizer.step()\n"))
    assert findings(text, ["LR009", "LR026"]) == []


# -- the claim, checked against accelerate itself ---------------------------------------------


@pytest.mark.slow
def test_accelerate_skips_prepared_steps_only():
    torch = pytest.importorskip("torch")
    accelerate = pytest.importorskip("accelerate")
    from accelerate.state import AcceleratorState, GradientState

    AcceleratorState._reset_state(True)
    GradientState._reset_state()
    accelerator = accelerate.Accelerator(gradient_accumulation_steps=4, cpu=True)
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    plain = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    prepared_opt = torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=1.0)
    wrapped = torch.optim.lr_scheduler.LambdaLR(prepared_opt, lambda step: 1.0)
    loader = torch.utils.data.DataLoader(torch.randn(16, 2), batch_size=2)
    model, optimizer, loader, wrapped, prepared_opt = accelerator.prepare(
        model, optimizer, loader, wrapped, prepared_opt)
    updates = 0
    for batch in loader:  # 8 micro-batches
        with accelerator.accumulate(model):
            accelerator.backward(model(batch).mean())
            optimizer.step()
            prepared_opt.step()
            plain.step()
            wrapped.step()
            updates += accelerator.sync_gradients
            optimizer.zero_grad()
    assert updates == 2
    assert plain.last_epoch == 8  # the unprepared scheduler: every micro-batch
    assert wrapped.scheduler.last_epoch == 2  # the prepared one: every update
    AcceleratorState._reset_state(True)
    GradientState._reset_state()
