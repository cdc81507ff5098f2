import argparse

import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset

from module import AudioTagger

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--max_epochs", type=int, default=40)
    ap.add_argument("--patience", type=int, default=3)
    ap.add_argument("--n", type=int, default=10000)
    args = ap.parse_args()
    torch.manual_seed(0)
    x = torch.randn(args.n, 40)
    y = (x[:, 0] + x[:, 1] > 0).long()
    train_loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(x, y), batch_size=256)
    trainer = L.Trainer(max_epochs=args.max_epochs, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, num_sanity_val_steps=0)
    trainer.fit(AudioTagger(patience=args.patience), train_loader, val_loader)
