import argparse

import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset

from system import SegmentationSystem


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max_epochs", type=int, default=50)
    ap.add_argument("--batch_size", type=int, default=8)
    ap.add_argument("--num_images", type=int, default=1464)
    args = ap.parse_args()
    images = torch.randn(args.num_images, 3, 8, 8)
    masks = torch.randint(0, 21, (args.num_images, 8, 8))
    loader = DataLoader(TensorDataset(images, masks), batch_size=args.batch_size, shuffle=True)
    trainer = L.Trainer(max_epochs=args.max_epochs, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False)
    trainer.fit(SegmentationSystem(), loader)


if __name__ == "__main__":
    main()
