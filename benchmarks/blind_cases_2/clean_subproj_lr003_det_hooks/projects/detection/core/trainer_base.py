import logging
import time
import weakref

import torch


class HookBase:
    """Base class for hooks that can be registered with TrainerBase.

    Each hook can implement 4 methods, called as:
        hook.before_train()
        for iter in range(start_iter, max_iter):
            hook.before_step()
            trainer.run_step()
            hook.after_step()
        hook.after_train()
    """

    trainer = None

    def before_train(self):
        pass

    def after_train(self):
        pass

    def before_step(self):
        pass

    def after_step(self):
        pass


class TrainerBase:
    def __init__(self):
        self._hooks = []
        self.iter = 0
        self.start_iter = 0
        self.max_iter = 0
        self.storage = {}

    def register_hooks(self, hooks):
        hooks = [h for h in hooks if h is not None]
        for h in hooks:
            h.trainer = weakref.proxy(self)
        self._hooks.extend(hooks)

    def train(self, start_iter, max_iter):
        logger = logging.getLogger(__name__)
        logger.info("Starting training from iteration %d", start_iter)
        self.iter = self.start_iter = start_iter
        self.max_iter = max_iter
        self.before_train()
        for self.iter in range(start_iter, max_iter):
            self.before_step()
            self.run_step()
            self.after_step()
        self.iter += 1
        self.after_train()

    def before_train(self):
        for h in self._hooks:
            h.before_train()

    def after_train(self):
        for h in self._hooks:
            h.after_train()

    def before_step(self):
        for h in self._hooks:
            h.before_step()

    def after_step(self):
        for h in self._hooks:
            h.after_step()

    def run_step(self):
        raise NotImplementedError


class SimpleTrainer(TrainerBase):
    """One optimizer update per iteration on the sum of the model's loss dict."""

    def __init__(self, model, data_loader, optimizer):
        super().__init__()
        model.train()
        self.model = model
        self.data_loader = data_loader
        self._data_loader_iter = None
        self.optimizer = optimizer

    def _next_batch(self):
        if self._data_loader_iter is None:
            self._data_loader_iter = iter(self.data_loader)
        try:
            return next(self._data_loader_iter)
        except StopIteration:
            self._data_loader_iter = iter(self.data_loader)
            return next(self._data_loader_iter)

    def run_step(self):
        start = time.perf_counter()
        data = self._next_batch()
        data_time = time.perf_counter() - start

        loss_dict = self.model(*data)
        losses = sum(loss_dict.values())
        if not torch.isfinite(losses):
            raise FloatingPointError(f"Loss became infinite or NaN at iteration={self.iter}: {loss_dict}")

        self.optimizer.zero_grad()
        losses.backward()
        self.optimizer.step()

        self.storage.update({k: v.item() for k, v in loss_dict.items()})
        self.storage["data_time"] = data_time
