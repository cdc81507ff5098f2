import argparse

import torch
from timm.scheduler import PlateauLRScheduler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split


def validate(model, loader):
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for x, y in loader:
            total += nn.functional.mse_loss(model(x), y, reduction="sum").item()
            count += x.size(0)
    return total / count


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--patience", type=int, default=5)
    p.add_argument("--n", type=int, default=10000)
    args = p.parse_args()

    torch.manual_seed(0)
    x = torch.randn(args.n, 6)
    y = x @ torch.randn(6, 1)
    train_set, val_set = random_split(TensorDataset(x, y), [0.9, 0.1])
    train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=256)
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    lr_scheduler = PlateauLRScheduler(optimizer, decay_rate=0.5, patience_t=args.patience, lr_min=1e-6)

    for epoch in range(args.epochs):
        model.train()
        for xb, yb in train_loader:
            loss = nn.functional.mse_loss(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        val_loss = validate(model, val_loader)
        lr_scheduler.step(epoch + 1, val_loss)
        print(f"epoch {epoch} val_loss {val_loss:.5f} lr {optimizer.param_groups[0]['lr']:.2e}")


if __name__ == "__main__":
    main()
