import argparse

import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset

from module import ViTClassifier

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--max_epochs", type=int, default=100)
    ap.add_argument("--warmup_epochs", type=int, default=5)
    ap.add_argument("--n", type=int, default=50000)
    args = ap.parse_args()
    data = TensorDataset(torch.randn(args.n, 64), torch.randint(0, 10, (args.n,)))
    loader = DataLoader(data, batch_size=128, shuffle=True)
    trainer = L.Trainer(max_epochs=args.max_epochs, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False)
    trainer.fit(ViTClassifier(warmup_epochs=args.warmup_epochs), loader)
