import sys

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from configs import get_config
from solver import make_optimizer, make_scheduler


def parse_overrides(argv):
    overrides = {}
    for item in argv:
        key, value = item.split("=")
        overrides[key] = type(eval(value))(eval(value))
    return overrides


def main():
    cfg = get_config(**parse_overrides(sys.argv[1:]))
    x = torch.randn(cfg.num_samples, 10)
    loader = DataLoader(TensorDataset(x, x.sum(1, keepdim=True)), batch_size=cfg.batch_size)
    model = nn.Linear(10, 1)
    optimizer = make_optimizer(cfg, model)
    scheduler = make_scheduler(cfg, optimizer)
    for epoch in range(cfg.solver.epochs):
        for xb, yb in loader:
            loss = nn.functional.mse_loss(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        scheduler.step()
        print(f"[{epoch:03d}] loss {loss.item():.4f} lr {scheduler.get_last_lr()[0]:.2e}")


if __name__ == "__main__":
    main()
