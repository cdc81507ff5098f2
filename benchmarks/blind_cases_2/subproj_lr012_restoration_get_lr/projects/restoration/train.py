"""Train a denoiser.

Run from the repository root:
    python projects/restoration/train.py --noise-sigma 25
"""
import argparse
import logging
import math
import os

import torch
from torch.utils.data import DataLoader, Dataset

from models.model_plain import ModelPlain


def default_options():
    return {
        "task": "dncnn25",
        "model": "plain",
        "gpu_ids": [0],
        "is_train": True,
        "scale": 1,
        "n_channels": 1,
        "path": {"root": "denoising", "models": "denoising/dncnn25/models"},
        "datasets": {"train": {"H_size": 40, "sigma": 25, "dataloader_batch_size": 64, "num_patches": 6400}},
        "netG": {"net_type": "dncnn", "in_nc": 1, "out_nc": 1, "nc": 64, "nb": 17},
        "train": {
            "G_lossfn_type": "l1",
            "G_lossfn_weight": 1.0,
            "G_optimizer_lr": 1e-4,
            "G_optimizer_wd": 0,
            "G_optimizer_clipgrad": 0,
            "G_scheduler_milestones": [200000, 400000, 600000, 800000, 1000000, 2000000],
            "G_scheduler_gamma": 0.5,
            "total_iters": 1000000,
            "checkpoint_test": 5000,
            "checkpoint_save": 5000,
            "checkpoint_print": 200,
        },
    }


class DatasetDnCNN(Dataset):
    """Patches of clean images H and their noisy versions L (synthetic textures here)."""

    def __init__(self, opt_data, n_channels=1):
        g = torch.Generator().manual_seed(0)
        n, s = opt_data["num_patches"], opt_data["H_size"]
        self.H = torch.rand(n, n_channels, s, s, generator=g)
        self.sigma = opt_data["sigma"]

    def __len__(self):
        return self.H.shape[0]

    def __getitem__(self, index):
        img_H = self.H[index]
        img_L = img_H + torch.randn_like(img_H) * self.sigma / 255.0
        return {"L": img_L, "H": img_H}


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--noise-sigma", type=int, default=25)
    parser.add_argument("--total-iters", type=int, default=None)
    parser.add_argument("--milestones", type=int, nargs="+", default=None)
    parser.add_argument("--print-freq", type=int, default=None)
    parser.add_argument("--num-patches", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--patch-size", type=int, default=None)
    parser.add_argument("--nb", type=int, default=None, help="number of conv layers")
    return parser.parse_args()


def main():
    args = parse_args()
    opt = default_options()
    opt["datasets"]["train"]["sigma"] = args.noise_sigma
    if args.total_iters is not None:
        opt["train"]["total_iters"] = args.total_iters
        opt["train"]["checkpoint_save"] = opt["train"]["checkpoint_test"] = args.total_iters
    if args.milestones is not None:
        opt["train"]["G_scheduler_milestones"] = args.milestones
    if args.print_freq is not None:
        opt["train"]["checkpoint_print"] = args.print_freq
    if args.num_patches is not None:
        opt["datasets"]["train"]["num_patches"] = args.num_patches
    if args.batch_size is not None:
        opt["datasets"]["train"]["dataloader_batch_size"] = args.batch_size
    if args.patch_size is not None:
        opt["datasets"]["train"]["H_size"] = args.patch_size
    if args.nb is not None:
        opt["netG"]["nb"] = args.nb
    os.makedirs(opt["path"]["models"], exist_ok=True)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s.%(msecs)03d : %(message)s", datefmt="%y-%m-%d %H:%M:%S")
    logger = logging.getLogger("train")
    torch.manual_seed(1234)

    train_set = DatasetDnCNN(opt["datasets"]["train"], opt["n_channels"])
    train_loader = DataLoader(train_set, batch_size=opt["datasets"]["train"]["dataloader_batch_size"],
                              shuffle=True, drop_last=True)
    train_size = int(math.ceil(len(train_set) / opt["datasets"]["train"]["dataloader_batch_size"]))
    logger.info("Number of train images: {:,d}, iters: {:,d}".format(len(train_set), train_size))

    model = ModelPlain(opt)
    model.init_train()
    logger.info("Params: {:,d}".format(model.describe_params(model.netG)))

    current_step = 0
    total_iters = opt["train"]["total_iters"]
    for epoch in range(1000000):
        for train_data in train_loader:
            current_step += 1

            model.feed_data(train_data)
            model.optimize_parameters(current_step)
            model.update_learning_rate()

            if current_step % opt["train"]["checkpoint_print"] == 0:
                logs = model.current_log()
                message = "<epoch:{:3d}, iter:{:8,d}, lr:{:.3e}> ".format(epoch, current_step,
                                                                         model.current_learning_rate())
                for k, v in logs.items():
                    message += "{:s}: {:.3e} ".format(k, v)
                logger.info(message)

            if current_step % opt["train"]["checkpoint_save"] == 0:
                logger.info("Saving the model.")
                model.save(current_step)

            if current_step >= total_iters:
                logger.info("End of training.")
                return


if __name__ == "__main__":
    main()
