import argparse
import math
import os

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def cosine_factor(total_epochs):
    return lambda epoch: 0.5 * (1.0 + math.cos(math.pi * epoch / total_epochs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=50)
    ap.add_argument("--stop_after", type=int, default=None, help="simulate a preempted job")
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--ckpt", default="ckpt.pt")
    ap.add_argument("--n", type=int, default=10000)
    args = ap.parse_args()

    data = TensorDataset(torch.randn(args.n, 8), torch.randint(0, 3, (args.n,)))
    loader = DataLoader(data, batch_size=128, shuffle=True)
    model = nn.Linear(8, 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    start_epoch = 0
    if os.path.exists(args.ckpt):
        state = torch.load(args.ckpt)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start_epoch = state["epoch"] + 1

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, cosine_factor(args.epochs))
    # LambdaLR recomputes base_lr * factor(epoch), so replaying the steps restores the LR exactly.
    for _ in range(start_epoch):
        scheduler.step()

    for epoch in range(start_epoch, args.epochs):
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        scheduler.step()
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}, args.ckpt)
        if args.stop_after is not None and epoch + 1 >= args.stop_after:
            break


if __name__ == "__main__":
    main()
