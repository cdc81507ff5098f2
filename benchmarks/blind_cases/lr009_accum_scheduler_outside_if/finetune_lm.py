import argparse
import math

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def lr_lambda_factory(warmup_steps, total_steps):
    def lr_lambda(step):
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))
    return lr_lambda


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--per_device_batch_size", type=int, default=4)
    parser.add_argument("--gradient_accumulation_steps", type=int, default=8)
    parser.add_argument("--warmup_steps", type=int, default=100)
    parser.add_argument("--num_samples", type=int, default=50000)
    args = parser.parse_args()

    tokens = torch.randint(0, 1000, (args.num_samples, 17))
    loader = DataLoader(TensorDataset(tokens), batch_size=args.per_device_batch_size, shuffle=True)
    model = nn.Sequential(nn.Embedding(1000, 32), nn.Linear(32, 1000))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)

    updates_per_epoch = math.ceil(len(loader) / args.gradient_accumulation_steps)
    total_steps = updates_per_epoch * args.epochs
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda_factory(args.warmup_steps, total_steps))

    for epoch in range(args.epochs):
        for step, (batch,) in enumerate(loader):
            logits = model(batch[:, :-1])
            loss = nn.functional.cross_entropy(logits.reshape(-1, 1000), batch[:, 1:].reshape(-1))
            (loss / args.gradient_accumulation_steps).backward()
            if (step + 1) % args.gradient_accumulation_steps == 0 or step == len(loader) - 1:
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                optimizer.zero_grad()
            scheduler.step()
        print(f"epoch {epoch} loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
