import logging

import torch

logger = logging.getLogger(__name__)


def build_optimizer(cfg, model):
    solver = cfg["SOLVER"]
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        (no_decay if param.ndim <= 1 else decay).append(param)
    params = [
        {"params": decay, "weight_decay": solver["WEIGHT_DECAY"]},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    if solver["OPTIMIZER"] == "SGD":
        return torch.optim.SGD(
            params,
            lr=solver["BASE_LR"],
            momentum=solver["MOMENTUM"],
            nesterov=solver["NESTEROV"],
        )
    if solver["OPTIMIZER"] == "AdamW":
        return torch.optim.AdamW(params, lr=solver["BASE_LR"])
    raise ValueError("Unknown optimizer {}".format(solver["OPTIMIZER"]))


def build_lr_scheduler(cfg, optimizer):
    """Build an epoch-based LR scheduler from cfg.SOLVER."""
    solver = cfg["SOLVER"]
    name = solver["LR_SCHEDULER_NAME"]
    logger.info("Using LR scheduler %s", name)
    if name == "MultiStepLR":
        steps = [s for s in solver["STEPS"] if s < solver["MAX_EPOCHS"]]
        if len(steps) != len(solver["STEPS"]):
            logger.warning("SOLVER.STEPS contains values larger than SOLVER.MAX_EPOCHS; ignored")
        return torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=steps, gamma=solver["GAMMA"])
    if name == "CosineAnnealingLR":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=solver["MAX_EPOCHS"])
    raise ValueError("Unknown LR scheduler: {}".format(name))
