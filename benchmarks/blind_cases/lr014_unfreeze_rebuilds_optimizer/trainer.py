import torch
from torch import nn


class FineTuner:
    def __init__(self, model, loader, cfg, callbacks=()):
        self.model = model
        self.loader = loader
        self.cfg = cfg
        self.callbacks = list(callbacks)
        self.criterion = nn.CrossEntropyLoss()

    def configure(self):
        for p in self.model.backbone.parameters():
            p.requires_grad = False
        self.optimizer = torch.optim.AdamW(self.model.head.parameters(), lr=self.cfg.lr, weight_decay=1e-2)
        self.scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
            self.optimizer, T_max=self.cfg.epochs * len(self.loader), eta_min=self.cfg.lr * 0.01
        )

    def unfreeze(self):
        for p in self.model.backbone.parameters():
            p.requires_grad = True
        self.optimizer = torch.optim.AdamW([
            {"params": self.model.backbone.parameters(), "lr": self.cfg.lr * self.cfg.backbone_lr_mult},
            {"params": self.model.head.parameters(), "lr": self.cfg.lr},
        ], weight_decay=1e-2)

    def fit(self):
        self.configure()
        for epoch in range(self.cfg.epochs):
            for cb in self.callbacks:
                cb.on_epoch_start(self, epoch)
            self.model.train()
            for x, y in self.loader:
                loss = self.criterion(self.model(x), y)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                self.scheduler.step()
            print(f"epoch {epoch} loss {loss.item():.4f}")
