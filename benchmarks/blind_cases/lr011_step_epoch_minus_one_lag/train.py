import argparse
import time

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser(description="Speech commands KWS training")
parser.add_argument("--epochs", type=int, default=30)
parser.add_argument("--lr", type=float, default=1e-3)
parser.add_argument("--batch-size", type=int, default=100)
parser.add_argument("--num-samples", type=int, default=85000)
parser.add_argument("--log-interval", type=int, default=100)


def train(model, loader, optimizer, epoch, log_interval):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        output = model(data)
        loss = nn.functional.nll_loss(output.log_softmax(-1), target)
        loss.backward()
        optimizer.step()
        if batch_idx % log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}] Loss: {loss.item():.6f}")


def main():
    args = parser.parse_args()
    data = TensorDataset(torch.randn(args.num_samples, 40), torch.randint(0, 35, (args.num_samples,)))
    loader = DataLoader(data, batch_size=args.batch_size, shuffle=True)
    model = nn.Sequential(nn.Linear(40, 128), nn.ReLU(), nn.Linear(128, 35))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)

    for epoch in range(1, args.epochs + 1):
        start = time.time()
        train(model, loader, optimizer, epoch, args.log_interval)
        scheduler.step(epoch - 1)
        print(f"epoch {epoch} took {time.time() - start:.1f}s")


if __name__ == "__main__":
    main()
