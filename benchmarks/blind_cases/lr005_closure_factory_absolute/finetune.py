import argparse

import torch
from torch import nn
from torch.optim.lr_scheduler import LambdaLR
from torch.utils.data import DataLoader, TensorDataset

from utils.schedules import warmup_cosine


def build_scheduler(optimizer, args, steps_per_epoch):
    total_steps = args.epochs * steps_per_epoch
    return LambdaLR(optimizer, warmup_cosine(args.lr, args.warmup_steps, total_steps, args.min_lr))


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
    scheduler = build_scheduler(optimizer, args, len(loader))

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
