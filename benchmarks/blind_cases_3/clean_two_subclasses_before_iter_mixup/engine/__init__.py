from .base import BaseTrainer
from .mixup import MixupTrainer
from .supervised import SupervisedTrainer

TRAINERS = {"supervised": SupervisedTrainer, "mixup": MixupTrainer}

__all__ = ["BaseTrainer", "MixupTrainer", "SupervisedTrainer", "TRAINERS"]
