import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from solver import build_scheduler


def evaluate(model, loader):
    model.eval()
    wrong = total = 0
    with torch.no_grad():
        for x, y in loader:
            wrong += (model(x).argmax(1) != y).sum().item()
            total += y.numel()
    return wrong / total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--patience", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--n", type=int, default=20000)
    args = ap.parse_args()

    torch.manual_seed(0)
    x = torch.randn(args.n, 16)
    y = (x[:, :4].sum(1) > 0).long()
    loader = DataLoader(TensorDataset(x, y), batch_size=128, shuffle=True)
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    scheduler = build_scheduler(args, optimizer)
    for epoch in range(args.epochs):
        model.train()
        for xb, yb in loader:
            loss = nn.functional.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        top1_err = evaluate(model, loader)
        scheduler.step(top1_err)
        print(f"epoch {epoch} top1_err {top1_err:.4f} lr {optimizer.param_groups[0]['lr']:.2e}")


if __name__ == "__main__":
    main()
