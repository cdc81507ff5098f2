import argparse

import torch
from torch import nn
from torch.utils.data import TensorDataset

from trainer import SequenceClassifierTrainer


class BagOfWords(nn.Module):
    def __init__(self, vocab=3000, dim=64, num_labels=2):
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab, dim)
        self.classifier = nn.Linear(dim, num_labels)

    def forward(self, ids):
        return self.classifier(self.embed(ids))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--learning_rate", type=float, default=2e-5)
    parser.add_argument("--weight_decay", type=float, default=0.01)
    parser.add_argument("--warmup_proportion", type=float, default=0.1)
    parser.add_argument("--num_epochs", type=int, default=3)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--num_examples", type=int, default=67349)
    args = parser.parse_args()
    ids = torch.randint(0, 3000, (args.num_examples, 24))
    dataset = TensorDataset(ids, (ids[:, 0] > 1500).long())
    SequenceClassifierTrainer(BagOfWords(), dataset, args).train()
