import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from callbacks import BackboneUnfreeze
from trainer import FineTuner


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(32, 64), nn.ReLU())
        self.head = nn.Linear(64, 5)

    def forward(self, x):
        return self.head(self.backbone(x))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--backbone_lr_mult", type=float, default=0.1)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--unfreeze_at", type=int, default=5)
    ap.add_argument("--n", type=int, default=5000)
    cfg = ap.parse_args()
    data = TensorDataset(torch.randn(cfg.n, 32), torch.randint(0, 5, (cfg.n,)))
    loader = DataLoader(data, batch_size=32, shuffle=True)
    FineTuner(Net(), loader, cfg, callbacks=[BackboneUnfreeze(cfg.unfreeze_at)]).fit()
