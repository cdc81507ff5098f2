"""Supervised fine-tuning; the schedule settings were carried over from the pretraining config."""
from dataclasses import dataclass, field

from transformers import HfArgumentParser, Trainer, TrainingArguments

from data import ToyTokenDataset
from modeling import SmallClassifier


@dataclass
class SFTConfig:
    output_dir: str = "checkpoints/sft"
    learning_rate: float = 2e-5
    max_steps: int = 1000
    warmup_steps: int = 2000
    lr_scheduler_type: str = "cosine"
    per_device_train_batch_size: int = 16
    train_size: int = field(default=50000, metadata={"help": "number of training examples"})


def main():
    (cfg,) = HfArgumentParser(SFTConfig).parse_args_into_dataclasses()
    args = TrainingArguments(
        output_dir=cfg.output_dir,
        learning_rate=cfg.learning_rate,
        max_steps=cfg.max_steps,
        warmup_steps=cfg.warmup_steps,
        lr_scheduler_type=cfg.lr_scheduler_type,
        per_device_train_batch_size=cfg.per_device_train_batch_size,
        bf16=False,
        logging_steps=10,
        save_strategy="no",
        report_to="none",
    )
    Trainer(model=SmallClassifier(), args=args, train_dataset=ToyTokenDataset(cfg.train_size)).train()


if __name__ == "__main__":
    main()
