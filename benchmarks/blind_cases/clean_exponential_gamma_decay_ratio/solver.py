import torch


def make_optimizer(cfg, model):
    return torch.optim.Adam(model.parameters(), lr=cfg.solver.base_lr, weight_decay=cfg.solver.weight_decay)


def make_scheduler(cfg, optimizer):
    # Exponential decay from base_lr to final_lr over the whole run.
    gamma = (cfg.solver.final_lr / cfg.solver.base_lr) ** (1.0 / cfg.solver.epochs)
    return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=gamma)
