import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from utils.lr_scheduler import ScaledWarmupPolyLR


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--epochs", type=int, default=50)
    ap.add_argument("--warmup_iters", type=int, default=100)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--n", type=int, default=2975)
    args = ap.parse_args()

    loader = DataLoader(TensorDataset(torch.randn(args.n, 3, 8, 8), torch.randint(0, 19, (args.n, 8, 8))),
                        batch_size=8, shuffle=True, drop_last=True)
    model = nn.Conv2d(3, 19, 3, padding=1)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    scheduler = ScaledWarmupPolyLR(optimizer, max_iters=args.epochs * len(loader), scale=args.scale,
                                   warmup_iters=args.warmup_iters)
    for epoch in range(args.epochs):
        for image, mask in loader:
            loss = nn.functional.cross_entropy(model(image), mask)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
        print(f"epoch {epoch} loss {loss.item():.4f} lr {scheduler.get_last_lr()[0]:.6f}")


if __name__ == "__main__":
    main()
