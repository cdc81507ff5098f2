import argparse

import torch
from timm.scheduler import CosineLRScheduler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def get_args():
    p = argparse.ArgumentParser("ViT fine-tune")
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--min_lr", type=float, default=1e-6)
    p.add_argument("--warmup_lr", type=float, default=1e-6)
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--warmup_epochs", type=int, default=5)
    p.add_argument("--batch_size", type=int, default=128)
    p.add_argument("--n", type=int, default=50000)
    return p.parse_args()


def main():
    args = get_args()
    data = TensorDataset(torch.randn(args.n, 64), torch.randint(0, 100, (args.n,)))
    loader = DataLoader(data, batch_size=args.batch_size, shuffle=True, drop_last=True)
    model = nn.Sequential(nn.LayerNorm(64), nn.Linear(64, 100))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)

    n_iter_per_epoch = len(loader)
    lr_scheduler = CosineLRScheduler(
        optimizer,
        t_initial=args.epochs * n_iter_per_epoch,
        lr_min=args.min_lr,
        warmup_lr_init=args.warmup_lr,
        warmup_t=args.warmup_epochs * n_iter_per_epoch,
        cycle_limit=1,
    )

    num_updates = 0
    for epoch in range(args.epochs):
        for samples, targets in loader:
            loss = nn.functional.cross_entropy(model(samples), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            num_updates += 1
            lr_scheduler.step_update(num_updates=num_updates)
        print(f"epoch {epoch} loss {loss.item():.4f} lr {optimizer.param_groups[0]['lr']:.2e}")


if __name__ == "__main__":
    main()
