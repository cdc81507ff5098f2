import torch


def build_optimizer(cfg, model):
    return torch.optim.SGD(model.parameters(), lr=cfg["base_lr"], momentum=0.9, weight_decay=cfg["weight_decay"])


def build_lr_scheduler(cfg, optimizer, iters_per_epoch):
    # The engine steps the scheduler once per iteration, so size it in iterations.
    return torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=cfg["max_epochs"] * iters_per_epoch, eta_min=cfg["min_lr"]
    )
