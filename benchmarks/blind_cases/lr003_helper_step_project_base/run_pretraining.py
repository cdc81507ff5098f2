import argparse
import itertools

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from solver import LinearWarmUpScheduler, PolyScheduler
from utils.optim import optimizer_step


class Pretrainer:
    def __init__(self, args):
        self.args = args
        self.model = nn.Sequential(nn.Embedding(1000, 64), nn.Flatten(), nn.Linear(64 * 16, 1000))
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=args.learning_rate, weight_decay=0.01)
        if args.schedule == "linear":
            self.scheduler = LinearWarmUpScheduler(self.optimizer, warmup=args.warmup_proportion,
                                                   total_steps=args.max_steps)
        else:
            self.scheduler = PolyScheduler(self.optimizer, total_steps=args.max_steps)
        tokens = torch.randint(0, 1000, (args.num_samples, 16))
        self.loader = DataLoader(TensorDataset(tokens, tokens[:, 0]), batch_size=args.train_batch_size, shuffle=True)

    def train(self):
        criterion = nn.CrossEntropyLoss()
        batches = itertools.chain.from_iterable(itertools.repeat(self.loader))
        for global_step, (input_ids, labels) in enumerate(batches):
            if global_step >= self.args.max_steps:
                break
            self.scheduler.step()
            loss = criterion(self.model(input_ids), labels)
            optimizer_step(self.optimizer, loss, self.model.parameters(), self.args.max_grad_norm)
            if global_step % 200 == 0:
                print(f"step {global_step} loss {loss.item():.3f}")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--learning_rate", type=float, default=1e-4)
    p.add_argument("--max_steps", type=int, default=100000)
    p.add_argument("--warmup_proportion", type=float, default=0.01)
    p.add_argument("--schedule", default="linear", choices=["linear", "poly"])
    p.add_argument("--train_batch_size", type=int, default=256)
    p.add_argument("--max_grad_norm", type=float, default=1.0)
    p.add_argument("--num_samples", type=int, default=1000000)
    Pretrainer(p.parse_args()).train()
