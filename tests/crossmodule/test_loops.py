"""Miss shape 4: training loops not spelled ``for batch in loader``."""

from __future__ import annotations

import pytest
from lintkit import findings

EPOCH_COSINE = """
    import itertools
    import torch
    from torch.optim.lr_scheduler import CosineAnnealingLR

    EPOCHS = 90
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = CosineAnnealingLR(optimizer, T_max=EPOCHS)
"""


@pytest.mark.parametrize("loop", [
    # a step-counted while loop pulling batches from an iterator
    """
    data = iter(loader)
    step = 0
    while step < max_steps:
        batch = next(data)
        loss = model(batch).sum()
        loss.backward()
        optimizer.step()
        scheduler.step()
        step += 1
    """,
    # a range over training steps, batches from an iterator
    """
    data_iter = iter(train_loader)
    for step in range(num_training_steps):
        batch = next(data_iter)
        model(batch).sum().backward()
        optimizer.step()
        scheduler.step()
    """,
    # islice of the loader
    """
    for epoch in range(EPOCHS):
        for batch in itertools.islice(loader, steps_per_epoch):
            model(batch).sum().backward()
            optimizer.step()
            scheduler.step()
    """,
])
def test_epoch_counted_cosine_stepped_per_batch(loop):
    [finding] = findings(EPOCH_COSINE + loop, "LR008")
    assert "once per batch" in finding.message


def test_a_while_loop_over_epochs_is_not_a_batch_loop():
    assert findings(EPOCH_COSINE + """
    epoch = 0
    while epoch < EPOCHS:
        for batch in loader:
            model(batch).sum().backward()
            optimizer.step()
        scheduler.step()
        epoch += 1
    """, "LR008") == []
