import logging
import os

import torch
from torch import nn
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader

log = logging.getLogger(__name__)


class GRUForecaster(nn.Module):
    def __init__(self, num_series, horizon, hidden_size, num_layers, dropout):
        super().__init__()
        self.encoder = nn.GRU(num_series, hidden_size, num_layers, batch_first=True,
                              dropout=dropout if num_layers > 1 else 0.0)
        self.head = nn.Linear(hidden_size, num_series * horizon)
        self.num_series, self.horizon = num_series, horizon

    def forward(self, x):
        _, h = self.encoder(x)
        return self.head(h[-1]).view(-1, self.horizon, self.num_series)


class Trainer:
    def __init__(self, cfg, train_set):
        self.cfg = cfg
        d, m, o = cfg["data"], cfg["model"], cfg["optim"]
        self.model = GRUForecaster(d["num_series"], d["horizon"], m["hidden_size"], m["num_layers"], m["dropout"])
        self.loader = DataLoader(train_set, batch_size=d["batch_size"], shuffle=True, drop_last=True)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=o["base_lr"], weight_decay=o["weight_decay"])
        self.scheduler = StepLR(self.optimizer, step_size=o["lr_step"], gamma=o["lr_gamma"])
        self.criterion = nn.L1Loss()
        self.global_step = 0

    def train_epoch(self, epoch):
        self.model.train()
        running = 0.0
        for x, y in self.loader:
            pred = self.model(x)
            loss = self.criterion(pred, y)
            self.optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg["optim"]["clip_grad_norm"])
            self.optimizer.step()
            self.scheduler.step()

            running += loss.item()
            self.global_step += 1
            if self.global_step % self.cfg["train"]["log_every"] == 0:
                log.info("epoch %d step %d mae %.4f lr %.2e", epoch, self.global_step,
                         loss.item(), self.optimizer.param_groups[0]["lr"])
        return running / len(self.loader)

    def save(self, epoch):
        os.makedirs(self.cfg["train"]["save_dir"], exist_ok=True)
        torch.save({"epoch": epoch, "model": self.model.state_dict(),
                    "optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict()},
                   os.path.join(self.cfg["train"]["save_dir"], "last.pt"))

    def fit(self):
        for epoch in range(self.cfg["train"]["epochs"]):
            mae = self.train_epoch(epoch)
            log.info("epoch %d train mae %.4f", epoch, mae)
            self.save(epoch)
