import json
import sys

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from schedulers import build_schedulers

DEFAULTS = {"max_lr": 3e-3, "epochs": 30, "patience": 2, "n": 20000, "batch_size": 64}


def main():
    cfg = dict(DEFAULTS, **(json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}))
    torch.manual_seed(0)
    x, y = torch.randn(cfg["n"], 10), torch.randn(cfg["n"], 1)
    x_val, y_val = torch.randn(cfg["n"] // 4, 10), torch.randn(cfg["n"] // 4, 1)
    train_loader = DataLoader(TensorDataset(x, y), batch_size=cfg["batch_size"], shuffle=True)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg["max_lr"])
    batch_scheduler, epoch_scheduler = build_schedulers(cfg, optimizer, len(train_loader))

    for epoch in range(cfg["epochs"]):
        for xb, yb in train_loader:
            loss = nn.functional.mse_loss(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            batch_scheduler.step()
        with torch.no_grad():
            val_loss = nn.functional.mse_loss(model(x_val), y_val).item()
        epoch_scheduler.step(val_loss)
        print(f"epoch {epoch} val {val_loss:.4f}")


if __name__ == "__main__":
    main()
