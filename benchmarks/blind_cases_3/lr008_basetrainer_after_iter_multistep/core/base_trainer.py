"""Generic epoch-based trainer. Task trainers subclass it and override the hooks they need."""
import json
import os
import time
from abc import ABC, abstractmethod

import torch


class AverageMeter:
    def __init__(self):
        self.reset()

    def reset(self):
        self.sum = 0.0
        self.count = 0

    def update(self, val, n=1):
        self.sum += val * n
        self.count += n

    @property
    def avg(self):
        return self.sum / max(self.count, 1)


class BaseTrainer(ABC):
    """Owns the loop::

        for epoch in range(start_epoch, epochs):
            on_epoch_start()
            for batch in train_loader:
                before_iter(); run_step(batch); after_iter()
            on_epoch_end()
    """

    def __init__(self, cfg, output_dir):
        self.cfg = cfg
        self.output_dir = output_dir
        os.makedirs(output_dir, exist_ok=True)
        self.device = torch.device("cuda" if torch.cuda.is_available() and not cfg["cpu"] else "cpu")
        self.model = self.build_model().to(self.device)
        self.optimizer = self.build_optimizer(self.model)
        self.scheduler = self.build_scheduler(self.optimizer)
        self.train_loader, self.val_loader = self.build_loaders()
        self.start_epoch = 0
        self.epoch = 0
        self.global_step = 0
        self.loss_meter = AverageMeter()
        self.history = []

    @abstractmethod
    def build_model(self):
        ...

    @abstractmethod
    def build_optimizer(self, model):
        ...

    def build_scheduler(self, optimizer):
        return None

    @abstractmethod
    def build_loaders(self):
        ...

    @abstractmethod
    def compute_loss(self, batch):
        ...

    def on_epoch_start(self):
        self.loss_meter.reset()
        self.model.train()

    def before_iter(self):
        pass

    def run_step(self, batch):
        loss = self.compute_loss(batch)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.loss_meter.update(loss.item(), n=batch[0].size(0))

    def after_iter(self):
        self.global_step += 1

    def on_epoch_end(self):
        record = {"epoch": self.epoch, "train_loss": self.loss_meter.avg,
                  "lr": self.optimizer.param_groups[0]["lr"]}
        self.history.append(record)
        print(json.dumps(record), flush=True)

    def save_checkpoint(self, name="last.pth"):
        state = {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                 "epoch": self.epoch}
        if self.scheduler is not None:
            state["scheduler"] = self.scheduler.state_dict()
        torch.save(state, os.path.join(self.output_dir, name))

    def train(self):
        tic = time.time()
        for self.epoch in range(self.start_epoch, self.cfg["epochs"]):
            self.on_epoch_start()
            for batch in self.train_loader:
                batch = tuple(t.to(self.device, non_blocking=True) for t in batch)
                self.before_iter()
                self.run_step(batch)
                self.after_iter()
            self.on_epoch_end()
        self.save_checkpoint()
        print(f"training took {time.time() - tic:.1f}s", flush=True)
