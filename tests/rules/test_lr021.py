"""LR021 hf-constant-schedule-with-warmup: "constant" drops the warm-up without a word."""

from __future__ import annotations

import pytest
from lintkit import findings, fixed, lint_project, where


def test_training_arguments_constant_with_warmup_steps():
    [finding] = findings("""
        from transformers import TrainingArguments

        args = TrainingArguments(output_dir="out", learning_rate=1e-4,
                                 lr_scheduler_type="constant", warmup_steps=500)
    """, "LR021")
    assert finding.start.line == 5
    assert finding.message.startswith('`lr_scheduler_type="constant"` with `warmup_steps=500`')
    assert "the first step already runs at the peak LR 1e-4" in finding.message
    assert "over the first 500 optimizer steps" in finding.message


def test_warmup_below_one_is_a_ratio_in_transformers_5():
    [finding] = findings("""
        from transformers import TrainingArguments
        args = TrainingArguments(output_dir="out", lr_scheduler_type="constant", warmup_steps=0.1)
    """, "LR021")
    assert "over the first 10% of the training steps" in finding.message


def test_subclass_defaults_as_hf_argument_parser_reads_them():
    # qlora.py: the subclass's own defaults are the run's settings.
    [finding] = findings("""
        from dataclasses import dataclass, field
        import transformers

        @dataclass
        class TrainingArguments(transformers.Seq2SeqTrainingArguments):
            learning_rate: float = field(default=0.0002)
            lr_scheduler_type: str = field(default='constant', metadata={"help": "type"})
            warmup_ratio: float = field(default=0.03, metadata={"help": "warm-up"})

        parser = transformers.HfArgumentParser((TrainingArguments,))
        args = TrainingArguments(output_dir="out")
    """, "LR021")
    assert finding.start.line == 8  # reported once, on the class default
    assert "`warmup_ratio=0.03`" in finding.message
    assert "the peak LR 2e-4" in finding.message
    assert "over the first 3% of the training steps" in finding.message


def test_call_of_a_subclass_that_sets_the_warmup():
    [finding] = findings("""
        from dataclasses import dataclass, field
        from transformers import TrainingArguments

        @dataclass
        class Args(TrainingArguments):
            lr_scheduler_type: str = "constant"

        args = Args(output_dir="out", warmup_steps=200)
    """, "LR021")
    assert finding.start.line == 7  # the type is the class's: the report points at it
    assert "`warmup_steps=200`" in finding.message


def test_get_scheduler_constant_with_warmup_steps():
    [finding] = findings("""
        import torch
        from transformers import get_scheduler

        WARMUP = 100
        optimizer = torch.optim.AdamW(torch.nn.Linear(2, 1).parameters(), lr=1e-3)
        scheduler = get_scheduler("constant", optimizer, num_warmup_steps=WARMUP,
                                  num_training_steps=1000)
    """, "LR021")
    assert finding.start.line == 7
    assert "`num_warmup_steps=WARMUP` (= 100)" in finding.message
    assert "over the first 100 steps" in finding.message


def test_scheduler_type_enum():
    source = """
        from transformers import TrainingArguments
        from transformers.trainer_utils import SchedulerType

        args = TrainingArguments(output_dir="o", lr_scheduler_type=SchedulerType.CONSTANT,
                                 warmup_steps=10)
    """
    assert len(findings(source, "LR021")) == 1
    assert "SchedulerType.CONSTANT_WITH_WARMUP," in fixed(source, "LR021")


def test_fix_keeps_the_quotes():
    result = fixed("""
        from transformers import TrainingArguments
        args = TrainingArguments(output_dir="o", lr_scheduler_type='constant', warmup_steps=10)
    """, "LR021")
    assert "lr_scheduler_type='constant_with_warmup'" in result


def test_settings_from_other_modules(tmp_path):
    diagnostics = lint_project(tmp_path, {
        "config.py": """
            WARMUP_STEPS = 300
        """,
        "arguments.py": """
            from dataclasses import dataclass
            from transformers import TrainingArguments

            import config

            @dataclass
            class RunArguments(TrainingArguments):
                warmup_steps: int = config.WARMUP_STEPS
        """,
        "train.py": """
            from arguments import RunArguments

            args = RunArguments(output_dir="o", lr_scheduler_type="constant")
        """,
    }, select=["LR021"])
    # The warm-up is the subclass's default, in another module.
    assert where(diagnostics, tmp_path) == [("train.py", "LR021", 4)]
    assert "`warmup_steps=config.WARMUP_STEPS` (= 300)" in diagnostics[0].message
    assert diagnostics[0].fix.edits[0].content == '"constant_with_warmup"'


@pytest.mark.parametrize("arguments", [
    'lr_scheduler_type="constant_with_warmup", warmup_steps=500',
    'lr_scheduler_type="constant"',
    'lr_scheduler_type="constant", warmup_steps=0',
    'lr_scheduler_type="constant", warmup_ratio=0.0',
    'lr_scheduler_type="linear", warmup_steps=500',
    'warmup_steps=500',
    'lr_scheduler_type="constant", warmup_steps=args.warmup',  # does not fold
])
def test_look_alikes(arguments):
    assert findings(f"""
        from transformers import TrainingArguments
        args = TrainingArguments(output_dir="o", {arguments})
    """, "LR021") == []


def test_command_line_type_is_not_judged():
    # diffusers' scripts: --lr_scheduler defaults to "constant", --lr_warmup_steps to 500, for
    # whichever type the user picks.
    assert findings("""
        import argparse
        import torch
        from diffusers.optimization import get_scheduler

        parser = argparse.ArgumentParser()
        parser.add_argument("--lr_scheduler", type=str, default="constant")
        parser.add_argument("--lr_warmup_steps", type=int, default=500)
        args = parser.parse_args()
        optimizer = torch.optim.AdamW(torch.nn.Linear(2, 1).parameters(), lr=1e-4)
        lr_scheduler = get_scheduler(args.lr_scheduler, optimizer=optimizer,
                                     num_warmup_steps=args.lr_warmup_steps,
                                     num_training_steps=1000)
    """, "LR021") == []


def test_subclass_that_overrides_the_type_is_clean():
    assert findings("""
        from dataclasses import dataclass, field
        import transformers

        @dataclass
        class Base(transformers.TrainingArguments):
            lr_scheduler_type: str = field(default="constant")

        @dataclass
        class Args(Base):
            lr_scheduler_type: str = field(default="cosine")
            warmup_steps: int = field(default=100)
    """, "LR021") == []


# -- the claim, checked against transformers itself ------------------------------------------


@pytest.mark.slow
def test_transformers_drops_the_warmup_of_constant(tmp_path):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    model = torch.nn.Linear(2, 1)
    for kind, first in (("constant", 1e-3), ("constant_with_warmup", 0.0)):
        args = transformers.TrainingArguments(
            output_dir=str(tmp_path), learning_rate=1e-3, lr_scheduler_type=kind,
            warmup_steps=5, report_to=[], use_cpu=True)
        trainer = transformers.Trainer(model=model, args=args)
        trainer.create_optimizer_and_scheduler(num_training_steps=10)
        lrs = []
        for _ in range(6):
            lrs.append(trainer.optimizer.param_groups[0]["lr"])
            trainer.optimizer.step()
            trainer.lr_scheduler.step()
        assert lrs[0] == pytest.approx(first)
        if kind == "constant":
            assert lrs == pytest.approx([1e-3] * 6)  # no warm-up at all
        else:
            assert lrs[5] == pytest.approx(1e-3) and lrs[1] == pytest.approx(2e-4)


def test_a_warmup_imported_by_name_from_another_module(tmp_path):
    diagnostics = lint_project(tmp_path, {
        "config.py": "WARMUP_STEPS = 300\n",
        "train.py": """
            from transformers import TrainingArguments

            from config import WARMUP_STEPS

            args = TrainingArguments(output_dir="o", lr_scheduler_type="constant",
                                     warmup_steps=WARMUP_STEPS)
        """,
    }, select=["LR021"])
    assert where(diagnostics, tmp_path) == [("train.py", "LR021", 6)]
    assert "`warmup_steps=WARMUP_STEPS` (= 300)" in diagnostics[0].message
