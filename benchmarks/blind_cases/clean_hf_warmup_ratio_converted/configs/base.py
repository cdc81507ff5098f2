from dataclasses import dataclass


@dataclass
class OptimConfig:
    lr: float = 1e-4
    weight_decay: float = 0.05
    warmup: float = 0.1  # fraction of the run spent warming up
    epochs: int = 10
    batch_size: int = 64
