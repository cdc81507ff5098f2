import logging
import time

from .train_loop import HookBase

logger = logging.getLogger(__name__)


class IterationTimer(HookBase):
    """Track the time spent for each iteration and print a summary at the end of training."""

    def __init__(self, warmup_iter=3):
        self._warmup_iter = warmup_iter
        self._step_start = None
        self._times = []

    def before_train(self):
        self._start = time.perf_counter()

    def before_step(self):
        self._step_start = time.perf_counter()

    def after_step(self):
        if self.trainer.iter + 1 - self.trainer.start_iter > self._warmup_iter:
            self._times.append(time.perf_counter() - self._step_start)
        self.trainer.storage.put_scalar("time", time.perf_counter() - self._step_start)

    def after_train(self):
        total = time.perf_counter() - self._start
        if self._times:
            logger.info(
                "Overall training speed: %d iterations in %.2fs (%.4f s / it)",
                len(self._times), total, sum(self._times) / len(self._times),
            )


class PeriodicWriter(HookBase):
    """Print the latest scalars every ``period`` iterations and at the end."""

    def __init__(self, period=20):
        self._period = period

    def after_step(self):
        it = self.trainer.iter
        if (it + 1) % self._period == 0 or it == self.trainer.max_iter - 1:
            latest = self.trainer.storage.latest()
            msg = "  ".join(f"{k}: {v:.4g}" for k, v in sorted(latest.items()))
            print(f"iter: {it + 1}/{self.trainer.max_iter}  {msg}", flush=True)
