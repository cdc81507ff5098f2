import argparse
import datetime
import json
import os
import time
from pathlib import Path

import torch
from torch.utils.data import DataLoader, TensorDataset

from engine import evaluate, train_one_epoch
from models import create_model
from optim_factory import create_optimizer, create_scheduler


def get_args_parser():
    parser = argparse.ArgumentParser("PatchMLP training and evaluation script", add_help=False)
    parser.add_argument("--batch-size", default=64, type=int)
    parser.add_argument("--epochs", default=300, type=int)
    parser.add_argument("--model", default="patch_mlp_tiny", type=str)
    parser.add_argument("--nb-classes", default=100, type=int)
    parser.add_argument("--num-samples", default=1024, type=int, help="size of the synthetic train set")
    # Optimizer parameters
    parser.add_argument("--opt", default="adamw", type=str)
    parser.add_argument("--opt-eps", default=1e-8, type=float)
    parser.add_argument("--opt-betas", default=[0.9, 0.999], type=float, nargs="+")
    parser.add_argument("--clip-grad", type=float, default=0.0)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--weight-decay", type=float, default=0.05)
    # Learning rate schedule parameters
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--min-lr", type=float, default=1e-5)
    parser.add_argument("--warmup-epochs", type=int, default=5)
    parser.add_argument("--output-dir", default="")
    parser.add_argument("--resume", default="")
    parser.add_argument("--start-epoch", default=0, type=int)
    parser.add_argument("--eval", action="store_true")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", default=0, type=int)
    return parser


def build_dataset(args, is_train):
    g = torch.Generator().manual_seed(args.seed + int(not is_train))
    n = args.num_samples if is_train else max(args.num_samples // 4, args.batch_size)
    images = torch.randn(n, 3, 32, 32, generator=g)
    labels = torch.randint(0, args.nb_classes, (n,), generator=g)
    return TensorDataset(images, labels)


def main(args):
    print(args)
    device = torch.device(args.device)
    torch.manual_seed(args.seed)

    dataset_train = build_dataset(args, is_train=True)
    dataset_val = build_dataset(args, is_train=False)
    data_loader_train = DataLoader(dataset_train, batch_size=args.batch_size, shuffle=True, drop_last=True)
    data_loader_val = DataLoader(dataset_val, batch_size=args.batch_size, shuffle=False)

    model = create_model(args.model, args.nb_classes).to(device)
    n_parameters = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print("number of params:", n_parameters)

    optimizer = create_optimizer(args, model)
    lr_scheduler = create_scheduler(args, optimizer, len(data_loader_train))
    criterion = torch.nn.CrossEntropyLoss(label_smoothing=0.1)

    output_dir = Path(args.output_dir) if args.output_dir else None
    if args.resume:
        checkpoint = torch.load(args.resume, map_location="cpu")
        model.load_state_dict(checkpoint["model"])
        if "optimizer" in checkpoint and "epoch" in checkpoint:
            optimizer.load_state_dict(checkpoint["optimizer"])
            lr_scheduler.load_state_dict(checkpoint["lr_scheduler"])
            args.start_epoch = checkpoint["epoch"] + 1

    if args.eval:
        print(evaluate(data_loader_val, model, device))
        return

    print(f"Start training for {args.epochs} epochs")
    start_time = time.time()
    max_accuracy = 0.0
    for epoch in range(args.start_epoch, args.epochs):
        train_stats = train_one_epoch(
            model, criterion, data_loader_train, optimizer, device, epoch, args.clip_grad,
        )
        if output_dir:
            torch.save({
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "lr_scheduler": lr_scheduler.state_dict(),
                "epoch": epoch,
                "args": vars(args),
            }, output_dir / "checkpoint.pth")

        test_stats = evaluate(data_loader_val, model, device)
        max_accuracy = max(max_accuracy, test_stats["acc1"])
        print(f"Accuracy on {len(dataset_val)} test images: {test_stats['acc1']:.1f}% (max {max_accuracy:.2f}%)")
        log_stats = {**{f"train_{k}": v for k, v in train_stats.items()},
                     **{f"test_{k}": v for k, v in test_stats.items()},
                     "epoch": epoch, "n_parameters": n_parameters}
        if output_dir:
            with (output_dir / "log.txt").open("a") as f:
                f.write(json.dumps(log_stats) + "\n")

    total_time = time.time() - start_time
    print("Training time {}".format(str(datetime.timedelta(seconds=int(total_time)))))


if __name__ == "__main__":
    parser = argparse.ArgumentParser("PatchMLP training", parents=[get_args_parser()])
    args = parser.parse_args()
    if args.output_dir:
        Path(args.output_dir).mkdir(parents=True, exist_ok=True)
    main(args)
