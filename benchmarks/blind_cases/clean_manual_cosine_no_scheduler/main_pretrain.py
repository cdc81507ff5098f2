import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from engine_pretrain import train_one_epoch


def get_args_parser():
    parser = argparse.ArgumentParser("pre-training", add_help=False)
    parser.add_argument("--batch_size", default=64, type=int)
    parser.add_argument("--epochs", default=400, type=int)
    parser.add_argument("--accum_iter", default=1, type=int)
    parser.add_argument("--lr", type=float, default=1.5e-4)
    parser.add_argument("--min_lr", type=float, default=0.0)
    parser.add_argument("--warmup_epochs", type=int, default=40)
    parser.add_argument("--num_samples", type=int, default=100000)
    return parser


def main(args):
    data = TensorDataset(torch.randn(args.num_samples, 48), torch.zeros(args.num_samples))
    loader = DataLoader(data, batch_size=args.batch_size, shuffle=True, drop_last=True)
    model = nn.Sequential(nn.Linear(48, 16), nn.Linear(16, 48))
    param_groups = [
        {"params": model[0].parameters(), "weight_decay": 0.05},
        {"params": model[1].parameters(), "weight_decay": 0.0, "lr_scale": 0.5},
    ]
    optimizer = torch.optim.AdamW(param_groups, lr=args.lr, betas=(0.9, 0.95))
    for epoch in range(args.epochs):
        loss = train_one_epoch(model, loader, optimizer, epoch, args)
        print(f"epoch {epoch} loss {loss:.4f}")


if __name__ == "__main__":
    main(get_args_parser().parse_args())
