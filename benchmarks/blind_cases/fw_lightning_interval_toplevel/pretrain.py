import argparse

import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset

from lit_lm import LitLanguageModel

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--warmup_steps", type=int, default=500)
    ap.add_argument("--batch_size", type=int, default=32)
    ap.add_argument("--num_sequences", type=int, default=200000)
    args = ap.parse_args()
    tokens = torch.randint(0, 5000, (args.num_sequences, 65))
    loader = DataLoader(TensorDataset(tokens), batch_size=args.batch_size, shuffle=True, num_workers=0)
    model = LitLanguageModel(warmup_steps=args.warmup_steps)
    trainer = L.Trainer(max_epochs=args.epochs, gradient_clip_val=1.0, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False)
    trainer.fit(model, loader)
