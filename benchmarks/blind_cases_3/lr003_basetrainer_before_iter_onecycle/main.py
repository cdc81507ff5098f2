import argparse

import torch

from trainer import TextClsTrainer


def get_args():
    p = argparse.ArgumentParser(description="Text classification")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--pct-start", type=float, default=0.3)
    p.add_argument("--clip-grad", type=float, default=1.0)
    p.add_argument("--vocab-size", type=int, default=5000)
    p.add_argument("--embed-dim", type=int, default=128)
    p.add_argument("--num-classes", type=int, default=4)
    p.add_argument("--seq-len", type=int, default=64)
    p.add_argument("--num-samples", type=int, default=20000)
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--seed", type=int, default=42)
    return p.parse_args()


def main():
    cfg = get_args()
    torch.manual_seed(cfg.seed)
    trainer = TextClsTrainer(cfg)
    trainer.train()
    torch.save(trainer.model.state_dict(), "model_final.pt")


if __name__ == "__main__":
    main()
