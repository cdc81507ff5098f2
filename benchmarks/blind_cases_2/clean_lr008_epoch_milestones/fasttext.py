import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class FastText(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_classes):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, mode="mean")
        self.fc = nn.Linear(embed_dim, num_classes)
        self.embedding.weight.data.uniform_(-0.5, 0.5)
        self.fc.weight.data.uniform_(-0.5, 0.5)
        self.fc.bias.data.zero_()

    def forward(self, tokens):
        return self.fc(self.embedding(tokens))


def synthetic_corpus(s, seed=0):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, s.num_classes, (s.train_size,), generator=g)
    tokens = torch.randint(0, s.vocab_size, (s.train_size, s.seq_len), generator=g)
    # plant a class-specific keyword so the task is learnable
    tokens[:, 0] = labels + 1
    return DataLoader(TensorDataset(tokens, labels), batch_size=s.batch_size, shuffle=True)
