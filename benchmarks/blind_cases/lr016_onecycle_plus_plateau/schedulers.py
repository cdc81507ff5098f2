import torch


def build_schedulers(cfg, optimizer, steps_per_epoch):
    """Per-batch one-cycle, plus a safety net that cuts the LR when validation stalls."""
    one_cycle = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=cfg["max_lr"], epochs=cfg["epochs"], steps_per_epoch=steps_per_epoch,
        pct_start=cfg.get("pct_start", 0.25),
    )
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=cfg["patience"])
    return one_cycle, plateau
