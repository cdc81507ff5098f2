import logging
import time

from core.trainer_base import HookBase

logger = logging.getLogger(__name__)


class IterationTimer(HookBase):
    def before_step(self):
        self._start = time.perf_counter()

    def after_step(self):
        self.trainer.storage["time"] = time.perf_counter() - self._start


class LRScheduler(HookBase):
    """Records the LR used by this iteration, then advances the scheduler after the update."""

    def __init__(self, optimizer, scheduler):
        self._optimizer = optimizer
        self._scheduler = scheduler

    def before_step(self):
        self.trainer.storage["lr"] = self._scheduler.get_last_lr()[0]

    def after_step(self):
        self._scheduler.step()


class PeriodicWriter(HookBase):
    def __init__(self, period=20):
        self._period = period

    def after_step(self):
        it = self.trainer.iter + 1
        if it % self._period == 0 or it == self.trainer.max_iter:
            s = self.trainer.storage
            losses = "  ".join(f"{k}: {v:.4f}" for k, v in s.items() if k.startswith("loss"))
            logger.info("iter: %d  %s  time: %.4f  lr: %.6f", it, losses, s.get("time", 0.0), s["lr"])
