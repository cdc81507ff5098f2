import time

import torch


def train_one_epoch(model, criterion, data_loader, optimizer, lr_scheduler, scaler, epoch, print_freq=20):
    model.train()
    start = time.time()
    for i, (samples, targets) in enumerate(data_loader):
        lr_scheduler.step()
        with torch.autocast(device_type="cuda", dtype=torch.float16, enabled=scaler.is_enabled()):
            outputs = model(samples)
            loss = criterion(outputs, targets)
        optimizer.zero_grad()
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        if i % print_freq == 0:
            print(f"Epoch [{epoch}] [{i}/{len(data_loader)}] loss {loss.item():.4f} "
                  f"lr {optimizer.param_groups[0]['lr']:.6f} time {time.time() - start:.1f}s")


@torch.no_grad()
def evaluate(model, data_loader):
    model.eval()
    correct = total = 0
    for samples, targets in data_loader:
        correct += (model(samples).argmax(-1) == targets).sum().item()
        total += targets.numel()
    return correct / max(1, total)
