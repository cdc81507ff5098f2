"""Transformer-style warmup written as a local function and passed to LambdaLR."""
import math

import torch
from torch.optim.lr_scheduler import LambdaLR

WARMUP = 400
TOTAL = 4000


def warmup_then_cosine(step):
    if step < WARMUP:
        return (step + 1) / WARMUP
    progress = (step - WARMUP) / (TOTAL - WARMUP)
    return 0.5 * (1.0 + math.cos(math.pi * progress))


model = torch.nn.Linear(16, 16)
optimizer = torch.optim.Adam(model.parameters(), lr=6e-4)
scheduler = LambdaLR(optimizer, lr_lambda=warmup_then_cosine)

for step in range(TOTAL):
    optimizer.zero_grad()
    model(torch.randn(4, 16)).sum().backward()
    optimizer.step()
    scheduler.step()
