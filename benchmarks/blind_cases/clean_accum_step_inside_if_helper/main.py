import argparse
import math

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from trainer import AccumulatingTrainer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch_size", type=int, default=4)
    ap.add_argument("--accum_steps", type=int, default=8)
    ap.add_argument("--n", type=int, default=20000)
    args = ap.parse_args()

    tokens = torch.randint(0, 1000, (args.n, 17))
    loader = DataLoader(TensorDataset(tokens), batch_size=args.batch_size, shuffle=True, drop_last=True)
    model = nn.Sequential(nn.Embedding(1000, 32), nn.Linear(32, 1000))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    total_updates = args.epochs * (len(loader) // args.accum_steps)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: max(0.0, 1 - s / total_updates))
    trainer = AccumulatingTrainer(model, optimizer, scheduler, args.accum_steps)

    for epoch in range(args.epochs):
        for (batch,) in loader:
            logits = model(batch[:, :-1])
            loss = nn.functional.cross_entropy(logits.reshape(-1, 1000), batch[:, 1:].reshape(-1))
            trainer.backward(loss)
        print(f"epoch {epoch} updates {trainer.global_step} ppl {math.exp(loss.item()):.1f}")


if __name__ == "__main__":
    main()
