import torch
import torch.nn.functional as F


def train_one_epoch(model, loader, optimizer, device, epoch, log_interval=50):
    model.train()
    running = 0.0
    for batch_idx, (data, target) in enumerate(loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        loss = F.nll_loss(F.log_softmax(model(data), dim=1), target)
        loss.backward()
        optimizer.step()
        running += loss.item()
        if batch_idx % log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx}/{len(loader)}]\tLoss: {loss.item():.6f}")
    return running / len(loader)


@torch.no_grad()
def test(model, loader, device):
    model.eval()
    correct = 0
    for data, target in loader:
        correct += model(data.to(device)).argmax(1).eq(target.to(device)).sum().item()
    return correct / len(loader.dataset)
