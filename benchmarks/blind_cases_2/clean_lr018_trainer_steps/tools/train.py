#!/usr/bin/env python
"""Training script: python tools/train.py [--max-iter N] [--steps A B] ..."""
import argparse
import logging
import os

import _init_paths  # noqa: F401  (puts lib/ on sys.path)
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from engine.trainer import Trainer
from solver.build import make_lr_scheduler, make_optimizer


def parse_args():
    parser = argparse.ArgumentParser(description="Keypoint head training")
    parser.add_argument("--output-dir", default="output/kp_head")
    parser.add_argument("--num-images", type=int, default=4096)
    parser.add_argument("--ims-per-batch", type=int, default=32)
    parser.add_argument("--base-lr", type=float, default=0.02)
    parser.add_argument("--bias-lr-factor", type=float, default=2.0)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--weight-decay-bias", type=float, default=0.0)
    parser.add_argument("--max-iter", type=int, default=90000)
    parser.add_argument("--steps", type=int, nargs="+", default=[60000, 80000])
    parser.add_argument("--gamma", type=float, default=0.1)
    parser.add_argument("--warmup-factor", type=float, default=1.0 / 3)
    parser.add_argument("--warmup-iters", type=int, default=500)
    parser.add_argument("--warmup-method", default="linear", choices=["linear", "constant"])
    parser.add_argument("--checkpoint-period", type=int, default=2500)
    parser.add_argument("--log-period", type=int, default=20)
    return parser.parse_args()


def build_model(num_keypoints=17):
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(inplace=True),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(64, num_keypoints),
    )


def main():
    args = parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    os.makedirs(args.output_dir, exist_ok=True)
    torch.manual_seed(0)

    images = torch.randn(args.num_images, 3, 16, 16)
    targets = torch.randint(0, 17, (args.num_images,))
    data_loader = DataLoader(TensorDataset(images, targets), batch_size=args.ims_per_batch,
                             shuffle=True, drop_last=True)

    model = build_model()
    optimizer = make_optimizer(args, model)
    scheduler = make_lr_scheduler(args, optimizer)

    trainer = Trainer(model, optimizer, scheduler, data_loader, args.max_iter,
                      checkpoint_period=args.checkpoint_period, log_period=args.log_period,
                      output_dir=args.output_dir)
    trainer.train()


if __name__ == "__main__":
    main()
