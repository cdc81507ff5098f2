"""Fine-tuning a transformer: AdamW + linear warmup/decay, loader length not known statically."""
import torch
from transformers import get_linear_schedule_with_warmup

num_training_steps = 3000
num_warmup_steps = int(0.06 * num_training_steps)


def fine_tune(model, train_dataloader):
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5, eps=1e-8)
    lr_scheduler = get_linear_schedule_with_warmup(
        optimizer, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps
    )
    model.train()
    while True:
        for batch in train_dataloader:
            outputs = model(**batch)
            outputs.loss.backward()
            optimizer.step()
            lr_scheduler.step()
            optimizer.zero_grad()
