import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from engine import train_one_epoch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=0.4)
    ap.add_argument("--epochs", type=int, default=120)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--num-samples", type=int, default=100000)
    ap.add_argument("--amp", action="store_true")
    args = ap.parse_args()

    data = TensorDataset(torch.randn(args.num_samples, 64), torch.randint(0, 100, (args.num_samples,)))
    loader = DataLoader(data, batch_size=args.batch_size, shuffle=True, drop_last=True)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 100))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True)
    lr_scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs,
                                                       steps_per_epoch=len(loader))
    scaler = torch.amp.GradScaler("cuda", enabled=args.amp and torch.cuda.is_available())
    for epoch in range(args.epochs):
        loss = train_one_epoch(model, nn.CrossEntropyLoss(), loader, optimizer, lr_scheduler, scaler, 1.0)
        print(f"epoch {epoch} loss {loss:.4f}")


if __name__ == "__main__":
    main()
