from timm.scheduler.cosine_lr import CosineLRScheduler


def build_scheduler(cfg, optimizer, n_iter_per_epoch):
    num_steps = int(cfg["train"]["epochs"] * n_iter_per_epoch)
    warmup_steps = int(cfg["train"]["warmup_epochs"] * n_iter_per_epoch)
    return CosineLRScheduler(
        optimizer,
        t_initial=num_steps,
        lr_min=cfg["train"]["min_lr"],
        warmup_lr_init=cfg["train"]["warmup_lr"],
        warmup_t=warmup_steps,
        cycle_limit=1,
        t_in_epochs=False,
    )
