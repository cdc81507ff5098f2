import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from solver import build_optimizer, build_scheduler


def run_epoch(model, loader, optimizer=None):
    training = optimizer is not None
    model.train(training)
    correct = total = 0
    with torch.set_grad_enabled(training):
        for x, y in loader:
            logits = model(x)
            if training:
                loss = nn.functional.cross_entropy(logits, y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            correct += (logits.argmax(1) == y).sum().item()
            total += y.numel()
    return correct / total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--wd", type=float, default=5e-4)
    parser.add_argument("--patience", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()

    torch.manual_seed(0)
    x = torch.randn(args.n, 16)
    y = (x[:, :4].sum(1) > 0).long()
    train_loader = DataLoader(TensorDataset(x, y), batch_size=128, shuffle=True)
    val_loader = DataLoader(TensorDataset(x, y), batch_size=512)
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 2))
    optimizer = build_optimizer(args, model)
    scheduler = build_scheduler(args, optimizer)

    best_acc = 0.0
    for epoch in range(args.epochs):
        run_epoch(model, train_loader, optimizer)
        val_acc = run_epoch(model, val_loader)
        scheduler.step(val_acc)
        best_acc = max(best_acc, val_acc)
        print(f"epoch {epoch} val_acc {val_acc:.4f} best {best_acc:.4f} lr {optimizer.param_groups[0]['lr']:.2e}")


if __name__ == "__main__":
    main()
