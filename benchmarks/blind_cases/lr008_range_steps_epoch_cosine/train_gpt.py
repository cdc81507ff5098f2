"""Small char-level LM trainer: fixed number of optimizer steps over a cycling data iterator."""
import argparse
import math

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def infinite(loader):
    while True:
        for batch in loader:
            yield batch


def get_args():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--lr", type=float, default=6e-4)
    p.add_argument("--min_lr", type=float, default=6e-5)
    p.add_argument("--batch_size", type=int, default=32)
    p.add_argument("--block_size", type=int, default=32)
    p.add_argument("--num_sequences", type=int, default=4096)
    p.add_argument("--eval_interval", type=int, default=250)
    return p.parse_args()


def main():
    args = get_args()
    data = torch.randint(0, 65, (args.num_sequences, args.block_size + 1))
    loader = DataLoader(TensorDataset(data[:, :-1], data[:, 1:]), batch_size=args.batch_size, shuffle=True)
    model = nn.Sequential(nn.Embedding(65, 64), nn.Linear(64, 65))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs, eta_min=args.min_lr)

    num_training_steps = args.epochs * len(loader)
    train_iter = infinite(loader)
    for step in range(num_training_steps):
        x, y = next(train_iter)
        logits = model(x)
        loss = nn.functional.cross_entropy(logits.view(-1, 65), y.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        if step % args.eval_interval == 0:
            print(f"step {step}: loss {loss.item():.4f} ppl {math.exp(loss.item()):.1f}")


if __name__ == "__main__":
    main()
