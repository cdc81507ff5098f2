from mmlite.hooks import Hook
from mmlite.registry import HOOKS


@HOOKS.register_module()
class LrMonitorHook(Hook):
    """Puts the LR of the coming iteration into the message hub, for loggers and visualizers.

    It only reads the scheduler; ``WarmupPolyLrHook`` is the one that steps it.
    """

    priority = "LOW"

    def __init__(self, group_index=0):
        self.group_index = group_index
        self.history = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        lr = runner.param_scheduler.get_last_lr()[self.group_index]
        runner.message_hub["train/lr"] = lr
        self.history.append((runner.iter, lr))
