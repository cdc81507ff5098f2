"""Cityscapes-style semantic segmentation training (synthetic data for smoke tests).

    python projects/segmentation/train.py --max-iters 40000
"""
import argparse
import logging

import torch
from torch.utils.data import DataLoader, TensorDataset

from engine.seg_trainer import SegTrainer


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--max-iters", type=int, default=40000)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--head-lr-mult", type=float, default=10.0)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--poly-power", type=float, default=0.9)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--crop-size", type=int, default=512)
    p.add_argument("--num-images", type=int, default=2975)
    p.add_argument("--num-classes", type=int, default=19)
    p.add_argument("--width", type=int, default=32)
    p.add_argument("--log-period", type=int, default=50)
    p.add_argument("--output-dir", default="work_dirs/litefcn_cityscapes")
    return p.parse_args()


def synthetic_cityscapes(n, size, num_classes, seed=0):
    g = torch.Generator().manual_seed(seed)
    images = torch.randn(n, 3, size, size, generator=g)
    masks = torch.randint(0, num_classes, (n, size, size), generator=g)
    masks[:, : size // 8] = 255  # ego-vehicle / unlabeled band
    return TensorDataset(images, masks)


def main():
    args = parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    torch.manual_seed(0)
    cfg = dict(vars(args), ignore_index=255)
    dataset = synthetic_cityscapes(args.num_images, args.crop_size, args.num_classes)
    loader = DataLoader(dataset, batch_size=args.batch_size, shuffle=True, drop_last=True)
    SegTrainer(cfg, loader).train()


if __name__ == "__main__":
    main()
