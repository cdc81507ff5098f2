import torch


def build_optimizer(cfg, model):
    return torch.optim.SGD(model.parameters(), lr=cfg["base_lr"], momentum=0.9, weight_decay=1e-4)


def build_lr_scheduler(cfg, optimizer):
    return torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=cfg["steps"], gamma=0.1)
