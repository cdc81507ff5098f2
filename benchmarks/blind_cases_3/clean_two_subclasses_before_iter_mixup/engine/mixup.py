import torch
from torch.optim.lr_scheduler import StepLR

from .base import BaseTrainer


class MixupTrainer(BaseTrainer):
    """Mixup training: every batch is mixed with a shuffled copy of itself before the step.

    Keeps the classic epoch schedule: x0.1 every ``args.lr_step_epochs`` epochs.
    """

    def __init__(self, model, train_loader, args):
        super().__init__(model, train_loader, args)
        self.scheduler = StepLR(self.optimizer, step_size=args.lr_step_epochs, gamma=0.1)
        self.beta = torch.distributions.Beta(args.mixup_alpha, args.mixup_alpha)

    def before_iter(self):
        inputs, targets = self.batch
        lam = float(self.beta.sample())
        perm = torch.randperm(inputs.size(0))
        mixed = lam * inputs + (1 - lam) * inputs[perm]
        self.batch = (mixed, (targets, targets[perm], lam))
        if self.step % self.args.log_interval == 0:
            self.log.append((self.step, lam, self.optimizer.param_groups[0]["lr"]))

    def loss_fn(self, outputs):
        _, (y_a, y_b, lam) = self.batch
        return lam * self.criterion(outputs, y_a) + (1 - lam) * self.criterion(outputs, y_b)

    def on_epoch_end(self):
        self.scheduler.step()
