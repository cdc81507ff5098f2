"""First-order MAML: the inner loop updates a copy of the weights by hand."""
import argparse
import copy

import torch
from torch import nn


def inner_adapt(model, x, y, inner_lr, steps):
    learner = copy.deepcopy(model)
    for _ in range(steps):
        loss = nn.functional.mse_loss(learner(x), y)
        grads = torch.autograd.grad(loss, list(learner.parameters()))
        with torch.no_grad():
            for p, g in zip(learner.parameters(), grads):
                p.add_(g, alpha=-inner_lr)
    return learner


def sample_task(n=10):
    a, phase = torch.rand(1) * 4.9 + 0.1, torch.rand(1) * 3.14
    x = torch.rand(2 * n, 1) * 10 - 5
    return x[:n], a * torch.sin(x[:n] + phase), x[n:], a * torch.sin(x[n:] + phase)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meta_lr", type=float, default=1e-3)
    ap.add_argument("--inner_lr", type=float, default=1e-2)
    ap.add_argument("--inner_steps", type=int, default=1)
    ap.add_argument("--iterations", type=int, default=10000)
    ap.add_argument("--tasks_per_batch", type=int, default=4)
    args = ap.parse_args()

    model = nn.Sequential(nn.Linear(1, 40), nn.ReLU(), nn.Linear(40, 1))
    meta_opt = torch.optim.Adam(model.parameters(), lr=args.meta_lr)
    for it in range(args.iterations):
        meta_opt.zero_grad()
        for _ in range(args.tasks_per_batch):
            xs, ys, xq, yq = sample_task()
            learner = inner_adapt(model, xs, ys, args.inner_lr, args.inner_steps)
            query_loss = nn.functional.mse_loss(learner(xq), yq)
            grads = torch.autograd.grad(query_loss, list(learner.parameters()))
            for p, g in zip(model.parameters(), grads):
                p.grad = g / args.tasks_per_batch if p.grad is None else p.grad + g / args.tasks_per_batch
        meta_opt.step()
        if it % 500 == 0:
            print(f"it {it} query loss {query_loss.item():.3f}")


if __name__ == "__main__":
    main()
