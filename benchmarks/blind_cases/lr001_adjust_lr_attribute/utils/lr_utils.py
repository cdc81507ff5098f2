import math


def cosine_lr(base_lr, epoch, total_epochs, min_lr=0.0):
    return min_lr + (base_lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * epoch / total_epochs))


def adjust_learning_rate(optimizer, epoch, args):
    """Linear warmup for `args.warmup_epochs`, then half-cycle cosine down to `args.min_lr`."""
    if epoch < args.warmup_epochs:
        lr = args.lr * (epoch + 1) / args.warmup_epochs
    else:
        lr = cosine_lr(args.lr, epoch - args.warmup_epochs,
                       args.epochs - args.warmup_epochs, args.min_lr)
    optimizer.lr = lr
    return lr
