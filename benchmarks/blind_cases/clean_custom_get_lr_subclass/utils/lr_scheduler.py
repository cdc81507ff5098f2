import math

from torch.optim.lr_scheduler import LRScheduler


class WarmupPolyLR(LRScheduler):
    """Linear warmup, then polynomial decay; closed form in last_epoch (iterations)."""

    def __init__(self, optimizer, max_iters, power=0.9, warmup_iters=1000, warmup_factor=1e-3, last_epoch=-1):
        self.max_iters = max_iters
        self.power = power
        self.warmup_iters = warmup_iters
        self.warmup_factor = warmup_factor
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        it = self.last_epoch
        if it < self.warmup_iters:
            alpha = it / self.warmup_iters
            factor = self.warmup_factor * (1 - alpha) + alpha
        else:
            factor = math.pow(1 - (it - self.warmup_iters) / (self.max_iters - self.warmup_iters), self.power)
        return [base_lr * factor for base_lr in self.base_lrs]


class ScaledWarmupPolyLR(WarmupPolyLR):
    """Same curve with a per-run scale (e.g. for a longer schedule at a lower peak)."""

    def __init__(self, optimizer, max_iters, scale=1.0, **kwargs):
        self.scale = scale
        super().__init__(optimizer, max_iters, **kwargs)

    def get_lr(self):
        return [lr * self.scale for lr in super().get_lr()]
