import torch


def build_optimizer(args, model):
    return torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=args.wd)


def build_scheduler(args, optimizer):
    # Drop the LR by 10x when the validation metric stops improving.
    return torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode="min", factor=0.1, patience=args.patience, min_lr=1e-6
    )
