import torch

from solver.lr_scheduler import WarmupMultiStepLR


def make_optimizer(cfg, model):
    params = []
    for key, value in model.named_parameters():
        if not value.requires_grad:
            continue
        lr = cfg.base_lr
        weight_decay = cfg.weight_decay
        if "bias" in key:
            lr = cfg.base_lr * cfg.bias_lr_factor
            weight_decay = cfg.weight_decay_bias
        params += [{"params": [value], "lr": lr, "weight_decay": weight_decay}]
    return torch.optim.SGD(params, lr=cfg.base_lr, momentum=cfg.momentum)


def make_lr_scheduler(cfg, optimizer):
    return WarmupMultiStepLR(
        optimizer,
        cfg.steps,
        cfg.gamma,
        warmup_factor=cfg.warmup_factor,
        warmup_iters=cfg.warmup_iters,
        warmup_method=cfg.warmup_method,
    )
