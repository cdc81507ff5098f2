import argparse
import json

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from engine import LRScheduler, PeriodicWriter, SimpleTrainer
from solver import build_lr_scheduler, build_optimizer

CFG = {"base_lr": 0.02, "steps": [60000, 80000], "max_iter": 90000, "batch_size": 16}


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(10, 3)

    def forward(self, x, y):
        return nn.functional.cross_entropy(self.fc(x), y)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfg", default="{}")
    cfg = dict(CFG, **json.loads(ap.parse_args().cfg))
    model = Model()
    optimizer = build_optimizer(cfg, model)
    scheduler = build_lr_scheduler(cfg, optimizer)
    data = TensorDataset(torch.randn(1024, 10), torch.randint(0, 3, (1024,)))
    trainer = SimpleTrainer(model, DataLoader(data, batch_size=cfg["batch_size"], shuffle=True), optimizer)
    trainer.register_hooks([LRScheduler(optimizer, scheduler), PeriodicWriter()])
    trainer.train(0, cfg["max_iter"])


if __name__ == "__main__":
    main()
