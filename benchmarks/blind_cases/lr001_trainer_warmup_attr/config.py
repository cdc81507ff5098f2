from dataclasses import dataclass


@dataclass
class TrainConfig:
    lr: float = 3e-4
    weight_decay: float = 0.05
    warmup_iters: int = 2000
    max_epochs: int = 30
    batch_size: int = 64
    num_samples: int = 20000
    log_every: int = 50
