from ..registry import HOOKS
from .hook import Hook


@HOOKS.register_module()
class LoggerHook(Hook):
    priority = "BELOW_NORMAL"

    def __init__(self, interval=50):
        self.interval = interval

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if self.every_n_train_iters(runner, self.interval) or runner.iter + 1 == runner.max_iters:
            lr = runner.optim_wrapper.get_lr()[0]
            loss = float(outputs["loss"])
            print(f"Epoch(train) [{runner.epoch + 1}][{batch_idx + 1}/{len(runner.train_dataloader)}]"
                  f"  iter: {runner.iter + 1}/{runner.max_iters}  lr: {lr:.4e}  loss: {loss:.4f}",
                  flush=True)
