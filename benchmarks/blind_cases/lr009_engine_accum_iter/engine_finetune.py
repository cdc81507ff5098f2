import math
import sys

import torch


def train_one_epoch(model, criterion, data_loader, optimizer, lr_scheduler, epoch, accum_iter=1, max_norm=None):
    model.train(True)
    optimizer.zero_grad()
    for data_iter_step, (samples, targets) in enumerate(data_loader):
        outputs = model(samples)
        loss = criterion(outputs, targets)
        loss_value = loss.item()
        if not math.isfinite(loss_value):
            print(f"Loss is {loss_value}, stopping training")
            sys.exit(1)

        loss = loss / accum_iter
        loss.backward()
        if (data_iter_step + 1) % accum_iter == 0:
            if max_norm is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            optimizer.step()
            optimizer.zero_grad()
        lr_scheduler.step()

    return {"loss": loss_value, "lr": optimizer.param_groups[0]["lr"]}
