import math
import time

import torch
import torch.nn.functional as F


def train(model, loader, optimizer, scheduler, max_iter, log_interval=100, eval_fn=None, eval_interval=5000):
    """Train for exactly max_iter optimizer updates; scheduler milestones are iteration indices."""
    iters_per_epoch = len(loader)
    num_epochs = math.ceil(max_iter / iters_per_epoch)
    iteration = 0
    tic = time.time()
    for epoch in range(num_epochs):
        model.train()
        for feats, labels in loader:
            logits = model(feats)
            loss = F.cross_entropy(logits, labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            iteration += 1

            if iteration % log_interval == 0:
                print(f"[ep {epoch:3d} | it {iteration:6d}/{max_iter}] loss={loss.item():.4f} "
                      f"lr={scheduler.get_last_lr()[0]:.2e} ({time.time() - tic:.1f}s)")
            if eval_fn is not None and iteration % eval_interval == 0:
                print(f"[it {iteration}] val acc={eval_fn(model):.4f}")
            if iteration >= max_iter:
                return iteration
    return iteration


@torch.no_grad()
def accuracy(model, loader):
    model.eval()
    hit = tot = 0
    for feats, labels in loader:
        hit += (model(feats).argmax(-1) == labels).sum().item()
        tot += labels.numel()
    return hit / max(tot, 1)
