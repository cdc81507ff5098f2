"""The torch rules on timm schedulers: silent where torch's semantics do not apply to timm's
API, still right where they do (a timm scheduler holds its optimizer like a torch one)."""

from __future__ import annotations

from lintkit import findings

HEAD = """
    import torch
    from timm.scheduler import CosineLRScheduler, StepLRScheduler

    model = torch.nn.Linear(10, 1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4)
"""
TORCH_RULES = ["LR008", "LR009", "LR011", "LR013", "LR014", "LR015", "LR016", "LR018"]


def test_checkpoint_without_a_timm_scheduler_loses_nothing():
    """timm's state_dict is its configuration: the position is what the loop passes, so saving
    it would not change a resume (LR013 is about torch's step counter)."""
    source = HEAD + """
    scheduler = CosineLRScheduler(optimizer, t_initial=300 * len(loader), t_in_epochs=False)
    checkpoint = torch.load("last.pt")
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    for epoch in range(checkpoint["epoch"] + 1, 300):
        num_steps = len(loader)
        for idx, batch in enumerate(loader):
            optimizer.zero_grad()
            model(batch).mean().backward()
            optimizer.step()
            scheduler.step_update(epoch * num_steps + idx)
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "epoch": epoch}, "last.pt")
    """
    assert findings(source, TORCH_RULES) == []
    torch_scheduler = source.replace(
        "CosineLRScheduler(optimizer, t_initial=300 * len(loader), t_in_epochs=False)",
        "torch.optim.lr_scheduler.StepLR(optimizer, 30)").replace(
        "scheduler.step_update(epoch * num_steps + idx)", "scheduler.step()")
    assert [d.code for d in findings(torch_scheduler, "LR013")] == ["LR013"]


def test_a_timm_scheduler_built_afresh_in_a_resumed_loop_resumes_in_place():
    """The loop hands a fresh timm scheduler its absolute position (epoch * len(loader)), so a
    resume at the saved epoch continues the curve; the same loop around a torch scheduler
    restarts it."""
    source = HEAD + """
    scheduler = CosineLRScheduler(optimizer, t_initial=300 * len(loader), t_in_epochs=False)
    checkpoint = torch.load("last.pt")
    optimizer.load_state_dict(checkpoint["optimizer"])
    start_epoch = checkpoint["epoch"] + 1
    for epoch in range(start_epoch, 300):
        for idx, batch in enumerate(loader):
            optimizer.step()
            scheduler.step_update(epoch * len(loader) + idx)
        torch.save({"model": model.state_dict(), "epoch": epoch}, "last.pt")
    """
    assert findings(source, "LR013") == []
    torch_scheduler = source.replace(
        "CosineLRScheduler(optimizer, t_initial=300 * len(loader), t_in_epochs=False)",
        "torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, 300 * len(loader))").replace(
        "scheduler.step_update(epoch * len(loader) + idx)", "scheduler.step()")
    assert [d.code for d in findings(torch_scheduler, "LR013")] == ["LR013"]


def test_timm_stepping_api_is_not_torchs():
    assert findings(HEAD + """
    warm = StepLRScheduler(optimizer, decay_t=30, decay_rate=0.1)
    cosine = CosineLRScheduler(optimizer, t_initial=300 * len(loader), t_in_epochs=False)
    updates = 0
    for epoch in range(300):
        if epoch == 100:
            for group in optimizer.param_groups:
                group["lr"] = 1e-5
        for i, batch in enumerate(loader):
            model(batch).mean().backward()
            if (i + 1) % 4 == 0:
                optimizer.step()
                optimizer.zero_grad()
                updates += 1
            cosine.step_update(updates)
        warm.step(epoch + 1)
    """, TORCH_RULES) == []


def test_a_rebuilt_optimizer_leaves_a_timm_scheduler_behind_too():
    [finding] = findings(HEAD + """
    scheduler = CosineLRScheduler(optimizer, t_initial=300)
    for epoch in range(300):
        if epoch == 10:
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for batch in loader:
            optimizer.step()
        scheduler.step(epoch + 1)
    """, TORCH_RULES)
    assert finding.code == "LR014"
