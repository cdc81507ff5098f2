"""Experiment settings as a dataclass; every field becomes a --flag (see parse_settings)."""
import argparse
import dataclasses
from dataclasses import dataclass, field
from typing import List


@dataclass
class TrainSettings:
    vocab_size: int = 30000
    embed_dim: int = 128
    num_classes: int = 4
    seq_len: int = 64
    train_size: int = 120000
    batch_size: int = 128
    epochs: int = 100
    lr: float = 0.2
    momentum: float = 0.9
    weight_decay: float = 5e-5
    milestones: List[int] = field(default_factory=lambda: [30, 60, 90])  # in epochs
    gamma: float = 0.2
    log_every: int = 200
    out: str = "runs/ag_news_fasttext"


def parse_settings(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    for f in dataclasses.fields(TrainSettings):
        default = f.default_factory() if f.default is dataclasses.MISSING else f.default
        if isinstance(default, list):
            parser.add_argument(f"--{f.name.replace('_', '-')}", type=type(default[0]), nargs="+", default=default)
        else:
            parser.add_argument(f"--{f.name.replace('_', '-')}", type=type(default), default=default)
    return TrainSettings(**vars(parser.parse_args(argv)))
