"""Optimizer / LR schedule factories shared by the pretraining and finetuning entry points."""
import math

import torch
from torch.optim.lr_scheduler import LambdaLR


def param_groups_weight_decay(model, weight_decay=1e-5, no_weight_decay_list=()):
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if param.ndim <= 1 or name.endswith(".bias") or name in no_weight_decay_list:
            no_decay.append(param)
        else:
            decay.append(param)
    return [
        {"params": no_decay, "weight_decay": 0.0},
        {"params": decay, "weight_decay": weight_decay},
    ]


def create_optimizer(args, model):
    groups = param_groups_weight_decay(model, args.weight_decay)
    opt = args.opt.lower()
    if opt == "adamw":
        return torch.optim.AdamW(groups, lr=args.lr, betas=tuple(args.opt_betas), eps=args.opt_eps)
    if opt == "sgd":
        return torch.optim.SGD(groups, lr=args.lr, momentum=args.momentum, nesterov=True)
    raise ValueError(f"unsupported optimizer {args.opt}")


def create_scheduler(args, optimizer, n_iter_per_epoch):
    """Per-iteration linear warmup followed by cosine decay to args.min_lr."""
    warmup_iters = args.warmup_epochs * n_iter_per_epoch
    total_iters = args.epochs * n_iter_per_epoch
    min_ratio = args.min_lr / args.lr

    def lr_lambda(it):
        if it < warmup_iters:
            return (it + 1) / warmup_iters
        progress = (it - warmup_iters) / max(1, total_iters - warmup_iters)
        return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))

    return LambdaLR(optimizer, lr_lambda)
