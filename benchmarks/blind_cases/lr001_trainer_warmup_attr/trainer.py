import torch
import torch.nn.functional as F


class Trainer:
    def __init__(self, cfg, model, train_loader):
        self.cfg = cfg
        self.model = model
        self.train_loader = train_loader
        self.iteration = 0
        self.optimizer = torch.optim.AdamW(
            model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, betas=(0.9, 0.95)
        )

    def _warmup(self):
        if self.iteration < self.cfg.warmup_iters:
            self.optimizer.lr = self.cfg.lr * (self.iteration + 1) / self.cfg.warmup_iters

    def train_step(self, batch):
        x, y = batch
        self._warmup()
        loss = F.mse_loss(self.model(x), y)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()
        self.iteration += 1
        return loss.item()

    def fit(self):
        for epoch in range(self.cfg.max_epochs):
            for batch in self.train_loader:
                loss = self.train_step(batch)
                if self.iteration % self.cfg.log_every == 0:
                    print(f"it {self.iteration} loss {loss:.4f}")
