"""Schedulers for BERT-style pretraining. All are stepped once per optimizer update."""
import torch


class LRScheduler(torch.optim.lr_scheduler.LRScheduler):
    """Project base: remembers the step count as a float so progress can be queried."""

    def __init__(self, optimizer, last_epoch=-1):
        super().__init__(optimizer, last_epoch)

    @property
    def progress(self):
        return float(self.last_epoch)


class LinearWarmUpScheduler(LRScheduler):
    """Linear warmup over `warmup` (a fraction of total_steps), then linear decay to 0."""

    def __init__(self, optimizer, warmup, total_steps, last_epoch=-1):
        self.warmup = warmup
        self.total_steps = total_steps
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        progress = self.last_epoch / self.total_steps
        if progress < self.warmup:
            return [base_lr * progress / self.warmup for base_lr in self.base_lrs]
        return [base_lr * max((progress - 1.0) / (self.warmup - 1.0), 0.0) for base_lr in self.base_lrs]


class PolyScheduler(LRScheduler):
    def __init__(self, optimizer, total_steps, degree=0.5, last_epoch=-1):
        self.total_steps = total_steps
        self.degree = degree
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        progress = min(self.last_epoch / self.total_steps, 1.0)
        return [base_lr * (1.0 - progress) ** self.degree for base_lr in self.base_lrs]
