import argparse

import lightning as L

from datamodule import RandomImages
from model import LitClassifier


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max_epochs", type=int, default=30)
    parser.add_argument("--max_lr", type=float, default=1e-2)
    parser.add_argument("--batch_size", type=int, default=256)
    parser.add_argument("--num_samples", type=int, default=50000)
    args = parser.parse_args()

    L.seed_everything(42)
    dm = RandomImages(args.num_samples, args.batch_size)
    model = LitClassifier(max_lr=args.max_lr)
    trainer = L.Trainer(max_epochs=args.max_epochs, accelerator="auto", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False)
    trainer.fit(model, datamodule=dm)


if __name__ == "__main__":
    main()
