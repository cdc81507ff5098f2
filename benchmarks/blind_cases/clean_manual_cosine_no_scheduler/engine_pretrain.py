import torch

from util import lr_sched


def train_one_epoch(model, data_loader, optimizer, epoch, args):
    model.train(True)
    optimizer.zero_grad()
    for data_iter_step, (samples, _) in enumerate(data_loader):
        # per-iteration (not per-epoch) lr schedule
        if data_iter_step % args.accum_iter == 0:
            lr_sched.adjust_learning_rate(optimizer, data_iter_step / len(data_loader) + epoch, args)
        loss = model(samples).pow(2).mean()
        (loss / args.accum_iter).backward()
        if (data_iter_step + 1) % args.accum_iter == 0:
            optimizer.step()
            optimizer.zero_grad()
    return loss.item()
