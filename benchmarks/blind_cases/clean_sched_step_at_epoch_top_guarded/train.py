import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from engine import train_one_epoch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--epochs", type=int, default=90)
    ap.add_argument("--step_size", type=int, default=30)
    ap.add_argument("--start_epoch", type=int, default=0)
    ap.add_argument("--n", type=int, default=20000)
    args = ap.parse_args()

    data = TensorDataset(torch.randn(args.n, 32), torch.randint(0, 10, (args.n,)))
    loader = DataLoader(data, batch_size=256, shuffle=True)
    model = nn.Linear(32, 10)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=args.step_size, gamma=0.1)

    for epoch in range(args.start_epoch, args.epochs):
        if epoch > args.start_epoch:
            # advance the schedule past the updates of the epoch that just finished
            scheduler.step()
        loss = train_one_epoch(model, loader, optimizer, nn.CrossEntropyLoss())
        print(f"epoch {epoch} loss {loss:.4f} lr {scheduler.get_last_lr()[0]:.4f}")


if __name__ == "__main__":
    main()
