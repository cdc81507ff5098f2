import os

import torch
from torch import nn


class Trainer:
    def __init__(self, model, train_loader, args):
        self.model = model
        self.train_loader = train_loader
        self.args = args
        self.optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.5, 0.999))
        self.lr_scheduler = torch.optim.lr_scheduler.StepLR(self.optimizer, step_size=args.lr_step, gamma=0.5)
        self.epoch = 0

    def train_epoch(self):
        self.model.train()
        for x, y in self.train_loader:
            loss = nn.functional.l1_loss(self.model(x), y)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
        return loss.item()

    def save(self):
        os.makedirs(self.args.save_dir, exist_ok=True)
        torch.save({
            "epoch": self.epoch,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "lr_scheduler": self.lr_scheduler.state_dict(),
        }, os.path.join(self.args.save_dir, "latest.pth"))

    def run(self):
        while self.epoch < self.args.epochs:
            loss = self.train_epoch()
            self.epoch += 1
            self.save()
            print(f"epoch {self.epoch} l1 {loss:.4f}")
