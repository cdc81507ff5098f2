import math

import torch
from torch.utils.data import Dataset


class SyntheticTrafficDataset(Dataset):
    """Sliding windows over a synthetic multi-sensor speed signal (daily periodicity + noise)."""

    def __init__(self, num_series, history, horizon, num_windows, seed=0):
        g = torch.Generator().manual_seed(seed)
        length = num_windows + history + horizon
        t = torch.arange(length, dtype=torch.float32)
        phase = torch.rand(num_series, 1, generator=g) * 2 * math.pi
        base = 60 + 10 * torch.sin(2 * math.pi * t / 288 + phase)
        self.signal = (base + torch.randn(num_series, length, generator=g)).t().contiguous()
        self.mean, self.std = self.signal.mean(), self.signal.std()
        self.history, self.horizon, self.num_windows = history, horizon, num_windows

    def __len__(self):
        return self.num_windows

    def __getitem__(self, idx):
        x = self.signal[idx: idx + self.history]
        y = self.signal[idx + self.history: idx + self.history + self.horizon]
        return (x - self.mean) / self.std, (y - self.mean) / self.std
