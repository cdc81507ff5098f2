"""Train and eval functions used in main.py."""
import math
import sys
import time
from collections import defaultdict

import torch


class MetricLogger:
    def __init__(self, delimiter="  "):
        self.meters = defaultdict(list)
        self.delimiter = delimiter

    def update(self, **kwargs):
        for k, v in kwargs.items():
            self.meters[k].append(float(v))

    def summary(self):
        return {k: sum(v) / len(v) for k, v in self.meters.items() if v}

    def __str__(self):
        return self.delimiter.join(f"{k}: {v[-1]:.4f}" for k, v in self.meters.items() if v)


def train_one_epoch(model, criterion, data_loader, optimizer, device, epoch,
                    max_norm=0.0, print_freq=10):
    model.train(True)
    metric_logger = MetricLogger()
    header = f"Epoch: [{epoch}]"
    start = time.time()
    for it, (samples, targets) in enumerate(data_loader):
        samples = samples.to(device, non_blocking=True)
        targets = targets.to(device, non_blocking=True)

        outputs = model(samples)
        loss = criterion(outputs, targets)
        loss_value = loss.item()
        if not math.isfinite(loss_value):
            print(f"Loss is {loss_value}, stopping training")
            sys.exit(1)

        optimizer.zero_grad()
        loss.backward()
        if max_norm > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()

        metric_logger.update(loss=loss_value, lr=optimizer.param_groups[0]["lr"])
        if it % print_freq == 0:
            print(f"{header} [{it}/{len(data_loader)}] {metric_logger}")
    print(f"{header} done in {time.time() - start:.1f}s")
    return metric_logger.summary()


@torch.no_grad()
def evaluate(data_loader, model, device):
    criterion = torch.nn.CrossEntropyLoss()
    model.eval()
    metric_logger = MetricLogger()
    for samples, targets in data_loader:
        samples, targets = samples.to(device), targets.to(device)
        output = model(samples)
        acc1 = (output.argmax(-1) == targets).float().mean() * 100
        metric_logger.update(loss=criterion(output, targets).item(), acc1=acc1.item())
    return metric_logger.summary()
