import torch
from torch.utils.data import DataLoader
from transformers import get_cosine_schedule_with_warmup


def build_optimization(model, train_dataset, training_args, warmup_ratio=0.05):
    optimizer = torch.optim.AdamW(model.parameters(), lr=training_args.learning_rate,
                                  weight_decay=training_args.weight_decay)
    loader = DataLoader(train_dataset, batch_size=training_args.per_device_train_batch_size)
    total_steps = len(loader) * int(training_args.num_train_epochs)
    scheduler = get_cosine_schedule_with_warmup(optimizer, int(warmup_ratio * total_steps), total_steps)
    return optimizer, scheduler
