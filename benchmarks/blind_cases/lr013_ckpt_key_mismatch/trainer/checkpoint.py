import os

import torch


class Checkpointer:
    def __init__(self, save_dir, model, optimizer, scheduler):
        self.save_dir = save_dir
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler

    def save(self, name, **extra):
        os.makedirs(self.save_dir, exist_ok=True)
        data = {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
        }
        data.update(extra)
        path = os.path.join(self.save_dir, f"{name}.pth")
        torch.save(data, path)
        with open(os.path.join(self.save_dir, "last_checkpoint"), "w") as f:
            f.write(path)

    def last_checkpoint(self):
        marker = os.path.join(self.save_dir, "last_checkpoint")
        if not os.path.exists(marker):
            return None
        with open(marker) as f:
            return f.read().strip()
