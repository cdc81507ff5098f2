"""Builders for optimizers and epoch-based LR schedulers from config dicts."""
import copy

import torch
from torch.optim import lr_scheduler as sched


def build_optimizer(model, cfg):
    cfg = copy.deepcopy(cfg)
    opt_type = cfg.pop("type")
    return getattr(torch.optim, opt_type)(model.parameters(), **cfg)


def build_scheduler(lr_cfg, optimizer, max_epochs):
    policy = lr_cfg["policy"]
    if policy == "step":
        return sched.MultiStepLR(optimizer, milestones=lr_cfg["step"], gamma=lr_cfg.get("gamma", 0.1))
    if policy == "cosine":
        warmup = lr_cfg.get("warmup_epochs", 0)
        cosine = sched.CosineAnnealingLR(optimizer, T_max=max_epochs - warmup, eta_min=lr_cfg["min_lr"])
        if warmup == 0:
            return cosine
        ramp = sched.LinearLR(optimizer, start_factor=0.1, total_iters=warmup)
        return sched.SequentialLR(optimizer, [ramp, cosine], milestones=[warmup])
    raise KeyError(f"unknown lr policy {policy!r}")
