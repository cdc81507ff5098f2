import argparse
import logging

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from engine import TRAINERS


def build_model(in_dim, num_classes):
    return nn.Sequential(nn.Linear(in_dim, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, num_classes))


def build_loader(args):
    g = torch.Generator().manual_seed(args.seed)
    x = torch.randn(args.num_samples, args.in_dim, generator=g)
    y = (x[:, : args.num_classes]).argmax(dim=1)
    return DataLoader(TensorDataset(x, y), batch_size=args.batch_size, shuffle=True, drop_last=True,
                      generator=g)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--trainer", choices=sorted(TRAINERS), default="supervised")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--warmup-steps", type=int, default=500)
    p.add_argument("--lr-step-epochs", type=int, default=10)
    p.add_argument("--mixup-alpha", type=float, default=0.2)
    p.add_argument("--num-samples", type=int, default=50000)
    p.add_argument("--in-dim", type=int, default=64)
    p.add_argument("--num-classes", type=int, default=10)
    p.add_argument("--log-interval", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.manual_seed(args.seed)
    model = build_model(args.in_dim, args.num_classes)
    trainer = TRAINERS[args.trainer](model, build_loader(args), args)
    trainer.train()
    torch.save(model.state_dict(), f"{args.trainer}_final.pt")


if __name__ == "__main__":
    main()
