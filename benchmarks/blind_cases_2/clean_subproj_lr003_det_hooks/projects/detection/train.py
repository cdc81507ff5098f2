"""Toy single-stage detector head training (synthetic anchors), detectron2-style trainer.

From the repository root:
    python projects/detection/train.py --max-iter 90000
"""
import argparse
import logging
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from core import hooks
from core.trainer_base import SimpleTrainer


class AnchorHead(nn.Module):
    def __init__(self, in_dim=256, num_classes=80):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(in_dim, in_dim), nn.ReLU(), nn.Linear(in_dim, in_dim), nn.ReLU())
        self.cls_score = nn.Linear(in_dim, num_classes + 1)
        self.bbox_pred = nn.Linear(in_dim, 4)

    def forward(self, feats, labels, deltas):
        x = self.trunk(feats)
        return {
            "loss_cls": F.cross_entropy(self.cls_score(x), labels),
            "loss_box_reg": F.smooth_l1_loss(self.bbox_pred(x), deltas, beta=0.1),
        }


def warmup_cosine(max_iter, warmup_iters, warmup_factor):
    def f(it):
        if it < warmup_iters:
            alpha = it / warmup_iters
            return warmup_factor * (1 - alpha) + alpha
        return 0.5 * (1 + math.cos(math.pi * (it - warmup_iters) / max(1, max_iter - warmup_iters)))
    return f


class DetTrainer(SimpleTrainer):
    def __init__(self, args):
        model = AnchorHead(args.feat_dim, args.num_classes)
        optimizer = torch.optim.SGD(model.parameters(), lr=args.base_lr, momentum=0.9, weight_decay=1e-4)
        super().__init__(model, self.build_train_loader(args), optimizer)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, warmup_cosine(args.max_iter, args.warmup_iters, args.warmup_factor))
        self.register_hooks([
            hooks.IterationTimer(),
            hooks.LRScheduler(self.optimizer, self.scheduler),
            hooks.PeriodicWriter(args.log_period),
        ])

    @staticmethod
    def build_train_loader(args):
        g = torch.Generator().manual_seed(0)
        n = args.num_rois
        feats = torch.randn(n, args.feat_dim, generator=g)
        labels = torch.randint(0, args.num_classes + 1, (n,), generator=g)
        deltas = torch.randn(n, 4, generator=g) * 0.1
        return DataLoader(TensorDataset(feats, labels, deltas), batch_size=args.rois_per_batch,
                          shuffle=True, drop_last=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-lr", type=float, default=0.02)
    parser.add_argument("--max-iter", type=int, default=90000)
    parser.add_argument("--warmup-iters", type=int, default=1000)
    parser.add_argument("--warmup-factor", type=float, default=0.001)
    parser.add_argument("--num-rois", type=int, default=65536)
    parser.add_argument("--rois-per-batch", type=int, default=512)
    parser.add_argument("--feat-dim", type=int, default=256)
    parser.add_argument("--num-classes", type=int, default=80)
    parser.add_argument("--log-period", type=int, default=20)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] %(name)s %(levelname)s: %(message)s")
    torch.manual_seed(0)
    DetTrainer(args).train(0, args.max_iter)


if __name__ == "__main__":
    main()
