"""Fast.ai-style one-cycle training: OneCycleLR stepped after every batch."""
import torch
from torch.optim import AdamW
from torch.optim.lr_scheduler import OneCycleLR

NUM_EPOCHS = 8
STEPS_PER_EPOCH = 250
MAX_LR = 3e-3


def make_batches(count):
    return (torch.randn(64, 32) for _ in range(count))


model = torch.nn.Linear(32, 10)
optimizer = AdamW(model.parameters(), lr=MAX_LR / 25, weight_decay=0.01)
scheduler = OneCycleLR(
    optimizer,
    max_lr=MAX_LR,
    epochs=NUM_EPOCHS,
    steps_per_epoch=STEPS_PER_EPOCH,
    pct_start=0.3,
)

for epoch in range(NUM_EPOCHS):
    for batch in make_batches(STEPS_PER_EPOCH):
        loss = model(batch).square().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
