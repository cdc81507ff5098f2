import math

import torch
from transformers import get_cosine_schedule_with_warmup


def build_optimization(model, train_dataset, training_args, warmup_ratio=0.05):
    optimizer = torch.optim.AdamW(model.parameters(), lr=training_args.learning_rate,
                                  weight_decay=training_args.weight_decay)
    micro_batches = math.ceil(len(train_dataset) / training_args.per_device_train_batch_size)
    updates_per_epoch = math.ceil(micro_batches / training_args.gradient_accumulation_steps)
    total_steps = updates_per_epoch * int(training_args.num_train_epochs)
    scheduler = get_cosine_schedule_with_warmup(optimizer, math.ceil(warmup_ratio * total_steps), total_steps)
    return optimizer, scheduler
