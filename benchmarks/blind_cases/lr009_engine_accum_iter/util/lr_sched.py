import math

from torch.optim.lr_scheduler import LambdaLR


def cosine_with_warmup(optimizer, warmup_steps, total_steps):
    """Linear warmup then cosine; the factor is applied to each group's initial LR."""
    def factor(step):
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))
    return LambdaLR(optimizer, factor)
