import argparse
import logging

import torch

from config import load_config
from dataset import SyntheticTrafficDataset
from trainer import Trainer


def main():
    parser = argparse.ArgumentParser(description="Train a GRU traffic forecaster")
    parser.add_argument("--set", nargs="*", default=[], metavar="SECTION.KEY=VALUE",
                        help="override entries of config.DEFAULT_CONFIG")
    args = parser.parse_args()

    logging.basicConfig(level=logging.INFO, format="%(asctime)s | %(message)s")
    cfg = load_config(args.set)
    torch.manual_seed(cfg["train"]["seed"])
    d = cfg["data"]
    train_set = SyntheticTrafficDataset(d["num_series"], d["history"], d["horizon"], d["num_windows"],
                                        seed=cfg["train"]["seed"])
    Trainer(cfg, train_set).fit()


if __name__ == "__main__":
    main()
