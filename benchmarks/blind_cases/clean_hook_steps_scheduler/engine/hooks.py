class HookBase:
    trainer = None

    def before_train(self):
        pass

    def after_step(self):
        pass


class LRScheduler(HookBase):
    """Steps the LR scheduler after every iteration and records the LR."""

    def __init__(self, optimizer, scheduler):
        self._optimizer = optimizer
        self._scheduler = scheduler

    def after_step(self):
        lr = self._optimizer.param_groups[0]["lr"]
        self.trainer.storage["lr"] = lr
        self._scheduler.step()


class PeriodicWriter(HookBase):
    def __init__(self, period=20):
        self.period = period

    def after_step(self):
        if (self.trainer.iter + 1) % self.period == 0:
            print(f"iter {self.trainer.iter} " + " ".join(f"{k} {v:.4g}" for k, v in self.trainer.storage.items()))
