import argparse
import json

import torch

from tasks.cls_trainer import ImageClsTrainer


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--config", default="configs/cifar_sgd.json")
    p.add_argument("--output-dir", default="outputs/cifar_sgd")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--num-samples", type=int)
    p.add_argument("--image-size", type=int)
    p.add_argument("--cpu", action="store_true")
    return p.parse_args()


def main():
    args = parse_args()
    with open(args.config) as f:
        cfg = json.load(f)
    for key in ("epochs", "batch_size", "lr", "num_samples", "image_size"):
        if getattr(args, key) is not None:
            cfg[key] = getattr(args, key)
    cfg["cpu"] = cfg["cpu"] or args.cpu
    torch.manual_seed(cfg["seed"])
    trainer = ImageClsTrainer(cfg, args.output_dir)
    trainer.train()


if __name__ == "__main__":
    main()
