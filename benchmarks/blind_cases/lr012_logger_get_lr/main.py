import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from utils.logger import CSVLogger, log_epoch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--epochs", type=int, default=160)
    p.add_argument("--milestones", type=int, nargs="+", default=[80, 120])
    p.add_argument("--n", type=int, default=50000)
    p.add_argument("--log", default="log.csv")
    args = p.parse_args()

    ds = TensorDataset(torch.randn(args.n, 24), torch.randint(0, 10, (args.n,)))
    loader = DataLoader(ds, batch_size=128, shuffle=True)
    model = nn.Linear(24, 10)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=args.milestones, gamma=0.1)
    logger = CSVLogger(args.log, ["epoch", "train_loss", "val_acc", "lr"])

    for epoch in range(args.epochs):
        model.train()
        running = 0.0
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            running += loss.item()
        scheduler.step()
        with torch.no_grad():
            acc = (model(ds.tensors[0]).argmax(1) == ds.tensors[1]).float().mean().item()
        log_epoch(logger, epoch, running / len(loader), acc, scheduler)


if __name__ == "__main__":
    main()
