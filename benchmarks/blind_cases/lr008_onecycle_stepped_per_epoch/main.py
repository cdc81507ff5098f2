import argparse

import torch
from torch import nn
from torch.optim.lr_scheduler import OneCycleLR
from torch.utils.data import DataLoader, TensorDataset

from engine import test, train_one_epoch


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(4))
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.conv(x), 1))


def main():
    parser = argparse.ArgumentParser(description="MNIST one-cycle")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=14)
    parser.add_argument("--max-lr", type=float, default=0.05)
    parser.add_argument("--num-samples", type=int, default=60000)
    args = parser.parse_args()

    device = torch.device("cpu")
    data = TensorDataset(torch.randn(args.num_samples, 1, 12, 12), torch.randint(0, 10, (args.num_samples,)))
    train_loader = DataLoader(data, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(data, batch_size=1000)

    model = Net().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.max_lr, momentum=0.9)
    scheduler = OneCycleLR(optimizer, max_lr=args.max_lr, total_steps=args.epochs * len(train_loader))

    for epoch in range(1, args.epochs + 1):
        train_one_epoch(model, train_loader, optimizer, device, epoch)
        acc = test(model, test_loader, device)
        scheduler.step()
        print(f"epoch {epoch} test acc {acc:.4f}")


if __name__ == "__main__":
    main()
