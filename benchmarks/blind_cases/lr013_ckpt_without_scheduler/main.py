import argparse

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from utils.checkpoint import load_checkpoint, save_checkpoint

parser = argparse.ArgumentParser(description="PyTorch ImageNet Training")
parser.add_argument("--epochs", default=90, type=int)
parser.add_argument("--lr", default=0.1, type=float)
parser.add_argument("--milestones", default=[30, 60, 80], type=int, nargs="+")
parser.add_argument("--resume", default="", type=str, help="path to latest checkpoint")
parser.add_argument("--output-dir", default="checkpoints")
parser.add_argument("--num-samples", default=128000, type=int)


def train(loader, model, criterion, optimizer):
    model.train()
    for images, target in loader:
        loss = criterion(model(images), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def validate(loader, model):
    model.eval()
    with torch.no_grad():
        hits = sum((model(x).argmax(1) == y).sum().item() for x, y in loader)
    return 100.0 * hits / len(loader.dataset)


def main():
    args = parser.parse_args()
    data = TensorDataset(torch.randn(args.num_samples, 32), torch.randint(0, 10, (args.num_samples,)))
    train_loader = DataLoader(data, batch_size=256, shuffle=True)
    val_loader = DataLoader(data, batch_size=1024)
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), args.lr, momentum=0.9, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=args.milestones, gamma=0.1)

    start_epoch, best_acc1 = 0, 0.0
    if args.resume:
        start_epoch, best_acc1 = load_checkpoint(args.resume, model, optimizer)
        print(f"=> resumed from '{args.resume}' (epoch {start_epoch})")

    for epoch in range(start_epoch, args.epochs):
        train(train_loader, model, criterion, optimizer)
        scheduler.step()
        acc1 = validate(val_loader, model)
        is_best = acc1 > best_acc1
        best_acc1 = max(acc1, best_acc1)
        save_checkpoint({
            "epoch": epoch + 1,
            "arch": "mlp",
            "state_dict": model.state_dict(),
            "best_acc1": best_acc1,
            "optimizer": optimizer.state_dict(),
        }, is_best, args.output_dir)
        print(f"epoch {epoch} acc1 {acc1:.2f} lr {optimizer.param_groups[0]['lr']}")


if __name__ == "__main__":
    main()
