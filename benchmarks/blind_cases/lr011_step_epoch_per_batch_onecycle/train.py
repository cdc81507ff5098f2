import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from engine import train_epoch


def get_model(num_classes):
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, num_classes),
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--max_lr", type=float, default=0.01)
    parser.add_argument("--grad_clip", type=float, default=0.1)
    parser.add_argument("--batch_size", type=int, default=400)
    parser.add_argument("--num_samples", type=int, default=50000)
    args = parser.parse_args()

    train_ds = TensorDataset(torch.randn(args.num_samples, 3, 8, 8), torch.randint(0, 10, (args.num_samples,)))
    train_dl = DataLoader(train_ds, args.batch_size, shuffle=True)
    model = get_model(10)
    optimizer = torch.optim.Adam(model.parameters(), args.max_lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(optimizer, args.max_lr, epochs=args.epochs,
                                                steps_per_epoch=len(train_dl))
    for epoch in range(args.epochs):
        loss = train_epoch(model, train_dl, optimizer, sched, epoch, nn.CrossEntropyLoss(), args.grad_clip)
        print(f"Epoch [{epoch}], train_loss: {loss:.4f}, last_lr: {sched.get_last_lr()[0]:.5f}")
