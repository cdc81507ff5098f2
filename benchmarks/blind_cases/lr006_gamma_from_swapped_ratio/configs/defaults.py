from dataclasses import dataclass, field


@dataclass
class SolverConfig:
    base_lr: float = 1e-3
    final_lr: float = 1e-5
    epochs: int = 50
    weight_decay: float = 1e-4


@dataclass
class Config:
    solver: SolverConfig = field(default_factory=SolverConfig)
    batch_size: int = 64
    num_samples: int = 10000


def get_config(**overrides):
    cfg = Config()
    for key, value in overrides.items():
        section, _, name = key.partition(".")
        if name:
            setattr(getattr(cfg, section), name, value)
        else:
            setattr(cfg, section, value)
    return cfg
