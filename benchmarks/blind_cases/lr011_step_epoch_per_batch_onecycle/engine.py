import torch


def train_epoch(model, loader, optimizer, lr_scheduler, epoch, loss_fn, grad_clip=None):
    model.train()
    total_loss = 0.0
    for step, (inputs, labels) in enumerate(loader):
        outputs = model(inputs)
        loss = loss_fn(outputs, labels)
        optimizer.zero_grad()
        loss.backward()
        if grad_clip:
            torch.nn.utils.clip_grad_value_(model.parameters(), grad_clip)
        optimizer.step()
        lr_scheduler.step(epoch)
        total_loss += loss.item()
    return total_loss / len(loader)
