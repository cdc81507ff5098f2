"""Training loop in the shape of timm's train.py: per-update and per-epoch scheduler calls."""
import argparse
from collections import OrderedDict

import torch
from timm.scheduler import create_scheduler_v2
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def train_one_epoch(epoch, model, loader, optimizer, loss_fn, lr_scheduler=None, num_updates_total=0):
    model.train()
    num_batches_per_epoch = len(loader)
    num_updates = epoch * num_batches_per_epoch
    for batch_idx, (input, target) in enumerate(loader):
        loss = loss_fn(model(input), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        num_updates += 1
        if lr_scheduler is not None:
            lr_scheduler.step_update(num_updates=num_updates, metric=loss.item())
    return OrderedDict([("loss", loss.item())])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sched", default="cosine")
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--warmup-epochs", type=int, default=5)
    parser.add_argument("--min-lr", type=float, default=1e-5)
    parser.add_argument("--n", type=int, default=50000)
    args = parser.parse_args()

    data = TensorDataset(torch.randn(args.n, 32), torch.randint(0, 10, (args.n,)))
    loader = DataLoader(data, batch_size=128, shuffle=True)
    model = nn.Linear(32, 10)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
    lr_scheduler, num_epochs = create_scheduler_v2(
        optimizer, sched=args.sched, num_epochs=args.epochs, warmup_epochs=args.warmup_epochs,
        min_lr=args.min_lr, warmup_lr=1e-6, updates_per_epoch=len(loader),
    )
    for epoch in range(0, num_epochs):
        train_metrics = train_one_epoch(epoch, model, loader, optimizer, nn.CrossEntropyLoss(), lr_scheduler)
        if lr_scheduler is not None:
            # step LR for next epoch
            lr_scheduler.step(epoch + 1, train_metrics["loss"])
        print(f"epoch {epoch} {dict(train_metrics)} lr {optimizer.param_groups[0]['lr']:.2e}")


if __name__ == "__main__":
    main()
