"""Trainer classes.

``BaseTrainer.train()`` owns the loop and calls the overridable hooks; a task trainer only
implements ``build_*`` and ``compute_loss`` and, where it needs to, the hooks.
"""
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class BaseTrainer:
    def __init__(self, cfg):
        self.cfg = cfg
        self.device = torch.device(cfg.device)
        self.model = self.build_model().to(self.device)
        self.train_loader = self.build_dataloader()
        self.optimizer = self.build_optimizer()
        self.epoch = 0
        self.iter = 0  # global iteration
        self.inner_iter = 0
        self.max_epochs = cfg.epochs
        self.max_iters = self.max_epochs * len(self.train_loader)
        self.meters = {}

    # ---- to be implemented by subclasses ----------------------------------------------------
    def build_model(self):
        raise NotImplementedError

    def build_dataloader(self):
        raise NotImplementedError

    def build_optimizer(self):
        raise NotImplementedError

    def compute_loss(self, batch):
        raise NotImplementedError

    # ---- hooks (no-ops by default) ----------------------------------------------------------
    def before_train(self):
        pass

    def after_train(self):
        pass

    def before_epoch(self):
        pass

    def on_epoch_end(self):
        pass

    def before_iter(self):
        pass

    def after_iter(self):
        pass

    # ---- the loop ---------------------------------------------------------------------------
    def run_step(self, batch):
        self.model.train()
        loss = self.compute_loss(batch)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.cfg.clip_grad:
            nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.clip_grad)
        self.optimizer.step()
        self.meters["loss"] = loss.item()

    def train(self):
        self.before_train()
        for self.epoch in range(self.epoch, self.max_epochs):
            self.before_epoch()
            tic = time.time()
            for self.inner_iter, batch in enumerate(self.train_loader):
                batch = [t.to(self.device) for t in batch]
                self.before_iter()
                self.run_step(batch)
                self.after_iter()
                self.iter += 1
            self.meters["epoch_time"] = time.time() - tic
            self.on_epoch_end()
        self.after_train()


class TextClsTrainer(BaseTrainer):
    """Bag-of-embeddings text classifier trained with AdamW + one-cycle."""

    def build_model(self):
        cfg = self.cfg
        return nn.Sequential(
            nn.EmbeddingBag(cfg.vocab_size, cfg.embed_dim, mode="mean"),
            nn.Dropout(0.1),
            nn.Linear(cfg.embed_dim, cfg.num_classes),
        )

    def build_dataloader(self):
        from data import make_loader

        return make_loader(self.cfg)

    def build_optimizer(self):
        return torch.optim.AdamW(self.model.parameters(), lr=self.cfg.lr,
                                 weight_decay=self.cfg.weight_decay)

    def before_train(self):
        self.scheduler = torch.optim.lr_scheduler.OneCycleLR(
            self.optimizer,
            max_lr=self.cfg.lr,
            total_steps=self.max_iters,
            pct_start=self.cfg.pct_start,
            anneal_strategy="cos",
            div_factor=25.0,
            final_div_factor=1e4,
        )

    def compute_loss(self, batch):
        tokens, labels = batch
        return F.cross_entropy(self.model(tokens), labels)

    def before_iter(self):
        self.scheduler.step()
        self.meters["lr"] = self.scheduler.get_last_lr()[0]

    def after_iter(self):
        if (self.iter + 1) % self.cfg.log_every == 0:
            print(f"epoch {self.epoch} iter {self.iter + 1}/{self.max_iters} "
                  f"loss {self.meters['loss']:.4f} lr {self.meters['lr']:.3e}", flush=True)

    def on_epoch_end(self):
        print(f"epoch {self.epoch} done in {self.meters['epoch_time']:.1f}s", flush=True)
