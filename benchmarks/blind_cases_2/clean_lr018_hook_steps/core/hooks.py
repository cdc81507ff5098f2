import json
import os
import time


class Hook:
    priority = 50

    def before_run(self, runner):
        pass

    def after_run(self, runner):
        pass

    def before_train_epoch(self, runner):
        pass

    def after_train_epoch(self, runner):
        pass

    def after_train_iter(self, runner):
        pass


class LrSchedulerHook(Hook):
    """Advances an epoch-based torch scheduler at the end of every training epoch."""

    priority = 10

    def __init__(self, scheduler):
        self.scheduler = scheduler

    def after_train_epoch(self, runner):
        self.scheduler.step()
        runner.log_buffer["lr"] = self.scheduler.get_last_lr()[0]


class TextLoggerHook(Hook):
    priority = 90

    def __init__(self, interval=50, work_dir=None):
        self.interval = interval
        self.work_dir = work_dir
        self._t = None

    def before_train_epoch(self, runner):
        self._t = time.time()

    def after_train_iter(self, runner):
        if (runner.inner_iter + 1) % self.interval == 0:
            print(f"Epoch [{runner.epoch + 1}][{runner.inner_iter + 1}/{runner.iters_per_epoch}] "
                  f"lr: {runner.current_lr():.5f} loss: {runner.outputs['loss']:.4f}")

    def after_train_epoch(self, runner):
        rec = {"epoch": runner.epoch + 1, "time": time.time() - self._t, **runner.log_buffer}
        print(json.dumps(rec))
        if self.work_dir:
            with open(os.path.join(self.work_dir, "log.json"), "a") as f:
                f.write(json.dumps(rec) + "\n")


class CheckpointHook(Hook):
    def __init__(self, interval=10, work_dir="."):
        self.interval = interval
        self.work_dir = work_dir

    def after_train_epoch(self, runner):
        if (runner.epoch + 1) % self.interval == 0:
            runner.save_checkpoint(os.path.join(self.work_dir, f"epoch_{runner.epoch + 1}.pth"))
