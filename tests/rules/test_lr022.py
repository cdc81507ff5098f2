"""LR022 warmup-longer-than-training: the LR never reaches its peak."""

from __future__ import annotations

import pytest
from lintkit import findings, lint_project, where

FACTORY = """
import torch
from transformers import get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup
from transformers import get_scheduler

optimizer = torch.optim.AdamW(torch.nn.Linear(2, 1).parameters(), lr=1e-3)
"""


def test_training_arguments_warmup_longer_than_max_steps():
    [finding] = findings("""
        from transformers import TrainingArguments

        args = TrainingArguments(output_dir="out", learning_rate=3e-5, max_steps=1000,
                                 warmup_steps=2000)
    """, "LR022")
    assert finding.start.line == 5
    assert finding.message.startswith(
        "`warmup_steps=2000` is longer than `max_steps=1000`: every optimizer step of the run "
        "is in the warm-up, so the LR climbs from 0 to only 50% of its peak 3e-5")
    assert "the linear decay never starts" in finding.message


def test_numbers_through_names_are_quoted():
    [finding] = findings("""
        from transformers import TrainingArguments

        MAX_STEPS = 500
        WARMUP = 800
        args = TrainingArguments(output_dir="o", max_steps=MAX_STEPS, warmup_steps=WARMUP,
                                 lr_scheduler_type="cosine")
    """, "LR022")
    assert "`warmup_steps=WARMUP` (= 800) is longer than `max_steps=MAX_STEPS` (= 500)" \
        in finding.message
    assert "to only 62.4% of its peak" in finding.message  # 499 / 800
    assert "the cosine decay never starts" in finding.message


def test_constant_with_warmup_has_no_decay_to_miss():
    [finding] = findings("""
        from transformers import TrainingArguments
        args = TrainingArguments(output_dir="o", max_steps=100, warmup_steps=100,
                                 lr_scheduler_type="constant_with_warmup")
    """, "LR022")
    assert "is as long as `max_steps=100`" in finding.message
    assert "decay" not in finding.message.split("(")[0]


def test_factory_warmup_as_long_as_the_schedule():
    [finding] = findings(FACTORY + """
scheduler = get_linear_schedule_with_warmup(optimizer, 1000, 1000)
""", "LR022")
    assert finding.start.line == 8
    assert finding.message.startswith("`num_warmup_steps=1000` is as long as "
                                      "`num_training_steps=1000`: the schedule is all warm-up")


def test_get_scheduler_with_computed_length():
    [finding] = findings(FACTORY + """
EPOCHS, STEPS_PER_EPOCH = 2, 100
total = EPOCHS * STEPS_PER_EPOCH
scheduler = get_scheduler("cosine", optimizer, num_warmup_steps=500, num_training_steps=total)
""", "LR022")
    assert "`num_training_steps=total` (= 200)" in finding.message
    assert "to only 39.8% of its peak" in finding.message  # 199 / 500


def parsed_config(parse: str, model_steps: tuple[int, int], config_steps: tuple[int, int]) -> str:
    """Two dataclasses (max_steps, warmup_steps) parsed by HfArgumentParser; the Trainer's
    arguments read the second one, ``cfg``."""
    return f"""
from dataclasses import dataclass
from transformers import HfArgumentParser, TrainingArguments


@dataclass
class ModelArguments:
    max_steps: int = {model_steps[0]}
    warmup_steps: int = {model_steps[1]}


@dataclass
class SFTConfig:
    max_steps: int = {config_steps[0]}
    warmup_steps: int = {config_steps[1]}


def main():
    {parse}
    return TrainingArguments(output_dir="o", max_steps=cfg.max_steps,
                             warmup_steps=cfg.warmup_steps)
"""


@pytest.mark.parametrize("parse", [
    "(cfg,) = HfArgumentParser(SFTConfig).parse_args_into_dataclasses()",
    "parser = HfArgumentParser((ModelArguments, SFTConfig))\n"
    "    model_args, cfg = parser.parse_args_into_dataclasses()",
])
def test_config_dataclass_parsed_by_hf_argument_parser(parse):
    [finding] = findings(parsed_config(parse, (99999, 0), (1000, 2000)), "LR022")
    assert "(= 2000) is longer than `max_steps=cfg.max_steps` (= 1000)" in finding.message


def test_hf_argument_parser_position_is_respected():
    # The config is the second dataclass: the first one's defaults are not the run's.
    parse = ("model_args, cfg = HfArgumentParser((ModelArguments, SFTConfig))"
             ".parse_args_into_dataclasses()")
    assert findings(parsed_config(parse, (10, 2000), (5000, 100)), "LR022") == []


def test_subclass_defaults(tmp_path):
    diagnostics = lint_project(tmp_path, {"args.py": """
        from dataclasses import dataclass, field
        from transformers import TrainingArguments

        @dataclass
        class RunArguments(TrainingArguments):
            max_steps: int = field(default=300)
            warmup_steps: int = field(default=1000)
    """}, select=["LR022"])
    assert where(diagnostics, tmp_path) == [("args.py", "LR022", 8)]


@pytest.mark.parametrize("arguments", [
    "max_steps=1000, warmup_steps=100",
    "max_steps=1000, warmup_steps=0.5",  # a ratio in transformers 5
    "warmup_steps=2000",  # max_steps -1: epochs decide the length
    "max_steps=1000, warmup_steps=2000, lr_scheduler_type='constant'",  # LR021's business
    "max_steps=args.max_steps, warmup_steps=2000",  # unknown
])
def test_training_arguments_look_alikes(arguments):
    assert findings(f"""
        from transformers import TrainingArguments
        args = TrainingArguments(output_dir="o", {arguments})
    """, "LR022") == []


@pytest.mark.parametrize("call", [
    "get_linear_schedule_with_warmup(optimizer, 100, 1000)",
    "get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=0, num_training_steps=10)",
    "get_scheduler('constant', optimizer, num_warmup_steps=500, num_training_steps=100)",
    "get_scheduler(kind, optimizer, num_warmup_steps=500, num_training_steps=100)",
    "get_scheduler('linear', optimizer, num_warmup_steps=n, num_training_steps=100)",
])
def test_factory_look_alikes(call):
    assert findings(FACTORY + f"scheduler = {call}\n", "LR022") == []


# -- the claim, checked against transformers itself ------------------------------------------


@pytest.mark.slow
def test_transformers_warmup_longer_than_the_run(tmp_path):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path), learning_rate=1e-3, max_steps=10, warmup_steps=20,
        report_to=[], use_cpu=True)  # accepted: only a negative warmup is rejected
    trainer = transformers.Trainer(model=torch.nn.Linear(2, 1), args=args)
    trainer.create_optimizer_and_scheduler(num_training_steps=args.max_steps)
    lrs = []
    for _ in range(args.max_steps):
        lrs.append(trainer.optimizer.param_groups[0]["lr"])
        trainer.optimizer.step()
        trainer.lr_scheduler.step()
    assert lrs == sorted(lrs)  # climbing all the way
    assert lrs[-1] == pytest.approx(1e-3 * 9 / 20)  # 45% of the peak at the last step
