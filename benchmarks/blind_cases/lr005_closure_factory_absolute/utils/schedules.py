"""Step -> learning-rate functions shared by the pretraining and fine-tuning scripts."""
import math


def warmup_cosine(base_lr, warmup_steps, total_steps, min_lr=0.0):
    def schedule(step):
        if step < warmup_steps:
            return base_lr * (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return min_lr + 0.5 * (base_lr - min_lr) * (1.0 + math.cos(math.pi * min(progress, 1.0)))
    return schedule


def constant(base_lr):
    return lambda step: base_lr
