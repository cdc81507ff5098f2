import torch
from torch.utils.data import DataLoader, TensorDataset


def make_loader(cfg):
    """Synthetic token sequences whose label depends on which half of the vocab dominates."""
    g = torch.Generator().manual_seed(cfg.seed)
    tokens = torch.randint(0, cfg.vocab_size, (cfg.num_samples, cfg.seq_len), generator=g)
    labels = ((tokens * cfg.num_classes) // cfg.vocab_size).mode(dim=1).values
    return DataLoader(TensorDataset(tokens, labels), batch_size=cfg.batch_size, shuffle=True,
                      drop_last=True, generator=g)
