#!/usr/bin/env python
"""Train an MLP classifier.

Usage:
    python train_net.py SOLVER.BASE_LR 0.01 SOLVER.MAX_EPOCHS 12
"""
import argparse
import logging
import os

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from config import get_cfg, merge_from_list
from engine.trainer import do_train, evaluate
from solver import build_lr_scheduler, build_optimizer

logger = logging.getLogger("train_net")


def build_model(cfg):
    m = cfg["MODEL"]
    return nn.Sequential(
        nn.Linear(m["IN_FEATURES"], m["HIDDEN_DIM"]),
        nn.BatchNorm1d(m["HIDDEN_DIM"]),
        nn.ReLU(inplace=True),
        nn.Dropout(m["DROPOUT"]),
        nn.Linear(m["HIDDEN_DIM"], m["NUM_CLASSES"]),
    )


def build_train_loader(cfg, is_train=True):
    # Synthetic stand-in for the real dataset (features pre-extracted offline).
    gen = torch.Generator().manual_seed(cfg["SEED"] + (0 if is_train else 1))
    n = cfg["DATALOADER"]["NUM_SAMPLES"]
    x = torch.randn(n, cfg["MODEL"]["IN_FEATURES"], generator=gen)
    y = torch.randint(0, cfg["MODEL"]["NUM_CLASSES"], (n,), generator=gen)
    return DataLoader(
        TensorDataset(x, y),
        batch_size=cfg["SOLVER"]["IMS_PER_BATCH"],
        shuffle=is_train,
        drop_last=is_train,
        num_workers=cfg["DATALOADER"]["NUM_WORKERS"],
    )


def setup(args):
    cfg = get_cfg()
    merge_from_list(cfg, args.opts)
    os.makedirs(cfg["OUTPUT_DIR"], exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s %(name)s] %(message)s")
    logger.info("Running with config: %s", cfg)
    torch.manual_seed(cfg["SEED"])
    return cfg


def main(args):
    cfg = setup(args)
    model = build_model(cfg)
    train_loader = build_train_loader(cfg)
    optimizer = build_optimizer(cfg, model)
    scheduler = build_lr_scheduler(cfg, optimizer)
    logger.info("Model:\n%s", model)

    do_train(cfg, model, train_loader, optimizer)

    acc = evaluate(model, build_train_loader(cfg, is_train=False))
    logger.info("Final val acc: %.4f", acc)
    torch.save({"model": model.state_dict()}, os.path.join(cfg["OUTPUT_DIR"], "model_final.pth"))


def default_argument_parser():
    parser = argparse.ArgumentParser(description="MLP training")
    parser.add_argument("--resume", action="store_true", help="resume from OUTPUT_DIR")
    parser.add_argument("--eval-only", action="store_true")
    parser.add_argument(
        "opts",
        default=None,
        nargs=argparse.REMAINDER,
        help="Modify config options using the command-line 'KEY VALUE' pairs",
    )
    return parser


if __name__ == "__main__":
    main(default_argument_parser().parse_args())
