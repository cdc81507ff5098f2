"""Tabular regression with an ignite-style engine.

    python train.py --epochs 100
"""
import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from handlers import LRSchedulerHandler, ProgressLogger
from minignite import Events, create_supervised_trainer


def get_data(n, d, batch_size, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    w = torch.randn(d, 1, generator=g)
    y = x @ w + 0.1 * torch.randn(n, 1, generator=g)
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True, generator=g)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--min-lr", type=float, default=1e-5)
    p.add_argument("--num-samples", type=int, default=100_000)
    p.add_argument("--features", type=int, default=64)
    p.add_argument("--log-every", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    loader = get_data(args.num_samples, args.features, args.batch_size, args.seed)
    model = nn.Sequential(nn.Linear(args.features, 256), nn.GELU(), nn.Linear(256, 1))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    # cosine decay from lr to min_lr over the whole run
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs,
                                                           eta_min=args.min_lr)

    trainer = create_supervised_trainer(model, optimizer, nn.MSELoss())
    LRSchedulerHandler(scheduler).attach(trainer)
    ProgressLogger(args.log_every).attach(trainer)

    @trainer.on(Events.COMPLETED)
    def save(engine):
        torch.save(model.state_dict(), "model.pt")

    trainer.run(loader, max_epochs=args.epochs)


if __name__ == "__main__":
    main()
