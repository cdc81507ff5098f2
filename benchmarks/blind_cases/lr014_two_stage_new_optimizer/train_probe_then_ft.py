"""Linear probing, then full fine-tuning (LP-FT) in one run."""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def run_stage(model, loader, optimizer, scheduler, epochs, stage):
    for epoch in range(epochs):
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
        print(f"[{stage}] epoch {epoch} loss {loss.item():.4f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--probe_epochs", type=int, default=10)
    ap.add_argument("--ft_epochs", type=int, default=10)
    ap.add_argument("--probe_lr", type=float, default=1e-2)
    ap.add_argument("--ft_lr", type=float, default=1e-4)
    ap.add_argument("--n", type=int, default=8000)
    args = ap.parse_args()

    data = TensorDataset(torch.randn(args.n, 16), torch.randint(0, 3, (args.n,)))
    loader = DataLoader(data, batch_size=64, shuffle=True)
    encoder = nn.Sequential(nn.Linear(16, 32), nn.ReLU())
    head = nn.Linear(32, 3)
    model = nn.Sequential(encoder, head)

    total_steps = (args.probe_epochs + args.ft_epochs) * len(loader)
    encoder.requires_grad_(False)
    optimizer = torch.optim.SGD(head.parameters(), lr=args.probe_lr, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: max(0.0, 1.0 - s / total_steps))
    run_stage(model, loader, optimizer, scheduler, args.probe_epochs, "probe")

    encoder.requires_grad_(True)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.ft_lr, momentum=0.9)
    run_stage(model, loader, optimizer, scheduler, args.ft_epochs, "finetune")


if __name__ == "__main__":
    main()
