import torch


def build_scheduler(args, optimizer):
    # The monitored value is the top-1 *error* (lower is better).
    return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.1, patience=args.patience)
