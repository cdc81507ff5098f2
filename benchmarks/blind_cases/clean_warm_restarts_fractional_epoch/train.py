import argparse

import torch
from torch import nn
from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts
from torch.utils.data import DataLoader, TensorDataset


def main():
    ap = argparse.ArgumentParser(description="SGDR")
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--epochs", type=int, default=70)
    ap.add_argument("--t0", type=int, default=10)
    ap.add_argument("--t_mult", type=int, default=2)
    ap.add_argument("--n", type=int, default=50000)
    args = ap.parse_args()

    data = TensorDataset(torch.randn(args.n, 32), torch.randint(0, 10, (args.n,)))
    loader = DataLoader(data, batch_size=128, shuffle=True)
    model = nn.Linear(32, 10)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    scheduler = CosineAnnealingWarmRestarts(optimizer, T_0=args.t0, T_mult=args.t_mult, eta_min=1e-5)

    iters = len(loader)
    for epoch in range(args.epochs):
        for i, (x, y) in enumerate(loader):
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step(epoch + i / iters)
        print(f"epoch {epoch} loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
