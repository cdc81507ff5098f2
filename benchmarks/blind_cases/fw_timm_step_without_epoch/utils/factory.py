from timm.scheduler import CosineLRScheduler, StepLRScheduler


def create_lr_scheduler(name, optimizer, epochs, warmup_epochs, decay_epochs=30, lr_min=1e-5):
    if name == "cosine":
        return CosineLRScheduler(optimizer, t_initial=epochs, lr_min=lr_min,
                                 warmup_t=warmup_epochs, warmup_lr_init=1e-6)
    if name == "step":
        return StepLRScheduler(optimizer, decay_t=decay_epochs, decay_rate=0.1,
                               warmup_t=warmup_epochs, warmup_lr_init=1e-6)
    raise ValueError(name)
