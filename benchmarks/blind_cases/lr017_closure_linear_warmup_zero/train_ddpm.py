import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from utils.lr import linear_warmup


class EpsModel(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim + 1, 64), nn.SiLU(), nn.Linear(64, dim))

    def forward(self, x, t):
        return self.net(torch.cat([x, t[:, None].float() / 1000], dim=1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--warmup", type=int, default=5000)
    parser.add_argument("--total_steps", type=int, default=800000)
    parser.add_argument("--batch_size", type=int, default=128)
    args = parser.parse_args()

    model = EpsModel()
    optim = torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(optim, lr_lambda=linear_warmup(args.warmup))
    data = torch.randn(4096, 16)
    loader = DataLoader(TensorDataset(data), batch_size=args.batch_size, shuffle=True, drop_last=True)

    step = 0
    while step < args.total_steps:
        for (x0,) in loader:
            t = torch.randint(0, 1000, (x0.size(0),))
            noise = torch.randn_like(x0)
            x_t = x0 + noise * (t[:, None] / 1000)
            loss = nn.functional.mse_loss(model(x_t, t), noise)
            optim.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            sched.step()
            step += 1
            if step >= args.total_steps:
                break


if __name__ == "__main__":
    main()
