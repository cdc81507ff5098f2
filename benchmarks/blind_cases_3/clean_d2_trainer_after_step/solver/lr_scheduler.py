from bisect import bisect_right

from torch.optim.lr_scheduler import LambdaLR


def _warmup_factor_at_iter(method, it, warmup_iters, warmup_factor):
    """Return the LR multiplier of the warmup at iteration ``it``."""
    if it >= warmup_iters:
        return 1.0
    if method == "constant":
        return warmup_factor
    if method == "linear":
        alpha = it / warmup_iters
        return warmup_factor * (1 - alpha) + alpha
    raise ValueError(f"Unknown warmup method: {method}")


class WarmupMultiStepLR(LambdaLR):
    """Linear warmup followed by step decay at the given iterations (iteration-counted)."""

    def __init__(self, optimizer, milestones, gamma=0.1, warmup_factor=0.001, warmup_iters=1000,
                 warmup_method="linear", last_epoch=-1):
        if list(milestones) != sorted(milestones):
            raise ValueError(f"Milestones should be a list of increasing integers. Got {milestones}")
        self.milestones = list(milestones)
        self.gamma = gamma
        self.warmup_factor = warmup_factor
        self.warmup_iters = warmup_iters
        self.warmup_method = warmup_method
        super().__init__(optimizer, self._factor, last_epoch=last_epoch)

    def _factor(self, it):
        warm = _warmup_factor_at_iter(self.warmup_method, it, self.warmup_iters, self.warmup_factor)
        return warm * self.gamma ** bisect_right(self.milestones, it)
