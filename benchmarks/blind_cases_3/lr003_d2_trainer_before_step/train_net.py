"""Training script.

    python train_net.py
    python train_net.py SOLVER.MAX_ITER 2000 SOLVER.STEPS 1200,1600 SOLVER.WARMUP_ITERS 100
"""
import argparse
import logging

import torch

from config import get_cfg
from data import build_train_loader
from engine import IterationTimer, PeriodicWriter, SimpleTrainer
from modeling import build_model
from solver import build_lr_scheduler, build_optimizer

logger = logging.getLogger("train_net")


class Trainer(SimpleTrainer):
    """SimpleTrainer plus the LR schedule and default hooks."""

    def __init__(self, cfg):
        model = build_model(cfg)
        optimizer = build_optimizer(cfg, model)
        data_loader = build_train_loader(cfg)
        super().__init__(model, data_loader, optimizer)
        self.cfg = cfg
        self.scheduler = build_lr_scheduler(cfg, optimizer)
        self.register_hooks([IterationTimer(), PeriodicWriter(cfg.SOLVER.LOG_PERIOD)])

    def before_step(self):
        super().before_step()
        # advance the schedule to this iteration and log the LR it will train with
        self.scheduler.step()
        self.storage.put_scalar("lr", self.optimizer.param_groups[0]["lr"])

    def train(self):
        super().train(0, self.cfg.SOLVER.MAX_ITER)


def setup(args):
    cfg = get_cfg()
    cfg.merge_from_list(args.opts)
    torch.manual_seed(cfg.SEED)
    return cfg


def main(args):
    cfg = setup(args)
    trainer = Trainer(cfg)
    trainer.train()
    logger.info("done: %d iterations", trainer.iter)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    parser = argparse.ArgumentParser()
    parser.add_argument("opts", nargs=argparse.REMAINDER, help="KEY VALUE config overrides")
    main(parser.parse_args())
