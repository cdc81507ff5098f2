import torch
from torch.utils.data import Dataset


class ToyTokenDataset(Dataset):
    """Stands in for a tokenized dataset: fixed-length token ids with a label."""

    def __init__(self, size, seq_len=16, vocab=1000, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.input_ids = torch.randint(0, vocab, (size, seq_len), generator=g)
        self.labels = (self.input_ids[:, 0] % 2).long()

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.input_ids[i], "labels": self.labels[i]}
