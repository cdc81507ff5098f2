import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from trainer.checkpoint import Checkpointer


def resume(checkpointer, model, optimizer, lr_scheduler):
    path = checkpointer.last_checkpoint()
    if path is None:
        return 0
    ckpt = torch.load(path, map_location="cpu")
    model.load_state_dict(ckpt["model"])
    optimizer.load_state_dict(ckpt["optimizer"])
    lr_scheduler.load_state_dict(ckpt["lr_scheduler"])
    return ckpt["iteration"] + 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-iter", type=int, default=90000)
    ap.add_argument("--base-lr", type=float, default=0.02)
    ap.add_argument("--steps", type=int, nargs="+", default=[60000, 80000])
    ap.add_argument("--checkpoint-period", type=int, default=5000)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--output-dir", default="output")
    args = ap.parse_args()

    model = nn.Linear(16, 4)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.base_lr, momentum=0.9)
    lr_scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=args.steps, gamma=0.1)
    checkpointer = Checkpointer(args.output_dir, model, optimizer, lr_scheduler)
    start_iter = resume(checkpointer, model, optimizer, lr_scheduler) if args.resume else 0

    data = TensorDataset(torch.randn(512, 16), torch.randint(0, 4, (512,)))
    batches = iter(DataLoader(data, batch_size=8, shuffle=True))
    for iteration in range(start_iter, args.max_iter):
        try:
            x, y = next(batches)
        except StopIteration:
            batches = iter(DataLoader(data, batch_size=8, shuffle=True))
            x, y = next(batches)
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        lr_scheduler.step()
        if (iteration + 1) % args.checkpoint_period == 0:
            checkpointer.save(f"model_{iteration:07d}", iteration=iteration)


if __name__ == "__main__":
    main()
