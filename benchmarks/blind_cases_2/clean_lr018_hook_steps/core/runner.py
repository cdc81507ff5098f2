import torch
import torch.nn.functional as F


class EpochBasedRunner:
    def __init__(self, model, optimizer, work_dir):
        self.model = model
        self.optimizer = optimizer
        self.work_dir = work_dir
        self.hooks = []
        self.epoch = 0
        self.inner_iter = 0
        self.iters_per_epoch = 0
        self.outputs = {}
        self.log_buffer = {}

    def register_hook(self, hook):
        self.hooks.append(hook)
        self.hooks.sort(key=lambda h: h.priority)

    def call_hook(self, fn_name):
        for hook in self.hooks:
            getattr(hook, fn_name)(self)

    def current_lr(self):
        return self.optimizer.param_groups[0]["lr"]

    def save_checkpoint(self, path):
        torch.save({"epoch": self.epoch + 1, "state_dict": self.model.state_dict(),
                    "optimizer": self.optimizer.state_dict()}, path)

    def train_epoch(self, data_loader):
        self.model.train()
        self.iters_per_epoch = len(data_loader)
        self.log_buffer = {}
        self.call_hook("before_train_epoch")
        total = 0.0
        for i, (img, label) in enumerate(data_loader):
            self.inner_iter = i
            loss = F.cross_entropy(self.model(img), label)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            self.outputs = {"loss": loss.item()}
            total += loss.item()
            self.call_hook("after_train_iter")
        self.log_buffer["loss"] = total / max(1, len(data_loader))
        self.call_hook("after_train_epoch")

    def run(self, data_loader, max_epochs):
        self.call_hook("before_run")
        while self.epoch < max_epochs:
            self.train_epoch(data_loader)
            self.epoch += 1
        self.call_hook("after_run")
