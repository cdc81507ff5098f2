import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from utils.factory import create_lr_scheduler


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sched", default="cosine")
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--warmup-epochs", type=int, default=3)
    p.add_argument("--n", type=int, default=20000)
    args = p.parse_args()

    data = TensorDataset(torch.randn(args.n, 16), torch.randint(0, 10, (args.n,)))
    loader = DataLoader(data, batch_size=128, shuffle=True)
    model = nn.Linear(16, 10)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    lr_scheduler = create_lr_scheduler(args.sched, optimizer, args.epochs, args.warmup_epochs)

    for epoch in range(args.epochs):
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        lr_scheduler.step()
        print(f"epoch {epoch} loss {loss.item():.3f}")


if __name__ == "__main__":
    main()
