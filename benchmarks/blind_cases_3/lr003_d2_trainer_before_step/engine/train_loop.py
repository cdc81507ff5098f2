"""Minimal iteration-based training loop with hooks (modelled on detectron2.engine.train_loop)."""
import logging
import time
import weakref

import torch

logger = logging.getLogger(__name__)


class HookBase:
    """Base class for hooks that can be registered with :class:`TrainerBase`.

    Each hook can implement 4 methods. The way they are called is::

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


class EventStorage:
    """A tiny stand-in for detectron2's EventStorage: keeps the latest scalars."""

    def __init__(self, start_iter=0):
        self.iter = start_iter
        self._latest = {}
        self._history = {}

    def put_scalar(self, name, value):
        value = float(value)
        self._latest[name] = value
        self._history.setdefault(name, []).append((self.iter, value))

    def put_scalars(self, **kwargs):
        for k, v in kwargs.items():
            self.put_scalar(k, v)

    def latest(self):
        return dict(self._latest)

    def history(self, name):
        return list(self._history.get(name, []))


class TrainerBase:
    """Base class for an iterative trainer with hooks.

    Attributes:
        iter (int): the current iteration.
        start_iter (int): the iteration to start with. By convention the minimum possible value is 0.
        max_iter (int): the iteration to end training.
    """

    def __init__(self):
        self._hooks = []
        self.iter = 0
        self.start_iter = 0
        self.max_iter = 0
        self.storage = None

    def register_hooks(self, hooks):
        hooks = [h for h in hooks if h is not None]
        for h in hooks:
            assert isinstance(h, HookBase)
            # a weak proxy avoids a circular reference trainer -> hook -> trainer
            h.trainer = weakref.proxy(self)
        self._hooks.extend(hooks)

    def train(self, start_iter, max_iter):
        logger.info("Starting training from iteration %d", start_iter)
        self.iter = self.start_iter = start_iter
        self.max_iter = max_iter

        self.storage = EventStorage(start_iter)
        try:
            self.before_train()
            for self.iter in range(start_iter, max_iter):
                self.storage.iter = self.iter
                self.before_step()
                self.run_step()
                self.after_step()
            # self.iter == max_iter can be used by `after_train` to tell whether the training
            # successfully finished or failed due to exceptions.
            self.iter += 1
        except Exception:
            logger.exception("Exception during training:")
            raise
        finally:
            self.after_train()

    def before_train(self):
        for h in self._hooks:
            h.before_train()

    def after_train(self):
        self.storage.iter = self.iter
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
    """A trainer for the most common type of task: single-cost single-optimizer single-data-source.

    It assumes that every step you:
    1. compute the loss with a data from the data_loader;
    2. compute the gradients with the above loss;
    3. update the model with the optimizer.
    """

    def __init__(self, model, data_loader, optimizer):
        super().__init__()
        model.train()
        self.model = model
        self.data_loader = data_loader
        self._data_loader_iter_obj = None
        self.optimizer = optimizer

    @property
    def _data_loader_iter(self):
        if self._data_loader_iter_obj is None:
            self._data_loader_iter_obj = _infinite(self.data_loader)
        return self._data_loader_iter_obj

    def run_step(self):
        assert self.model.training, "[SimpleTrainer] model was changed to eval mode!"
        start = time.perf_counter()
        data = next(self._data_loader_iter)
        data_time = time.perf_counter() - start

        loss_dict = self.model(data)
        if isinstance(loss_dict, torch.Tensor):
            losses = loss_dict
            loss_dict = {"total_loss": loss_dict}
        else:
            losses = sum(loss_dict.values())

        self.optimizer.zero_grad()
        losses.backward()

        self._write_metrics(loss_dict, data_time)
        self.optimizer.step()

    def _write_metrics(self, loss_dict, data_time):
        metrics = {k: v.detach().item() for k, v in loss_dict.items()}
        total = sum(metrics.values())
        if not torch.isfinite(torch.tensor(total)):
            raise FloatingPointError(
                f"Loss became infinite or NaN at iteration={self.iter}!\nloss_dict = {metrics}"
            )
        self.storage.put_scalar("data_time", data_time)
        self.storage.put_scalar("total_loss", total)
        if len(metrics) > 1:
            self.storage.put_scalars(**metrics)


def _infinite(loader):
    while True:
        yield from loader
