import logging
import os
from collections import OrderedDict

import torch

logger = logging.getLogger("superres")


class BaseModel:
    """Base model: owns the networks, their optimizers and one LR scheduler per optimizer."""

    def __init__(self, opt):
        self.opt = opt
        self.device = torch.device("cpu")
        self.optimizers = {}
        self.schedulers = {}
        self.log_dict = OrderedDict()

    def setup_schedulers(self):
        """Subclasses fill self.schedulers (one entry per optimizer)."""
        raise NotImplementedError

    def feed_data(self, data):
        raise NotImplementedError

    def optimize_parameters(self, current_iter):
        raise NotImplementedError

    def update_learning_rate(self):
        for scheduler in self.schedulers.values():
            scheduler.step()

    def get_lr(self, name="net_g"):
        """LR that the next optimizer.step() of `name` will use."""
        return self.schedulers[name].get_last_lr()[0]

    def get_current_log(self):
        return self.log_dict

    def save_training_state(self, epoch, current_iter, path):
        state = {
            "epoch": epoch,
            "iter": current_iter,
            "optimizers": {k: o.state_dict() for k, o in self.optimizers.items()},
            "schedulers": {k: s.state_dict() for k, s in self.schedulers.items()},
        }
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        torch.save(state, path)
        logger.info("Saved training state to %s", path)
