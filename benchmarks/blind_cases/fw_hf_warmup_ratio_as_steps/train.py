import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from transformers import get_cosine_schedule_with_warmup

from configs.base import OptimConfig


def main():
    cfg = OptimConfig()
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=cfg.epochs)
    parser.add_argument("--n", type=int, default=64000)
    args = parser.parse_args()
    cfg.epochs = args.epochs

    x = torch.randn(args.n, 32)
    loader = DataLoader(TensorDataset(x, (x[:, 0] > 0).long()), batch_size=cfg.batch_size, shuffle=True)
    model = nn.Sequential(nn.Linear(32, 64), nn.GELU(), nn.Linear(64, 2))
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    num_training_steps = cfg.epochs * len(loader)
    scheduler = get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=cfg.warmup,
                                                num_training_steps=num_training_steps)
    for epoch in range(cfg.epochs):
        for xb, yb in loader:
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
        print(f"epoch {epoch} loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
