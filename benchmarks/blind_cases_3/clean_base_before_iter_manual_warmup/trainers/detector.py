import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from engine import BaseTrainer


class TinyDetector(nn.Module):
    """Backbone + class head + box head over a fixed grid of anchors (a YOLO-ish toy)."""

    def __init__(self, num_classes=3, num_anchors=16, width=32):
        super().__init__()
        self.num_classes = num_classes
        self.num_anchors = num_anchors
        self.backbone = nn.Sequential(
            nn.Conv2d(3, width, 3, 2, 1), nn.BatchNorm2d(width), nn.SiLU(),
            nn.Conv2d(width, width, 3, 2, 1), nn.BatchNorm2d(width), nn.SiLU(),
            nn.AdaptiveAvgPool2d(4),
        )
        self.cls_head = nn.Conv2d(width, num_classes, 1)
        self.box_head = nn.Conv2d(width, 4, 1)

    def forward(self, x):
        feat = self.backbone(x)
        cls = self.cls_head(feat).flatten(2).transpose(1, 2)  # B x A x C
        box = self.box_head(feat).flatten(2).transpose(1, 2)  # B x A x 4
        return cls, box


class DetectorTrainer(BaseTrainer):
    def build_model(self):
        return TinyDetector(self.cfg.num_classes)

    def build_optimizer(self):
        backbone = [p for n, p in self.model.named_parameters() if n.startswith("backbone.")]
        heads = [p for n, p in self.model.named_parameters() if not n.startswith("backbone.")]
        # heads train at 10x the backbone LR; BaseTrainer scales each group's initial_lr
        return torch.optim.SGD([
            {"params": backbone, "lr": self.cfg.lr},
            {"params": heads, "lr": self.cfg.lr * self.cfg.head_lr_mult},
        ], lr=self.cfg.lr, momentum=0.937, nesterov=True, weight_decay=self.cfg.weight_decay)

    def build_train_loader(self):
        g = torch.Generator().manual_seed(self.cfg.seed)
        n, s = self.cfg.num_images, self.cfg.img_size
        images = torch.randn(n, 3, s, s, generator=g)
        cls_t = torch.randint(0, self.cfg.num_classes, (n, 16), generator=g)
        box_t = torch.rand(n, 16, 4, generator=g)
        return DataLoader(TensorDataset(images, cls_t, box_t), batch_size=self.cfg.batch_size,
                          shuffle=True, drop_last=True, generator=g)

    def run_step(self, batch):
        images, cls_t, box_t = batch
        cls, box = self.model(images)
        loss_cls = F.cross_entropy(cls.reshape(-1, cls.size(-1)), cls_t.reshape(-1))
        loss_box = F.smooth_l1_loss(box.sigmoid(), box_t)
        loss = loss_cls + self.cfg.box_weight * loss_box
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
