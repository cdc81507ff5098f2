import argparse

import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset, random_split


def evaluate(model, loader, criterion):
    model.eval()
    total = 0.0
    with torch.no_grad():
        for features, target in loader:
            total += criterion(model(features), target).item() * features.size(0)
    return total / len(loader.dataset)


def main():
    parser = argparse.ArgumentParser(description="tabular regression")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--patience", type=int, default=10)
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()

    torch.manual_seed(0)
    features = torch.randn(args.n, 8)
    target = features @ torch.randn(8, 1) + 0.1 * torch.randn(args.n, 1)
    train_set, val_set = random_split(TensorDataset(features, target), [0.8, 0.2])
    train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=256)

    model = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 1))
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, "max", factor=0.5, patience=args.patience)

    for epoch in range(args.epochs):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        val_loss = evaluate(model, val_loader, criterion)
        scheduler.step(val_loss)
        print(f"epoch {epoch} val_loss {val_loss:.5f} lr {optimizer.param_groups[0]['lr']:.2e}")


if __name__ == "__main__":
    main()
