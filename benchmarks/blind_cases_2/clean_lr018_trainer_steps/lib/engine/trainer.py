import datetime
import logging
import os
import time

import torch
import torch.nn.functional as F


class Trainer:
    """Iteration-based trainer: owns the model, optimizer and LR scheduler."""

    def __init__(self, model, optimizer, scheduler, data_loader, max_iter,
                 checkpoint_period=2500, log_period=20, output_dir="."):
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.data_loader = data_loader
        self.max_iter = max_iter
        self.checkpoint_period = checkpoint_period
        self.log_period = log_period
        self.output_dir = output_dir
        self.iteration = 0
        self.logger = logging.getLogger("trainer")

    def _infinite_loader(self):
        while True:
            for batch in self.data_loader:
                yield batch

    def run_step(self, images, targets):
        logits = self.model(images)
        loss = F.cross_entropy(logits, targets)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.scheduler.step()
        return loss.detach()

    def save(self, name):
        path = os.path.join(self.output_dir, name)
        torch.save({
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "iteration": self.iteration,
        }, path)
        self.logger.info("Saved checkpoint to %s", path)

    def train(self):
        self.logger.info("Start training")
        self.model.train()
        start = time.time()
        for images, targets in self._infinite_loader():
            if self.iteration >= self.max_iter:
                break
            loss = self.run_step(images, targets)
            self.iteration += 1
            if self.iteration % self.log_period == 0 or self.iteration == self.max_iter:
                self.logger.info("iter: %d  loss: %.4f  lr: %.6f", self.iteration, loss.item(),
                                 self.optimizer.param_groups[0]["lr"])
            if self.iteration % self.checkpoint_period == 0:
                self.save("model_{:07d}.pth".format(self.iteration))
        self.save("model_final.pth")
        total = time.time() - start
        self.logger.info("Total training time: %s", datetime.timedelta(seconds=int(total)))
