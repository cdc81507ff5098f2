import argparse

import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset

from litmodel import TextClassifier

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--max_epochs", type=int, default=3)
    ap.add_argument("--warmup_steps", type=int, default=100)
    ap.add_argument("--n", type=int, default=120000)
    ap.add_argument("--batch_size", type=int, default=32)
    args = ap.parse_args()
    ids = torch.randint(0, 10000, (args.n, 32))
    loader = DataLoader(TensorDataset(ids, ids[:, 0] % 4), batch_size=args.batch_size, shuffle=True)
    trainer = L.Trainer(max_epochs=args.max_epochs, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False)
    trainer.fit(TextClassifier(warmup_steps=args.warmup_steps), loader)
