import argparse

import torch
from torch import nn
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR
from torch.utils.data import DataLoader, TensorDataset


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--n", type=int, default=50000)
    args = ap.parse_args()

    data = TensorDataset(torch.randn(args.n, 48), torch.randint(0, 100, (args.n,)))
    loader = DataLoader(data, batch_size=128, shuffle=True)
    model = nn.Linear(48, 100)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    warmup = LinearLR(optimizer, start_factor=0.1, total_iters=args.warmup)
    cosine = CosineAnnealingLR(optimizer, T_max=args.epochs - args.warmup)
    scheduler = SequentialLR(optimizer, schedulers=[warmup, cosine], milestones=[args.warmup])

    for epoch in range(args.epochs):
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        scheduler.step()
        print(f"epoch {epoch} lr {optimizer.param_groups[0]['lr']:.4f}")


if __name__ == "__main__":
    main()
