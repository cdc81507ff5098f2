import torch
from torch import nn


class FineTuner:
    def __init__(self, model, loader, cfg, callbacks=()):
        self.model = model
        self.loader = loader
        self.cfg = cfg
        self.callbacks = list(callbacks)
        self.criterion = nn.CrossEntropyLoss()
        self.epoch = 0

    def _make_scheduler(self, epochs_left):
        return torch.optim.lr_scheduler.CosineAnnealingLR(
            self.optimizer, T_max=epochs_left * len(self.loader), eta_min=self.cfg.lr * 0.01
        )

    def configure(self):
        for p in self.model.backbone.parameters():
            p.requires_grad = False
        self.optimizer = torch.optim.AdamW(self.model.head.parameters(), lr=self.cfg.lr, weight_decay=1e-2)
        self.scheduler = self._make_scheduler(self.cfg.epochs)

    def unfreeze(self):
        for p in self.model.backbone.parameters():
            p.requires_grad = True
        self.optimizer = torch.optim.AdamW([
            {"params": self.model.backbone.parameters(), "lr": self.cfg.lr * self.cfg.backbone_lr_mult},
            {"params": self.model.head.parameters(), "lr": self.cfg.lr},
        ], weight_decay=1e-2)
        # the old scheduler is bound to the old optimizer: start a fresh one for the remaining epochs
        self.scheduler = self._make_scheduler(self.cfg.epochs - self.epoch)

    def fit(self):
        self.configure()
        for self.epoch in range(self.cfg.epochs):
            for cb in self.callbacks:
                cb.on_epoch_start(self, self.epoch)
            self.model.train()
            for x, y in self.loader:
                loss = self.criterion(self.model(x), y)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                self.scheduler.step()
            print(f"epoch {self.epoch} loss {loss.item():.4f}")
