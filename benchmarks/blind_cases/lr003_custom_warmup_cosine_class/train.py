import argparse
import logging

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from utils.scheduler import WarmupCosineSchedule, WarmupLinearSchedule

logger = logging.getLogger(__name__)


def setup(args):
    model = nn.Sequential(nn.Linear(48, 128), nn.ReLU(), nn.Linear(128, args.num_classes))
    data = TensorDataset(torch.randn(args.num_samples, 48), torch.randint(0, args.num_classes, (args.num_samples,)))
    loader = DataLoader(data, batch_size=args.train_batch_size, shuffle=True)
    return model, loader


def train(args, model, train_loader):
    optimizer = torch.optim.SGD(model.parameters(), lr=args.learning_rate, momentum=0.9,
                                weight_decay=args.weight_decay)
    t_total = args.num_steps
    if args.decay_type == "cosine":
        scheduler = WarmupCosineSchedule(optimizer, warmup_steps=args.warmup_steps, t_total=t_total)
    else:
        scheduler = WarmupLinearSchedule(optimizer, warmup_steps=args.warmup_steps, t_total=t_total)
    loss_fct = nn.CrossEntropyLoss()

    global_step = 0
    model.zero_grad()
    while True:
        model.train()
        for x, y in train_loader:
            scheduler.step()
            loss = loss_fct(model(x), y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.max_grad_norm)
            optimizer.step()
            optimizer.zero_grad()
            global_step += 1
            if global_step % 100 == 0:
                logger.info("step %d loss %.4f lr %.6f", global_step, loss.item(), scheduler.get_last_lr()[0])
            if global_step >= t_total:
                break
        if global_step >= t_total:
            break


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--learning_rate", default=3e-2, type=float)
    parser.add_argument("--weight_decay", default=0, type=float)
    parser.add_argument("--num_steps", default=10000, type=int)
    parser.add_argument("--decay_type", choices=["cosine", "linear"], default="cosine")
    parser.add_argument("--warmup_steps", default=500, type=int)
    parser.add_argument("--max_grad_norm", default=1.0, type=float)
    parser.add_argument("--train_batch_size", default=512, type=int)
    parser.add_argument("--num_classes", default=10, type=int)
    parser.add_argument("--num_samples", default=50000, type=int)
    args = parser.parse_args()
    model, loader = setup(args)
    train(args, model, loader)


if __name__ == "__main__":
    main()
