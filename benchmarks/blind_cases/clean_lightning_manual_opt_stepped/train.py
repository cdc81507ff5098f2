import argparse

import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset

from gan import GAN

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--max_epochs", type=int, default=100)
    ap.add_argument("--lr_decay_epochs", type=int, default=100)
    ap.add_argument("--n", type=int, default=60000)
    args = ap.parse_args()
    loader = DataLoader(TensorDataset(torch.randn(args.n, 32)), batch_size=64, shuffle=True)
    trainer = L.Trainer(max_epochs=args.max_epochs, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False)
    trainer.fit(GAN(lr_decay_epochs=args.lr_decay_epochs), loader)
