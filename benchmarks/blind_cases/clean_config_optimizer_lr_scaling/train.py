import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from config import load_config


class Experiment:
    def __init__(self, cfg):
        self.cfg = cfg
        # linear scaling rule: the configured LR is for a total batch of 256
        total_batch = cfg.data.batch_size * cfg.trainer.world_size
        self.cfg.optimizer.lr = self.cfg.optimizer.lr * total_batch / 256
        self.model = nn.Linear(16, 4)
        self.optimizer = self.build_optimizer()
        self.scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(self.optimizer, T_max=cfg.trainer.epochs)

    def build_optimizer(self):
        opt = self.cfg.optimizer
        return torch.optim.AdamW(self.model.parameters(), lr=opt.lr, weight_decay=opt.weight_decay,
                                 betas=opt.betas)

    def run(self):
        n = self.cfg.data.num_samples
        loader = DataLoader(TensorDataset(torch.randn(n, 16), torch.randint(0, 4, (n,))),
                            batch_size=self.cfg.data.batch_size, shuffle=True)
        for epoch in range(self.cfg.trainer.epochs):
            for x, y in loader:
                loss = nn.functional.cross_entropy(self.model(x), y)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
            self.scheduler.step()
            print(f"epoch {epoch} lr {self.scheduler.get_last_lr()[0]:.2e} (configured {self.cfg.optimizer.lr:.2e})")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--num_samples", type=int)
    args = ap.parse_args()
    cfg = load_config()
    if args.epochs:
        cfg.trainer.epochs = args.epochs
    if args.num_samples:
        cfg.data.num_samples = args.num_samples
    Experiment(cfg).run()
