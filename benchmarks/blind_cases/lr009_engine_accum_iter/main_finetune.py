import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from engine_finetune import train_one_epoch
from util.lr_sched import cosine_with_warmup


def get_args_parser():
    parser = argparse.ArgumentParser("fine-tuning", add_help=False)
    parser.add_argument("--batch_size", default=64, type=int, help="batch size per GPU")
    parser.add_argument("--accum_iter", default=4, type=int, help="accumulate gradient iterations")
    parser.add_argument("--epochs", default=50, type=int)
    parser.add_argument("--warmup_epochs", type=int, default=5)
    parser.add_argument("--blr", type=float, default=1e-3, help="base lr: absolute_lr = base_lr * total_batch_size / 256")
    parser.add_argument("--clip_grad", type=float, default=None)
    parser.add_argument("--num_samples", type=int, default=100000)
    return parser


def main(args):
    dataset = TensorDataset(torch.randn(args.num_samples, 48), torch.randint(0, 100, (args.num_samples,)))
    data_loader_train = DataLoader(dataset, batch_size=args.batch_size, shuffle=True, drop_last=True)
    model = nn.Sequential(nn.LayerNorm(48), nn.Linear(48, 100))

    eff_batch_size = args.batch_size * args.accum_iter
    lr = args.blr * eff_batch_size / 256
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.999), weight_decay=0.05)
    updates_per_epoch = len(data_loader_train) // args.accum_iter
    lr_scheduler = cosine_with_warmup(optimizer, args.warmup_epochs * updates_per_epoch,
                                      args.epochs * updates_per_epoch)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)

    for epoch in range(args.epochs):
        stats = train_one_epoch(model, criterion, data_loader_train, optimizer, lr_scheduler, epoch,
                                accum_iter=args.accum_iter, max_norm=args.clip_grad)
        print(f"epoch {epoch} {stats}")


if __name__ == "__main__":
    main(get_args_parser().parse_args())
