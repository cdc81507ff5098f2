import argparse
import dataclasses

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from config import TrainConfig
from trainer import Trainer


def parse_config():
    cfg = TrainConfig()
    parser = argparse.ArgumentParser()
    for f in dataclasses.fields(cfg):
        parser.add_argument(f"--{f.name}", type=type(f.default), default=f.default)
    return TrainConfig(**vars(parser.parse_args()))


if __name__ == "__main__":
    cfg = parse_config()
    x = torch.randn(cfg.num_samples, 16)
    y = x @ torch.randn(16, 1)
    loader = DataLoader(TensorDataset(x, y), batch_size=cfg.batch_size, shuffle=True)
    model = nn.Sequential(nn.Linear(16, 64), nn.GELU(), nn.Linear(64, 1))
    Trainer(cfg, model, loader).fit()
