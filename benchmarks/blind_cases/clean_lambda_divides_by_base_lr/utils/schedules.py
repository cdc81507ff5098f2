import math


def warmup_cosine_lr(base_lr, warmup_steps, total_steps, min_lr=0.0):
    """Absolute learning rate at `step` (used for logging and by the LambdaLR factor below)."""
    def lr_at(step):
        if step < warmup_steps:
            return base_lr * (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return min_lr + 0.5 * (base_lr - min_lr) * (1.0 + math.cos(math.pi * min(progress, 1.0)))
    return lr_at


def as_factor(lr_at, base_lr):
    """LambdaLR multiplies the optimizer's initial LR by the returned value."""
    return lambda step: lr_at(step) / base_lr
