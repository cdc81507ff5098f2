"""LR025 accelerate-scheduler-length: a prepared scheduler steps num_processes times per
update, so its length must count the updates of all processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from lintkit import findings, lint_project, where

HEADER = """\
import math
import torch
from accelerate import Accelerator
from torch.utils.data import DataLoader
from transformers import get_scheduler


def main(args, model, train_dataset):
    accelerator = Accelerator(gradient_accumulation_steps=args.gradient_accumulation_steps)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate)
    train_dataloader = DataLoader(train_dataset, batch_size=args.train_batch_size, shuffle=True)
"""
LOOP = """
    global_step = 0
    for epoch in range(args.num_train_epochs):
        for batch in train_dataloader:
            with accelerator.accumulate(model):
                accelerator.backward(model(batch).loss)
                optimizer.step()
                lr_scheduler.step()
                optimizer.zero_grad()
            if accelerator.sync_gradients:
                global_step += 1
            if global_step >= args.max_train_steps:
                break
"""
PREPARE = """
    model, optimizer, train_dataloader, lr_scheduler = accelerator.prepare(
        model, optimizer, train_dataloader, lr_scheduler)
"""


# max_train_steps from the un-sharded loader's updates, unless given on the command line
STEPS_FROM_DATA = """
    num_update_steps_per_epoch = math.ceil(len(train_dataloader) / args.gradient_accumulation_steps)
    if args.max_train_steps is None:
        args.max_train_steps = args.num_train_epochs * num_update_steps_per_epoch
"""


def lint(sizing: str, prepare: str = PREPARE, header: str = HEADER):
    return findings(header + sizing + prepare + LOOP, "LR025")


def diffusers_sizing(factor: str) -> str:
    """diffusers' scripts: warm-up and length both multiplied by ``factor``."""
    return STEPS_FROM_DATA + f"""\
    lr_scheduler = get_scheduler(
        args.lr_scheduler, optimizer=optimizer,
        num_warmup_steps=args.lr_warmup_steps * {factor},
        num_training_steps=args.max_train_steps * {factor})
"""


def test_processes_counted_twice():
    # diffusers' train_controlnet.py before PR #8312's fix reached it.
    [finding] = lint(diffusers_sizing("accelerator.num_processes"))
    assert finding.start.line == 19
    assert finding.message.startswith(
        "`num_training_steps=args.max_train_steps * accelerator.num_processes` counts the "
        "processes twice: where it comes from `len(train_dataloader)` (before `prepare`)")
    assert "multiplied by `accelerator.num_processes` again" in finding.message
    assert "on N GPUs the run ends 1/N of the way through the schedule" in finding.message


def test_sized_in_the_updates_of_one_process():
    # Lightricks/LTX-Video-Trainer: the configured step count, which each process runs.
    [finding] = lint("""
    lr_scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.max_train_steps)
""")
    assert finding.message.startswith(
        "`T_max=args.max_train_steps` counts the optimizer updates of one process "
        "(`args.max_train_steps`), but CosineAnnealingLR goes through "
        "`accelerator.prepare(...)`, whose AcceleratedScheduler steps it `num_processes` times "
        "per optimizer update (split_batches=False): on N GPUs the schedule ends after 1/N of "
        "the run; multiply it by `accelerator.num_processes`")


def test_sized_from_the_sharded_loader():
    [finding] = lint("""
    model, optimizer, train_dataloader = accelerator.prepare(model, optimizer, train_dataloader)
    total = len(train_dataloader) // args.gradient_accumulation_steps * args.num_train_epochs
    lr_scheduler = get_scheduler("linear", optimizer, num_warmup_steps=0,
                                 num_training_steps=total)
    lr_scheduler = accelerator.prepare_scheduler(lr_scheduler)
""", prepare="")
    assert "counts the optimizer updates of one process (`len(train_dataloader)`, taken " \
        "after `prepare` sharded the loader)" in finding.message


def test_sharded_loader_without_accumulation():
    # No gradient accumulation: the sharded loader's batches are one process's updates.
    header = HEADER.replace(
        "Accelerator(gradient_accumulation_steps=args.gradient_accumulation_steps)",
        "Accelerator()")
    [finding] = lint("""
    model, optimizer, train_dataloader = accelerator.prepare(model, optimizer, train_dataloader)
    max_train_steps = args.num_train_epochs * len(train_dataloader)
    lr_scheduler = get_scheduler("linear", optimizer, num_warmup_steps=0,
                                 num_training_steps=max_train_steps)
    lr_scheduler = accelerator.prepare(lr_scheduler)
""", prepare="", header=header)
    assert finding.message.startswith(
        "`num_training_steps=max_train_steps` counts the optimizer updates of one process "
        "(`len(train_dataloader)`, taken after `prepare` sharded the loader)")


def test_unsharded_loader_without_accumulation_is_clean():
    header = HEADER.replace(
        "Accelerator(gradient_accumulation_steps=args.gradient_accumulation_steps)",
        "Accelerator()")
    assert lint("""
    lr_scheduler = get_scheduler("linear", optimizer, num_warmup_steps=0,
                                 num_training_steps=len(train_dataloader) * args.num_train_epochs)
""", header=header) == []


def test_multiplied_by_the_accumulation():
    # diffusers' train_text_to_image_sdxl.py (issue #9633).
    [finding] = lint(diffusers_sizing("args.gradient_accumulation_steps"))
    assert "counts micro-batches" in finding.message
    assert "the schedule is k times too long" in finding.message


def test_sized_in_samples():
    [finding] = lint("""
    lr_scheduler = get_scheduler("linear", optimizer, num_warmup_steps=0,
                                 num_training_steps=len(train_dataset) * args.num_train_epochs)
""")
    assert finding.start.line == 14
    assert finding.message.startswith(
        "`num_training_steps=len(train_dataset) * args.num_train_epochs` counts samples "
        "(`len(train_dataset)`)")
    assert "a batch size times too long and never reaches its end" in finding.message


def test_transformers_no_trainer_script_before_its_fix():
    # transformers' examples/pytorch/*_no_trainer.py before they scaled by num_processes: a
    # --max_train_steps given on the command line counts the updates of one process.
    [finding] = lint(STEPS_FROM_DATA + """\
    lr_scheduler = get_scheduler(name=args.lr_scheduler_type, optimizer=optimizer,
                                 num_warmup_steps=args.num_warmup_steps,
                                 num_training_steps=args.max_train_steps)
""")
    assert finding.start.line == 18
    assert "counts the optimizer updates of one process (`args.max_train_steps`)" in \
        finding.message


def test_scheduler_built_and_prepared_in_other_modules(tmp_path):
    diagnostics = lint_project(tmp_path, {
        "sched.py": """
            import torch

            def build_scheduler(optimizer, cfg):
                return torch.optim.lr_scheduler.LinearLR(
                    optimizer, start_factor=1.0, end_factor=0.0, total_iters=cfg.steps)
        """,
        "trainer.py": """
            import torch
            from accelerate import Accelerator
            from sched import build_scheduler

            class Trainer:
                def __init__(self, cfg, model):
                    self.cfg = cfg
                    self.accelerator = Accelerator()
                    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
                    scheduler = build_scheduler(optimizer, cfg)
                    self.optimizer, self.scheduler = self.accelerator.prepare(optimizer, scheduler)

                def train(self, loader):
                    for step in range(self.cfg.steps):
                        self.optimizer.step()
                        self.scheduler.step()
        """,
    }, select=["LR025"])
    assert where(diagnostics, tmp_path) == [("sched.py", "LR025", 6)]


# -- clean look-alikes ----------------------------------------------------------------------


@pytest.mark.parametrize("sizing", [
    # diffusers after PR #8312: the sharded length, times the processes
    """
    num_warmup_steps_for_scheduler = args.lr_warmup_steps * accelerator.num_processes
    if args.max_train_steps is None:
        len_train_dataloader_after_sharding = math.ceil(len(train_dataloader) / accelerator.num_processes)
        num_update_steps_per_epoch = math.ceil(len_train_dataloader_after_sharding / args.gradient_accumulation_steps)
        num_training_steps_for_scheduler = (
            args.num_train_epochs * num_update_steps_per_epoch * accelerator.num_processes)
    else:
        num_training_steps_for_scheduler = args.max_train_steps * accelerator.num_processes
    lr_scheduler = get_scheduler(args.lr_scheduler, optimizer=optimizer,
                                 num_warmup_steps=num_warmup_steps_for_scheduler,
                                 num_training_steps=num_training_steps_for_scheduler)
""",
    # accelerate's own examples: the un-sharded loader, over the accumulation
    """
    lr_scheduler = get_scheduler("linear", optimizer=optimizer, num_warmup_steps=100,
        num_training_steps=(len(train_dataloader) * args.num_train_epochs)
        // args.gradient_accumulation_steps)
""",
    # the configured count, times the processes
    """
    lr_scheduler = get_scheduler("cosine", optimizer, num_warmup_steps=0,
                                 num_training_steps=args.max_train_steps * accelerator.num_processes)
""",
    # transformers' *_no_trainer.py scripts today: the flag says where the length came from
    """
    overrode_max_train_steps = False
    num_update_steps_per_epoch = math.ceil(len(train_dataloader) / args.gradient_accumulation_steps)
    if args.max_train_steps is None:
        args.max_train_steps = args.num_train_epochs * num_update_steps_per_epoch
        overrode_max_train_steps = True
    lr_scheduler = get_scheduler(
        name=args.lr_scheduler_type,
        optimizer=optimizer,
        num_warmup_steps=args.num_warmup_steps * accelerator.num_processes,
        num_training_steps=args.max_train_steps
        if overrode_max_train_steps
        else args.max_train_steps * accelerator.num_processes,
    )
""",
    # a warm-up count compared only in an LR lambda (and a count only tested against None):
    # neither bounds the training loop, so what they count is not known
    """
    def warmup(step):
        if step < args.warmup_steps:
            return step / args.warmup_steps
        return 1.0

    if args.schedule_steps is None:
        args.schedule_steps = 1000
    lr_scheduler = get_scheduler("cosine", optimizer, num_warmup_steps=args.warmup_steps,
                                 num_training_steps=args.schedule_steps)
""",
    # a count that nothing bounds the loop with: lrlint cannot tell what it counts
    """
    lr_scheduler = get_scheduler("cosine", optimizer, num_warmup_steps=0,
                                 num_training_steps=args.schedule_steps)
""",
])
def test_look_alikes(sizing):
    assert lint(sizing) == []


def test_unprepared_scheduler_is_not_this_rule():
    assert lint("""
    lr_scheduler = get_scheduler("cosine", optimizer, num_warmup_steps=0,
                                 num_training_steps=args.max_train_steps)
""", prepare="""
    model, optimizer, train_dataloader = accelerator.prepare(model, optimizer, train_dataloader)
""") == []


@pytest.mark.parametrize("accelerator", [
    "Accelerator(split_batches=True)",
    "Accelerator(step_scheduler_with_optimizer=False)",
    "Accelerator(dataloader_config=DataLoaderConfiguration(split_batches=True))",
])
def test_accelerators_that_step_once(accelerator):
    header = HEADER.replace(
        "Accelerator(gradient_accumulation_steps=args.gradient_accumulation_steps)", accelerator)
    assert lint("""
    lr_scheduler = get_scheduler("cosine", optimizer, num_warmup_steps=0,
                                 num_training_steps=args.max_train_steps)
""", header=header) == []


# -- the claim, checked against accelerate itself (two CPU processes) ----------------------

_TWO_PROCESSES = """
import torch
from accelerate import Accelerator

accelerator = Accelerator(cpu=True)
model = torch.nn.Linear(2, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, 1.0, 0.0, total_iters=8)
model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
for _ in range(4):  # 4 updates of each process
    optimizer.step()
    scheduler.step()
if accelerator.is_main_process:
    print("steps", scheduler.scheduler.last_epoch, accelerator.num_processes)
"""


@pytest.mark.slow
def test_prepared_scheduler_steps_num_processes_times(tmp_path):
    pytest.importorskip("accelerate")
    pytest.importorskip("torch.distributed")
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(_TWO_PROCESSES))
    env = {**os.environ, "ACCELERATE_USE_CPU": "true", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
         "--master_port", "29517", str(script)],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    if result.returncode != 0 and "gloo" in result.stderr.lower():
        pytest.skip("no gloo backend here")
    assert result.returncode == 0, result.stderr[-2000:]
    # 4 updates x 2 processes: the schedule sized in one process's 8 updates is done after 4.
    assert "steps 8 2" in result.stdout
