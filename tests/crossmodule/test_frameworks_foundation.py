"""The framework layer the framework rules build on: timm schedulers are schedulers with
their own stepping API, and the torch rules leave that API alone."""

from __future__ import annotations

from lintkit import findings

TIMM = """
    import torch
    from timm.scheduler import CosineLRScheduler, create_scheduler_v2

    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4)
"""


def test_timm_step_with_an_epoch_is_its_api_not_the_deprecated_torch_argument():
    assert findings(TIMM + """
    scheduler = CosineLRScheduler(optimizer, t_initial=300, warmup_t=5, warmup_lr_init=1e-6)
    for epoch in range(300):
        for batch in loader:
            optimizer.step()
        scheduler.step(epoch + 1)
    """, ["LR003", "LR011", "LR012", "LR018"]) == []


def test_timm_scheduler_stepped_only_with_step_update_is_stepped():
    assert findings(TIMM + """
    scheduler = CosineLRScheduler(optimizer, t_initial=300 * 1000, t_in_epochs=False)
    num_updates = 0
    for epoch in range(300):
        for batch in loader:
            optimizer.step()
            num_updates += 1
            scheduler.step_update(num_updates)
    """, "LR018") == []


def test_timm_factory_returns_the_scheduler_first():
    [finding] = findings(TIMM + """
    scheduler, num_epochs = create_scheduler_v2(optimizer, sched="cosine", num_epochs=300)
    for epoch in range(num_epochs):
        for batch in loader:
            optimizer.step()
    """, "LR018")
    assert "create_scheduler_v2" in finding.message
