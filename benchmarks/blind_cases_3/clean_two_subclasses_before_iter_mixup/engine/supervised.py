import math

from torch.optim.lr_scheduler import LambdaLR

from .base import BaseTrainer


def warmup_cosine(total_steps, warmup_steps, min_factor=0.0):
    def fn(step):
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return min_factor + (1 - min_factor) * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))

    return fn


class SupervisedTrainer(BaseTrainer):
    """Plain cross-entropy training with a per-step warmup + cosine schedule."""

    def __init__(self, model, train_loader, args):
        super().__init__(model, train_loader, args)
        total = args.epochs * len(train_loader)
        self.scheduler = LambdaLR(self.optimizer, warmup_cosine(total, args.warmup_steps))

    def after_iter(self):
        self.scheduler.step()
        if self.step % self.args.log_interval == 0:
            self.log.append((self.step, self.last_loss, self.scheduler.get_last_lr()[0]))
