import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from engine import evaluate, train_one_epoch
from warmup_scheduler import GradualWarmupScheduler


def get_args_parser():
    parser = argparse.ArgumentParser("cls training", add_help=False)
    parser.add_argument("--lr", default=0.4, type=float)
    parser.add_argument("--epochs", default=120, type=int)
    parser.add_argument("--warmup-iters", default=1000, type=int)
    parser.add_argument("--batch-size", default=128, type=int)
    parser.add_argument("--num-samples", default=100000, type=int)
    parser.add_argument("--amp", action="store_true")
    return parser


def main(args):
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    ds = TensorDataset(torch.randn(args.num_samples, 64), torch.randint(0, 100, (args.num_samples,)))
    train_loader = DataLoader(ds, batch_size=args.batch_size, shuffle=True, drop_last=True)
    val_loader = DataLoader(ds, batch_size=args.batch_size)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 100)).to(device)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=5e-5)
    total_iters = args.epochs * len(train_loader)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_iters - args.warmup_iters)
    lr_scheduler = GradualWarmupScheduler(optimizer, multiplier=1.0, total_epoch=args.warmup_iters,
                                          after_scheduler=cosine)
    scaler = torch.amp.GradScaler("cuda", enabled=args.amp and torch.cuda.is_available())

    for epoch in range(args.epochs):
        train_one_epoch(model, criterion, train_loader, optimizer, lr_scheduler, scaler, epoch)
        acc = evaluate(model, val_loader)
        print(f"epoch {epoch} acc@1 {acc:.4f}")


if __name__ == "__main__":
    main(get_args_parser().parse_args())
