import torch


def train_one_epoch(model, criterion, data_loader, optimizer, lr_scheduler, scaler, clip_grad=None):
    model.train()
    for samples, targets in data_loader:
        with torch.autocast(device_type="cuda", dtype=torch.float16, enabled=scaler.is_enabled()):
            loss = criterion(model(samples), targets)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        if clip_grad is not None:
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip_grad)
        scaler.step(optimizer)
        scaler.update()
        lr_scheduler.step()
    return loss.item()
