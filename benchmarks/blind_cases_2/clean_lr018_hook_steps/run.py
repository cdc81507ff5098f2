"""python run.py configs/cifar_convnet.py [--cfg-options key=value ...]"""
import argparse
import ast
import os
import runpy

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from core.hooks import CheckpointHook, LrSchedulerHook, TextLoggerHook
from core.runner import EpochBasedRunner
from core.scheduler_factory import build_optimizer, build_scheduler


def load_config(path, options):
    cfg = {k: v for k, v in runpy.run_path(path).items() if not k.startswith("__")}
    for opt in options or []:
        key, value = opt.split("=", 1)
        node = cfg
        *parents, leaf = key.split(".")
        for p in parents:
            node = node[p]
        try:
            node[leaf] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            node[leaf] = value
    return cfg


def build_model(cfg):
    w1, w2 = cfg["widths"]
    return nn.Sequential(
        nn.Conv2d(3, w1, 3, padding=1), nn.BatchNorm2d(w1), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(w1, w2, 3, padding=1), nn.BatchNorm2d(w2), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(w2, cfg["num_classes"]),
    )


def build_dataloader(cfg, num_classes, seed):
    g = torch.Generator().manual_seed(seed)
    n, s = cfg["num_train"], cfg["image_size"]
    x = torch.randn(n, 3, s, s, generator=g)
    y = torch.randint(0, num_classes, (n,), generator=g)
    return DataLoader(TensorDataset(x, y), batch_size=cfg["samples_per_gpu"], shuffle=True, drop_last=True)


def parse_args():
    parser = argparse.ArgumentParser(description="Train a classifier")
    parser.add_argument("config", help="train config file path")
    parser.add_argument("--work-dir", help="the dir to save logs and models")
    parser.add_argument("--cfg-options", nargs="+", default=[], help="override settings, key=value")
    return parser.parse_args()


def main():
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    work_dir = args.work_dir or cfg["work_dir"]
    os.makedirs(work_dir, exist_ok=True)
    torch.manual_seed(cfg["seed"])

    model = build_model(cfg["model"])
    train_loader = build_dataloader(cfg["data"], cfg["model"]["num_classes"], cfg["seed"])
    optimizer = build_optimizer(model, cfg["optimizer"])
    lr_scheduler = build_scheduler(cfg["lr_config"], optimizer, cfg["total_epochs"])

    runner = EpochBasedRunner(model, optimizer, work_dir)
    runner.register_hook(LrSchedulerHook(lr_scheduler))
    runner.register_hook(CheckpointHook(**cfg["checkpoint_config"], work_dir=work_dir))
    runner.register_hook(TextLoggerHook(**cfg["log_config"], work_dir=work_dir))
    runner.run(train_loader, max_epochs=cfg["total_epochs"])


if __name__ == "__main__":
    main()
