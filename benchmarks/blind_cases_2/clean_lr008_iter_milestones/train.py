"""Keyword-spotting CNN, trained for a fixed number of iterations.

    python train.py --max-iter 90000 --lr-steps 60000 80000
"""
import argparse

import torch
from torch import nn

from data import make_loader
from engine import accuracy, train


def get_parser():
    p = argparse.ArgumentParser()
    p.add_argument("--n-train", type=int, default=84843)
    p.add_argument("--n-val", type=int, default=9981)
    p.add_argument("--n-mels", type=int, default=40)
    p.add_argument("--n-frames", type=int, default=101)
    p.add_argument("--batch-size", type=int, default=96)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=1e-3)
    p.add_argument("--max-iter", type=int, default=90000, help="total number of optimizer updates")
    p.add_argument("--lr-steps", type=int, nargs="+", default=[60000, 80000],
                   help="iterations at which the LR is multiplied by --lr-gamma")
    p.add_argument("--lr-gamma", type=float, default=0.1)
    p.add_argument("--log-interval", type=int, default=100)
    p.add_argument("--eval-interval", type=int, default=5000)
    return p


class KWSNet(nn.Module):
    def __init__(self, n_mels, n_classes=35, width=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(n_mels, width, 5, padding=2), nn.BatchNorm1d(width), nn.ReLU(),
            nn.Conv1d(width, width, 5, stride=2, padding=2), nn.BatchNorm1d(width), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(width, n_classes),
        )

    def forward(self, x):
        return self.net(x)


def main():
    args = get_parser().parse_args()
    torch.manual_seed(0)
    train_loader = make_loader(args.n_train, args.batch_size, args.n_mels, args.n_frames)
    val_loader = make_loader(args.n_val, 256, args.n_mels, args.n_frames, train=False)

    model = KWSNet(args.n_mels)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum,
                                weight_decay=args.weight_decay, nesterov=True)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=args.lr_steps, gamma=args.lr_gamma)

    done = train(model, train_loader, optimizer, scheduler, args.max_iter, args.log_interval,
                 eval_fn=lambda m: accuracy(m, val_loader), eval_interval=args.eval_interval)
    print(f"finished {done} iterations, final val acc {accuracy(model, val_loader):.4f}")


if __name__ == "__main__":
    main()
