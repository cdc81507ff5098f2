"""ImageNet-style training where an "epoch" is a fixed number of iterations over a streaming loader."""
import argparse
from itertools import islice

import torch
from torch import nn
from torch.utils.data import DataLoader, IterableDataset


class StreamingShards(IterableDataset):
    def __init__(self, num_classes):
        self.num_classes = num_classes

    def __iter__(self):
        while True:
            yield torch.randn(32), torch.randint(0, self.num_classes, ()).item()


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=90)
    p.add_argument("--iters-per-epoch", type=int, default=5000)
    p.add_argument("--milestones", type=int, nargs="+", default=[30, 60, 80])
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--batch-size", type=int, default=256)
    return p.parse_args()


def main():
    args = parse()
    loader = DataLoader(StreamingShards(1000), batch_size=args.batch_size)
    model = nn.Linear(32, 1000)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=args.milestones, gamma=0.1)

    for epoch in range(args.epochs):
        model.train()
        for it, (images, labels) in enumerate(islice(loader, args.iters_per_epoch)):
            loss = criterion(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
        print(f"epoch {epoch} loss {loss.item():.3f} lr {optimizer.param_groups[0]['lr']:.5f}")


if __name__ == "__main__":
    main()
