import argparse
import json

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from engine import do_train
from solver import build_lr_scheduler, build_optimizer

DEFAULT_CFG = {
    "base_lr": 0.02, "bias_lr_factor": 2.0, "weight_decay": 1e-4, "momentum": 0.9,
    "steps": [60000, 80000], "gamma": 0.1, "warmup_factor": 1.0 / 3, "warmup_iters": 500,
    "max_iter": 90000, "ims_per_batch": 16,
}


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(20, 3)

    def forward(self, images, targets):
        return nn.functional.cross_entropy(self.body(images), targets)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="{}", help="JSON overrides")
    cfg = dict(DEFAULT_CFG, **json.loads(parser.parse_args().config))
    model = Model()
    optimizer = build_optimizer(cfg, model)
    scheduler = build_lr_scheduler(cfg, optimizer)
    n = cfg["max_iter"] * cfg["ims_per_batch"]
    data_loader = DataLoader(TensorDataset(torch.randn(n, 20), torch.randint(0, 3, (n,))),
                             batch_size=cfg["ims_per_batch"], shuffle=True)
    do_train(cfg, model, data_loader, optimizer)


if __name__ == "__main__":
    main()
