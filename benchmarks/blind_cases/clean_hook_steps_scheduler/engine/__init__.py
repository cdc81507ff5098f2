from .hooks import LRScheduler, PeriodicWriter
from .train_loop import SimpleTrainer
