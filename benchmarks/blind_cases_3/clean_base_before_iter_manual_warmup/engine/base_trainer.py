"""Base trainer with the LR policy built in (no torch scheduler).

The LR of every iteration is computed from the iteration index in ``before_iter`` and written to
the param groups before the step runs: linear warmup from ``warmup_ratio * lr`` over
``warmup_iters`` iterations, then cosine decay to ``min_lr_ratio * lr`` at ``max_iters``.
Every param group scales its own ``initial_lr`` (so per-group LR multipliers are kept).
"""
import math
import time


class BaseTrainer:
    def __init__(self, cfg):
        self.cfg = cfg
        self.model = self.build_model()
        self.optimizer = self.build_optimizer()
        self.train_loader = self.build_train_loader()
        for group in self.optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.epoch = 0
        self.iter = 0
        self.max_epoch = cfg.max_epoch
        self.iters_per_epoch = len(self.train_loader)
        self.max_iters = self.max_epoch * self.iters_per_epoch
        self.warmup_iters = cfg.warmup_epochs * self.iters_per_epoch

    def build_model(self):
        raise NotImplementedError

    def build_optimizer(self):
        raise NotImplementedError

    def build_train_loader(self):
        raise NotImplementedError

    def run_step(self, batch):
        raise NotImplementedError

    def lr_factor(self, it):
        if it < self.warmup_iters:
            alpha = it / self.warmup_iters
            return self.cfg.warmup_ratio * (1 - alpha) + alpha
        progress = (it - self.warmup_iters) / max(1, self.max_iters - self.warmup_iters)
        min_ratio = self.cfg.min_lr_ratio
        return min_ratio + (1 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))

    def before_iter(self):
        factor = self.lr_factor(self.iter)
        for param_group in self.optimizer.param_groups:
            lr = param_group["initial_lr"] * factor
            param_group["lr"] = lr

    def after_iter(self):
        self.iter += 1

    def on_epoch_end(self):
        lr = self.optimizer.param_groups[0]["lr"]
        print(f"epoch {self.epoch + 1}/{self.max_epoch} iter {self.iter} lr {lr:.6f} "
              f"({time.time() - self._tic:.1f}s)", flush=True)

    def train(self):
        self.model.train()
        for self.epoch in range(self.epoch, self.max_epoch):
            self._tic = time.time()
            for batch in self.train_loader:
                self.before_iter()
                self.run_step(batch)
                self.after_iter()
            self.on_epoch_end()
