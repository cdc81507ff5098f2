import argparse

import torch
import torch.nn as nn
from torch.optim.lr_scheduler import CosineAnnealingLR
from torch.utils.data import DataLoader, TensorDataset

import utils

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", default=90, type=int)
parser.add_argument("--lr", default=0.1, type=float)
parser.add_argument("--cos", action="store_true", help="use cosine lr schedule")
parser.add_argument("--num-samples", default=100000, type=int)


def main():
    args = parser.parse_args()
    data = TensorDataset(torch.randn(args.num_samples, 32), torch.randint(0, 10, (args.num_samples,)))
    loader = DataLoader(data, batch_size=256, shuffle=True)
    model = nn.Linear(32, 10)
    optimizer = torch.optim.SGD(model.parameters(), args.lr, momentum=0.9, weight_decay=1e-4)
    scheduler = CosineAnnealingLR(optimizer, T_max=args.epochs) if args.cos else None

    for epoch in range(args.epochs):
        utils.adjust_learning_rate(optimizer, epoch, args)
        model.train()
        for images, target in loader:
            output = model(images)
            loss = nn.functional.cross_entropy(output, target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if scheduler is not None:
            scheduler.step()
        print(f"epoch {epoch} acc {utils.accuracy(output, target):.2f}")


if __name__ == "__main__":
    main()
