import torch
from torch.utils.data import DataLoader, Dataset


class SyntheticClsDataset(Dataset):
    """Random features with a fixed linear labelling, standing in for a real dataset."""

    def __init__(self, num_samples, in_features, num_classes, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randn(num_samples, in_features, generator=g)
        w = torch.randn(in_features, num_classes, generator=g)
        self.y = (self.x @ w).argmax(dim=1)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, idx):
        return {"image": self.x[idx], "label": self.y[idx]}


def build_train_loader(cfg):
    ds = SyntheticClsDataset(cfg.DATALOADER.NUM_SAMPLES, cfg.MODEL.IN_FEATURES, cfg.MODEL.NUM_CLASSES,
                             seed=cfg.SEED)
    return DataLoader(ds, batch_size=cfg.DATALOADER.IMS_PER_BATCH, shuffle=True, drop_last=True)
