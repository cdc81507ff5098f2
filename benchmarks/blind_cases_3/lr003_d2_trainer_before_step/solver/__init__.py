from .build import build_lr_scheduler, build_optimizer
from .lr_scheduler import WarmupMultiStepLR

__all__ = ["build_lr_scheduler", "build_optimizer", "WarmupMultiStepLR"]
