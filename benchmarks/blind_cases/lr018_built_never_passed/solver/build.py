import torch

from .lr_scheduler import WarmupMultiStepLR


def build_optimizer(cfg, model):
    params = []
    for key, value in model.named_parameters():
        if not value.requires_grad:
            continue
        lr = cfg["base_lr"]
        weight_decay = cfg["weight_decay"]
        if "bias" in key:
            lr = cfg["base_lr"] * cfg["bias_lr_factor"]
            weight_decay = 0.0
        params.append({"params": [value], "lr": lr, "weight_decay": weight_decay})
    return torch.optim.SGD(params, lr=cfg["base_lr"], momentum=cfg["momentum"])


def build_lr_scheduler(cfg, optimizer):
    return WarmupMultiStepLR(optimizer, cfg["steps"], cfg["gamma"],
                             warmup_factor=cfg["warmup_factor"], warmup_iters=cfg["warmup_iters"])
