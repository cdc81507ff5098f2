from torch.optim.lr_scheduler import LambdaLR

from mmlite.hooks import Hook
from mmlite.registry import HOOKS


def warmup_poly_lambda(max_iters, power=0.9, warmup_iters=1500, warmup_ratio=1e-3, min_ratio=1e-4):
    def fn(it):
        coeff = (1 - min(it, max_iters) / max_iters) ** power
        regular = (1 - min_ratio) * coeff + min_ratio
        if it < warmup_iters:
            # linear warmup towards the regular (poly) value, as mmcv's LrUpdaterHook does
            k = (1 - it / warmup_iters) * (1 - warmup_ratio)
            return regular * (1 - k)
        return regular

    return fn


@HOOKS.register_module()
class WarmupPolyLrHook(Hook):
    """Drives the runner's per-iteration poly LR schedule (with linear warmup).

    The scheduler is created in ``before_train`` because the total number of iterations is only
    known once the runner exists. It is stored on the runner as ``runner.param_scheduler`` so that
    checkpoint hooks can save it.
    """

    priority = "VERY_HIGH"

    def __init__(self, power=0.9, warmup_iters=1500, warmup_ratio=1e-3, min_ratio=1e-4):
        self.power = power
        self.warmup_iters = warmup_iters
        self.warmup_ratio = warmup_ratio
        self.min_ratio = min_ratio

    def before_train(self, runner):
        if runner.param_scheduler is None:
            fn = warmup_poly_lambda(runner.max_iters, self.power, self.warmup_iters,
                                    self.warmup_ratio, self.min_ratio)
            runner.param_scheduler = LambdaLR(runner.optim_wrapper.optimizer, fn)

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        runner.param_scheduler.step()
