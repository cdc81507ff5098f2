import argparse

import torch
from torch import nn
from torch.optim.lr_scheduler import LambdaLR
from torch.utils.data import DataLoader, TensorDataset

from utils.schedules import as_factor, warmup_cosine_lr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--min-lr", type=float, default=1e-6)
    ap.add_argument("--warmup-steps", type=int, default=1000)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--num-samples", type=int, default=60000)
    args = ap.parse_args()

    x = torch.randn(args.num_samples, 20)
    loader = DataLoader(TensorDataset(x, (x.sum(1) > 0).long()), batch_size=args.batch_size, shuffle=True)
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    lr_at = warmup_cosine_lr(args.lr, args.warmup_steps, args.epochs * len(loader), args.min_lr)
    scheduler = LambdaLR(optimizer, lr_lambda=as_factor(lr_at, args.lr))

    for epoch in range(args.epochs):
        for xb, yb in loader:
            loss = nn.functional.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
        print(f"epoch {epoch}: loss={loss.item():.4f} lr={scheduler.get_last_lr()[0]:.3e}")


if __name__ == "__main__":
    main()
