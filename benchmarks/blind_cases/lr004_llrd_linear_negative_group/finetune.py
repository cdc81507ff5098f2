import argparse

import torch
from torch.utils.data import DataLoader, TensorDataset

from model import Classifier
from optim_factory import build_optimizer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=2e-5)
    parser.add_argument("--layer_decay", type=float, default=0.1)
    parser.add_argument("--weight_decay", type=float, default=0.01)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--num_samples", type=int, default=8000)
    args = parser.parse_args()

    model = Classifier(num_layers=12)
    ids = torch.randint(0, 500, (args.num_samples, 24))
    loader = DataLoader(TensorDataset(ids, ids[:, 0] % 2), batch_size=args.batch_size, shuffle=True)
    optimizer = build_optimizer(args, model)
    total = args.epochs * len(loader)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / total)
    for epoch in range(args.epochs):
        for ids, labels in loader:
            loss = torch.nn.functional.cross_entropy(model(ids), labels)
            loss.backward()
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
        print(f"epoch {epoch} loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
