import time

from ..registry import HOOKS
from .hook import Hook


@HOOKS.register_module()
class IterTimerHook(Hook):
    priority = "NORMAL"

    def before_train_epoch(self, runner):
        self.t = time.time()

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        runner.message_hub["data_time"] = time.time() - self.t

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        runner.message_hub["time"] = time.time() - self.t
        self.t = time.time()
