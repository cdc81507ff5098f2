import argparse
import copy

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from config import CONFIG
from lr_scheduler import build_scheduler


def train_one_epoch(model, loader, optimizer, lr_scheduler, epoch):
    num_steps = len(loader)
    for idx, (samples, targets) in enumerate(loader):
        loss = nn.functional.cross_entropy(model(samples), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        lr_scheduler.step_update(epoch * num_steps + idx)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--opts", nargs="*", default=[], help="section.key=value overrides")
    cfg = copy.deepcopy(CONFIG)
    for item in parser.parse_args().opts:
        key, value = item.split("=")
        section, name = key.split(".")
        cfg[section][name] = type(cfg[section][name])(value)

    n, c = cfg["data"]["num_samples"], cfg["data"]["num_classes"]
    loader = DataLoader(TensorDataset(torch.randn(n, 32), torch.randint(0, c, (n,))),
                        batch_size=cfg["train"]["batch_size"], shuffle=True, drop_last=True)
    model = nn.Linear(32, c)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg["train"]["base_lr"],
                                  weight_decay=cfg["train"]["weight_decay"])
    lr_scheduler = build_scheduler(cfg, optimizer, len(loader))
    for epoch in range(cfg["train"]["epochs"]):
        train_one_epoch(model, loader, optimizer, lr_scheduler, epoch)


if __name__ == "__main__":
    main()
