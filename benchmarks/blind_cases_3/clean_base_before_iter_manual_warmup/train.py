import argparse

import torch

from trainers.detector import DetectorTrainer


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--max-epoch", type=int, default=300)
    p.add_argument("--warmup-epochs", type=int, default=3)
    p.add_argument("--warmup-ratio", type=float, default=0.01)
    p.add_argument("--min-lr-ratio", type=float, default=0.05)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--head-lr-mult", type=float, default=10.0)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--num-images", type=int, default=12800)
    p.add_argument("--img-size", type=int, default=64)
    p.add_argument("--num-classes", type=int, default=3)
    p.add_argument("--box-weight", type=float, default=5.0)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


if __name__ == "__main__":
    cfg = parse()
    torch.manual_seed(cfg.seed)
    DetectorTrainer(cfg).train()
