from .train_loop import HookBase, TrainerBase, SimpleTrainer
from .hooks import IterationTimer, PeriodicWriter

__all__ = ["HookBase", "TrainerBase", "SimpleTrainer", "IterationTimer", "PeriodicWriter"]
