import logging

import torch
import torch.nn as nn

logger = logging.getLogger(__name__)


class BaseTrainer:
    """Template for the training loop.

    ``train()`` calls, for every batch, ``before_iter()``, ``run_step()`` and ``after_iter()``, and
    ``on_epoch_end()`` after each epoch. The current batch lives in ``self.batch`` so that a hook
    can replace it before ``run_step`` sees it.
    """

    def __init__(self, model, train_loader, args):
        self.model = model
        self.train_loader = train_loader
        self.args = args
        self.criterion = nn.CrossEntropyLoss()
        self.optimizer = self.configure_optimizer()
        self.epoch = 0
        self.step = 0
        self.batch = None
        self.log = []

    def configure_optimizer(self):
        return torch.optim.SGD(self.model.parameters(), lr=self.args.lr, momentum=0.9,
                               weight_decay=self.args.weight_decay)

    def before_iter(self):
        pass

    def loss_fn(self, outputs):
        _, targets = self.batch
        return self.criterion(outputs, targets)

    def run_step(self):
        inputs, _ = self.batch
        outputs = self.model(inputs)
        loss = self.loss_fn(outputs)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.last_loss = loss.item()

    def after_iter(self):
        pass

    def on_epoch_end(self):
        pass

    def train(self):
        self.model.train()
        for self.epoch in range(self.args.epochs):
            for self.batch in self.train_loader:
                self.before_iter()
                self.run_step()
                self.after_iter()
                self.step += 1
            self.on_epoch_end()
            logger.info("epoch %d/%d  loss %.4f  lr %.5f", self.epoch + 1, self.args.epochs,
                        self.last_loss, self.optimizer.param_groups[0]["lr"])
