import copy

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from core import BaseTrainer


def conv_bn(cin, cout, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class SmallConvNet(nn.Module):
    def __init__(self, num_classes=10, width=16):
        super().__init__()
        self.features = nn.Sequential(conv_bn(3, width), conv_bn(width, 2 * width, 2),
                                      conv_bn(2 * width, 4 * width, 2), nn.AdaptiveAvgPool2d(1))
        self.fc = nn.Linear(4 * width, num_classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


class ImageClsTrainer(BaseTrainer):
    """CIFAR-style recipe: SGD momentum 0.9, lr 0.1, x0.1 at the milestone epochs."""

    def build_model(self):
        model = SmallConvNet(self.cfg["num_classes"], self.cfg["width"])
        self.ema_model = copy.deepcopy(model).requires_grad_(False)
        return model

    def build_optimizer(self, model):
        return torch.optim.SGD(model.parameters(), lr=self.cfg["lr"], momentum=0.9,
                               weight_decay=self.cfg["weight_decay"], nesterov=True)

    def build_scheduler(self, optimizer):
        return torch.optim.lr_scheduler.MultiStepLR(
            optimizer, milestones=self.cfg["milestones"], gamma=self.cfg["lr_decay"])

    def build_loaders(self):
        g = torch.Generator().manual_seed(self.cfg["seed"])
        n, s = self.cfg["num_samples"], self.cfg["image_size"]
        x = torch.randn(n, 3, s, s, generator=g)
        y = torch.randint(0, self.cfg["num_classes"], (n,), generator=g)
        split = int(0.9 * n)
        train = TensorDataset(x[:split], y[:split])
        val = TensorDataset(x[split:], y[split:])
        bs = self.cfg["batch_size"]
        return (DataLoader(train, batch_size=bs, shuffle=True, drop_last=True, generator=g),
                DataLoader(val, batch_size=bs))

    def compute_loss(self, batch):
        images, targets = batch
        return F.cross_entropy(self.model(images), targets, label_smoothing=0.1)

    def after_iter(self):
        super().after_iter()
        # exponential moving average of the weights, evaluated instead of the raw model
        with torch.no_grad():
            for ema_p, p in zip(self.ema_model.parameters(), self.model.parameters()):
                ema_p.mul_(self.cfg["ema_decay"]).add_(p.detach(), alpha=1 - self.cfg["ema_decay"])
            for ema_b, b in zip(self.ema_model.buffers(), self.model.buffers()):
                ema_b.copy_(b)

    @torch.no_grad()
    def evaluate(self):
        model = self.ema_model.to(self.device).eval()
        correct = total = 0
        for images, targets in self.val_loader:
            images, targets = images.to(self.device), targets.to(self.device)
            correct += (model(images).argmax(1) == targets).sum().item()
            total += targets.numel()
        return correct / max(total, 1)

    def after_epoch(self):
        super().after_epoch()
        self.history[-1]["val_acc"] = self.evaluate()
        self.scheduler.step()
