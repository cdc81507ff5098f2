from .lr import LRSchedulerHandler
from .logging import ProgressLogger

__all__ = ["LRSchedulerHandler", "ProgressLogger"]
