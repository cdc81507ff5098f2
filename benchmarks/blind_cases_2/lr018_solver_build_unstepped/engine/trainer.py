import logging
import time

import torch
import torch.nn.functional as F

logger = logging.getLogger(__name__)


def train_one_epoch(model, data_loader, optimizer, epoch, log_period=20):
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    start = time.perf_counter()
    for it, (inputs, targets) in enumerate(data_loader):
        logits = model(inputs)
        loss = F.cross_entropy(logits, targets)

        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

        total_loss += loss.item() * inputs.size(0)
        correct += (logits.argmax(dim=1) == targets).sum().item()
        seen += inputs.size(0)
        if (it + 1) % log_period == 0:
            logger.info(
                "epoch %d iter %d/%d loss %.4f lr %.6f",
                epoch, it + 1, len(data_loader), loss.item(), optimizer.param_groups[0]["lr"],
            )
    return {
        "loss": total_loss / max(seen, 1),
        "acc": correct / max(seen, 1),
        "time": time.perf_counter() - start,
    }


def do_train(cfg, model, data_loader, optimizer, start_epoch=0):
    max_epochs = cfg["SOLVER"]["MAX_EPOCHS"]
    log_period = cfg["SOLVER"]["LOG_PERIOD"]
    logger.info("Start training for %d epochs", max_epochs)
    for epoch in range(start_epoch, max_epochs):
        stats = train_one_epoch(model, data_loader, optimizer, epoch, log_period)
        logger.info(
            "epoch %d done: loss %.4f acc %.3f lr %.6f (%.1fs)",
            epoch, stats["loss"], stats["acc"], optimizer.param_groups[0]["lr"], stats["time"],
        )
    return model


@torch.no_grad()
def evaluate(model, data_loader):
    model.eval()
    correct, seen = 0, 0
    for inputs, targets in data_loader:
        correct += (model(inputs).argmax(dim=1) == targets).sum().item()
        seen += inputs.size(0)
    return correct / max(seen, 1)
