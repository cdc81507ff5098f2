"""Semantic segmentation training with the usual "linear decay to zero" iteration schedule."""
import argparse

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def linear_lr(base_lr, cur_iter, decay_iters):
    return base_lr * (1.0 - cur_iter / decay_iters)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-lr", type=float, default=0.01)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--decay-epochs", type=int, default=80, help="epochs over which the LR decays to 0")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--num-samples", type=int, default=2975)
    args = parser.parse_args()

    images = torch.randn(args.num_samples, 3, 8, 8)
    masks = torch.randint(0, 19, (args.num_samples, 8, 8))
    loader = DataLoader(TensorDataset(images, masks), batch_size=args.batch_size, shuffle=True, drop_last=True)
    model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 19, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.base_lr, momentum=0.9, weight_decay=1e-4)

    decay_iters = args.decay_epochs * len(loader)
    cur_iter = 0
    for epoch in range(args.epochs):
        model.train()
        for image, target in loader:
            lr = linear_lr(args.base_lr, cur_iter, decay_iters)
            for param_group in optimizer.param_groups:
                param_group["lr"] = lr
            loss = F.cross_entropy(model(image), target, ignore_index=255)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            cur_iter += 1
        print(f"epoch {epoch} lr {lr:.6f} loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
