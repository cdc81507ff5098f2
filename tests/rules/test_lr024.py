"""LR024 hf-trainer-schedule-length: the Trainer steps its scheduler once per update."""

from __future__ import annotations

import pytest
from lintkit import findings, lint_project, where

HEADER = """\
import torch
from torch.utils.data import DataLoader
from transformers import Trainer, TrainingArguments, get_linear_schedule_with_warmup

EPOCHS = 3
args = TrainingArguments(output_dir="out", num_train_epochs=EPOCHS,
                         per_device_train_batch_size=16, gradient_accumulation_steps=4)
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
"""
TRAINER = ("trainer = Trainer(model=model, args=args, train_dataset=train_dataset, "
           "optimizers=(optimizer, scheduler))\n")


def lint(schedule: str, header: str = HEADER):
    return findings(header + schedule + TRAINER, "LR024")


def test_sized_in_samples():
    [finding] = lint("total = len(train_dataset) * EPOCHS\n"
                     "scheduler = get_linear_schedule_with_warmup(optimizer, 100, total)\n")
    assert finding.start.line == 10
    assert finding.message.startswith(
        "`num_training_steps=total` counts samples (`len(train_dataset)`), but the Trainer "
        "steps get_linear_schedule_with_warmup once per optimizer update, one per 16 × 4 = 64 "
        "samples (per_device_train_batch_size=16, gradient_accumulation_steps=4): the run "
        "ends 1/64 of the way through the schedule")


def test_sized_in_micro_batches_ignoring_accumulation():
    [finding] = lint("loader = DataLoader(train_dataset, batch_size=16)\n"
                     "scheduler = get_linear_schedule_with_warmup(optimizer, 100,"
                     " len(loader) * EPOCHS)\n")
    assert "counts micro-batches (`len(loader)`)" in finding.message
    assert "one per 4 micro-batches (gradient_accumulation_steps=4)" in finding.message
    assert "ends 1/4 of the way through the schedule" in finding.message


def test_torch_scheduler_and_default_training_arguments():
    # No args=: the Trainer's defaults (batch size 8 per device, no accumulation).
    [finding] = findings("""
        import torch
        from transformers import Trainer

        optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=len(train_dataset) * 3)
        trainer = Trainer(model=model, train_dataset=train_dataset,
                          optimizers=(optimizer, scheduler))
    """, "LR024")
    assert "`T_max=len(train_dataset) * 3` counts samples" in finding.message
    assert "one per 8 samples (per_device_train_batch_size=8" in finding.message


def test_trainer_in_another_module(tmp_path):
    diagnostics = lint_project(tmp_path, {
        "optim.py": """
            import torch
            from transformers import get_cosine_schedule_with_warmup

            def build(model, dataset, epochs):
                optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
                steps = len(dataset) * epochs
                return optimizer, get_cosine_schedule_with_warmup(optimizer, 0, steps)
        """,
        "train.py": """
            from transformers import Trainer, TrainingArguments
            from optim import build

            args = TrainingArguments(output_dir="o", per_device_train_batch_size=4)
            optimizer, scheduler = build(model, train_dataset, 2)
            trainer = Trainer(model=model, args=args, train_dataset=train_dataset,
                              optimizers=(optimizer, scheduler))
        """,
    }, select=["LR024"])
    # The length is written in optim.py, the Trainer is in train.py: reported on the call.
    assert where(diagnostics, tmp_path) == [("train.py", "LR024", 8)]


def test_helper_returns_the_pair_the_trainer_receives(tmp_path):
    # `optimizers = build(...)` handed on whole: the scheduler is the second element returned.
    diagnostics = lint_project(tmp_path, {
        "optim.py": """
            import torch
            from torch.utils.data import DataLoader
            from transformers import get_cosine_schedule_with_warmup

            def build(model, dataset, training_args):
                optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
                loader = DataLoader(dataset, batch_size=training_args.per_device_train_batch_size)
                steps = len(loader) * int(training_args.num_train_epochs)
                scheduler = get_cosine_schedule_with_warmup(optimizer, 0, steps)
                return optimizer, scheduler
        """,
        "train.py": """
            from transformers import Trainer, TrainingArguments
            from optim import build

            args = TrainingArguments(output_dir="o", per_device_train_batch_size=4,
                                     gradient_accumulation_steps=16, num_train_epochs=3)
            optimizers = build(model, train_dataset, args)
            Trainer(model=model, args=args, train_dataset=train_dataset,
                    optimizers=optimizers).train()
        """,
    }, select=["LR024"])
    assert where(diagnostics, tmp_path) == [("train.py", "LR024", 9)]  # at optimizers=
    assert "counts micro-batches (`len(loader)`)" in diagnostics[0].message
    assert "one per 16 micro-batches" in diagnostics[0].message


@pytest.mark.parametrize("schedule", [
    # optimizer updates: the batches of an epoch over the accumulation, times the epochs
    "loader = DataLoader(train_dataset, batch_size=16)\n"
    "scheduler = get_linear_schedule_with_warmup(optimizer, 100,"
    " len(loader) // args.gradient_accumulation_steps * EPOCHS)\n",
    "per_update = args.per_device_train_batch_size * args.gradient_accumulation_steps\n"
    "steps = len(train_dataset) // per_update * EPOCHS\n"
    "scheduler = get_linear_schedule_with_warmup(optimizer, 100, steps)\n",
    # divided by a number lrlint cannot name: not judged
    "steps = len(train_dataset) // (16 * 4) * EPOCHS\n"
    "scheduler = get_linear_schedule_with_warmup(optimizer, 100, steps)\n",
    # a step count from elsewhere
    "scheduler = get_linear_schedule_with_warmup(optimizer, 100, args.max_steps)\n",
    "scheduler = get_linear_schedule_with_warmup(optimizer, 100, 1000)\n",
])
def test_look_alikes(schedule):
    assert lint(schedule) == []


def test_micro_batches_without_accumulation_are_updates():
    header = HEADER.replace(", gradient_accumulation_steps=4", "")
    assert lint("loader = DataLoader(train_dataset, batch_size=16)\n"
                "scheduler = get_linear_schedule_with_warmup(optimizer, 100,"
                " len(loader) * EPOCHS)\n", header) == []


def test_unknown_training_arguments_are_not_guessed():
    assert findings("""
        import torch
        from transformers import Trainer, get_linear_schedule_with_warmup

        def train(model, args, train_dataset):
            optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
            scheduler = get_linear_schedule_with_warmup(optimizer, 0, len(train_dataset))
            return Trainer(model=model, args=args, optimizers=(optimizer, scheduler))
    """, "LR024") == []


# -- the claim, checked against transformers itself ------------------------------------------


@pytest.mark.slow
def test_trainer_steps_the_scheduler_once_per_update(tmp_path):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")

    class Regression(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(2, 1)

        def forward(self, x, labels):
            return {"loss": torch.nn.functional.mse_loss(self.linear(x).squeeze(-1), labels)}

    dataset = [{"x": torch.randn(2), "labels": torch.randn(())} for _ in range(16)]
    model = Regression()
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path), num_train_epochs=2, per_device_train_batch_size=2,
        gradient_accumulation_steps=2, report_to=[], use_cpu=True, save_strategy="no",
        logging_strategy="no")
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    scheduler = transformers.get_linear_schedule_with_warmup(optimizer, 0, len(dataset) * 2)
    trainer = transformers.Trainer(model=model, args=args, train_dataset=dataset,
                                   optimizers=(optimizer, scheduler))
    trainer.train()
    # 16 samples / (2 × 2) = 4 updates per epoch, 8 in all: 8 of the 32 steps it was sized for.
    assert scheduler.last_epoch == 8
    assert optimizer.param_groups[0]["lr"] == pytest.approx(1 - 8 / 32)
