import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--lr", type=float, default=0.2)
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--warmup-epochs", type=int, default=5)
    p.add_argument("--milestones", type=int, nargs="+", default=[50, 75])
    p.add_argument("--n", type=int, default=20000)
    return p.parse_args()


def main():
    args = parse_args()
    data = TensorDataset(torch.randn(args.n, 32), torch.randint(0, 10, (args.n,)))
    loader = DataLoader(data, batch_size=256, shuffle=True)
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=args.milestones, gamma=0.1)

    for epoch in range(args.epochs):
        # gradual warmup of the large-batch LR
        warmup_factor = min(1.0, (epoch + 1) / args.warmup_epochs)
        for group in optimizer.param_groups:
            group["lr"] = args.lr * warmup_factor
        model.train()
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        scheduler.step()
        print(f"epoch {epoch} lr {optimizer.param_groups[0]['lr']:.4f} loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
