import argparse
import json

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from engine import do_train_epoch
from solver import build_lr_scheduler, build_optimizer

CFG = {"base_lr": 0.02, "min_lr": 1e-4, "max_epochs": 24, "weight_decay": 1e-4, "batch_size": 16, "n": 11800}


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(12, 4)

    def forward(self, images, targets):
        return nn.functional.cross_entropy(self.fc(images), targets)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfg", default="{}")
    cfg = dict(CFG, **json.loads(ap.parse_args().cfg))
    loader = DataLoader(TensorDataset(torch.randn(cfg["n"], 12), torch.randint(0, 4, (cfg["n"],))),
                        batch_size=cfg["batch_size"], shuffle=True)
    model = Model()
    optimizer = build_optimizer(cfg, model)
    scheduler = build_lr_scheduler(cfg, optimizer, len(loader))
    for epoch in range(cfg["max_epochs"]):
        do_train_epoch(model, loader, optimizer, scheduler, epoch)


if __name__ == "__main__":
    main()
