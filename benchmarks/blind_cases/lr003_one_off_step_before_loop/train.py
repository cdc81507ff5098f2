import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from schedulers import LinearWarmupConstant


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=0.4)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--warmup_epochs", type=int, default=5)
    ap.add_argument("--n", type=int, default=20000)
    args = ap.parse_args()

    data = TensorDataset(torch.randn(args.n, 16), torch.randint(0, 4, (args.n,)))
    loader = DataLoader(data, batch_size=512, shuffle=True)
    model = nn.Linear(16, 4)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    scheduler = LinearWarmupConstant(optimizer, args.warmup_epochs)
    scheduler.step()  # prime the scheduler

    for epoch in range(args.epochs):
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        scheduler.step()
        print(f"epoch {epoch} lr {scheduler.get_last_lr()[0]:.4f} loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
