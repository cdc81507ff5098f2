import argparse

import torch
from accelerate import Accelerator
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from transformers import get_linear_schedule_with_warmup


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--micro_batch", type=int, default=4)
    ap.add_argument("--accum", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--n", type=int, default=10000)
    args = ap.parse_args()

    accelerator = Accelerator(mixed_precision="no")
    tokens = torch.randint(0, 500, (args.n, 33))
    loader = DataLoader(TensorDataset(tokens), batch_size=args.micro_batch, shuffle=True)
    model = nn.Sequential(nn.Embedding(500, 32), nn.Linear(32, 500))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    total_updates = args.epochs * len(loader) // args.accum
    scheduler = get_linear_schedule_with_warmup(optimizer, args.warmup, total_updates)
    model, optimizer, loader, scheduler = accelerator.prepare(model, optimizer, loader, scheduler)

    for epoch in range(args.epochs):
        model.train()
        for step, (batch,) in enumerate(loader):
            logits = model(batch[:, :-1])
            loss = nn.functional.cross_entropy(logits.reshape(-1, 500), batch[:, 1:].reshape(-1)) / args.accum
            accelerator.backward(loss)
            if (step + 1) % args.accum == 0:
                accelerator.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                optimizer.zero_grad()
            scheduler.step()
        accelerator.print(f"epoch {epoch} done, lr {scheduler.get_last_lr()[0]:.2e}")


if __name__ == "__main__":
    main()
