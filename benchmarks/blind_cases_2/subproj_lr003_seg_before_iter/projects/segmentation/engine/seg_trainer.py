import os

import torch
import torch.nn.functional as F
from torch.optim.lr_scheduler import LambdaLR

from engine.base_trainer import BaseTrainer
from models.fcn import LiteFCN


class SegTrainer(BaseTrainer):
    """Semantic segmentation with SGD and the 'poly' learning-rate policy."""

    def build_model(self):
        return LiteFCN(num_classes=self.cfg["num_classes"], width=self.cfg["width"])

    def build_optimizer(self):
        backbone = [p for n, p in self.model.named_parameters() if n.startswith("backbone")]
        head = [p for n, p in self.model.named_parameters() if not n.startswith("backbone")]
        return torch.optim.SGD(
            [{"params": backbone, "lr": self.cfg["lr"]},
             {"params": head, "lr": self.cfg["lr"] * self.cfg["head_lr_mult"]}],
            lr=self.cfg["lr"], momentum=0.9, weight_decay=self.cfg["weight_decay"],
        )

    def before_train(self):
        power = self.cfg["poly_power"]
        max_iters = self.max_iters
        self.scheduler = LambdaLR(self.optimizer, lambda it: (1 - it / max_iters) ** power)

    def before_iter(self):
        self.scheduler.step()

    def compute_loss(self, batch):
        images, masks = batch
        return F.cross_entropy(self.model(images), masks, ignore_index=self.cfg["ignore_index"])

    def after_iter(self, loss):
        if (self.iter + 1) % self.cfg["log_period"] == 0:
            lrs = ", ".join(f"{g['lr']:.2e}" for g in self.optimizer.param_groups)
            self.logger.info("iter %d/%d  loss %.4f  lr [%s]", self.iter + 1, self.max_iters, loss.item(), lrs)

    def after_train(self):
        os.makedirs(self.cfg["output_dir"], exist_ok=True)
        torch.save(self.model.state_dict(), os.path.join(self.cfg["output_dir"], "model_final.pth"))
