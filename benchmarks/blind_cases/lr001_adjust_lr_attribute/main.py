import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from utils.lr_utils import adjust_learning_rate
from utils.meters import AverageMeter


def get_args():
    parser = argparse.ArgumentParser("linear probe")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--warmup-epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--min-lr", type=float, default=0.0)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--num-samples", type=int, default=50000)
    return parser.parse_args()


def train_one_epoch(model, loader, criterion, optimizer):
    model.train()
    losses = AverageMeter("loss")
    for images, target in loader:
        output = model(images)
        loss = criterion(output, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.update(loss.item(), images.size(0))
    return losses.avg


def main():
    args = get_args()
    dataset = TensorDataset(torch.randn(args.num_samples, 32), torch.randint(0, 10, (args.num_samples,)))
    loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=True, drop_last=True)
    model = nn.Sequential(nn.BatchNorm1d(32, affine=False), nn.Linear(32, 10))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=0.0)

    for epoch in range(args.epochs):
        lr = adjust_learning_rate(optimizer, epoch, args)
        loss = train_one_epoch(model, loader, criterion, optimizer)
        print(f"epoch {epoch} lr {lr:.5f} loss {loss:.4f}")


if __name__ == "__main__":
    main()
