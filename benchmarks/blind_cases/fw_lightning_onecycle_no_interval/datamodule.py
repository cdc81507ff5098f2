import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset


class RandomImages(L.LightningDataModule):
    def __init__(self, num_samples=50000, batch_size=256):
        super().__init__()
        self.num_samples = num_samples
        self.batch_size = batch_size

    def setup(self, stage=None):
        g = torch.Generator().manual_seed(0)
        x = torch.randn(self.num_samples, 3, 8, 8, generator=g)
        y = torch.randint(0, 10, (self.num_samples,), generator=g)
        self.train_set = TensorDataset(x, y)
        self.val_set = TensorDataset(x[:512], y[:512])

    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=self.batch_size)
