"""x2 super-resolution training; run from the monorepo root:

    python projects/superres/train.py --total-iter 400000
"""
import argparse
import logging

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

from archs.sr_model import SRModel

logger = logging.getLogger("superres")


class PairedPatches(Dataset):
    """(lq, gt) pairs: random gt patches and their bicubic-downscaled versions."""

    def __init__(self, num, gt_size, scale):
        g = torch.Generator().manual_seed(10)
        self.gt = torch.rand(num, 3, gt_size, gt_size, generator=g)
        self.scale = scale

    def __len__(self):
        return len(self.gt)

    def __getitem__(self, i):
        gt = self.gt[i]
        lq = F.interpolate(gt[None], scale_factor=1 / self.scale, mode="bicubic", align_corners=False)[0]
        return {"lq": lq, "gt": gt}


def parse_options():
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", default="RRDBLite_x2_DF2K")
    parser.add_argument("--scale", type=int, default=2)
    parser.add_argument("--gt-size", type=int, default=128)
    parser.add_argument("--num-patches", type=int, default=3200)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr-g", type=float, default=2e-4)
    parser.add_argument("--milestones", type=int, nargs="+", default=[200000, 300000, 350000],
                        help="iterations")
    parser.add_argument("--gamma", type=float, default=0.5)
    parser.add_argument("--total-iter", type=int, default=400000)
    parser.add_argument("--print-freq", type=int, default=100)
    parser.add_argument("--save-freq", type=int, default=5000)
    parser.add_argument("--num-feat", type=int, default=32)
    parser.add_argument("--num-block", type=int, default=4)
    args = parser.parse_args()
    return {
        "name": args.name,
        "scale": args.scale,
        "network_g": {"num_feat": args.num_feat, "num_block": args.num_block},
        "datasets": {"train": {"gt_size": args.gt_size, "num": args.num_patches, "batch_size": args.batch_size}},
        "train": {"lr_g": args.lr_g, "milestones": args.milestones, "gamma": args.gamma,
                  "total_iter": args.total_iter},
        "logger": {"print_freq": args.print_freq, "save_checkpoint_freq": args.save_freq},
    }


def main():
    opt = parse_options()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s: %(message)s")
    torch.manual_seed(0)
    d = opt["datasets"]["train"]
    train_loader = DataLoader(PairedPatches(d["num"], d["gt_size"], opt["scale"]), batch_size=d["batch_size"],
                              shuffle=True, drop_last=True)
    model = SRModel(opt)

    total_iter = opt["train"]["total_iter"]
    current_iter, epoch = 0, 0
    while current_iter < total_iter:
        for train_data in train_loader:
            current_iter += 1
            if current_iter > total_iter:
                break
            model.feed_data(train_data)
            model.optimize_parameters(current_iter)
            model.update_learning_rate()

            if current_iter % opt["logger"]["print_freq"] == 0:
                log = model.get_current_log()
                logger.info("[%s][epoch:%3d, iter:%8d, lr:(%.3e)] l_pix: %.4e", opt["name"], epoch,
                            current_iter, model.get_lr(), log["l_pix"])
            if current_iter % opt["logger"]["save_checkpoint_freq"] == 0:
                model.save_training_state(epoch, current_iter, f"experiments/{opt['name']}/state/{current_iter}.state")
        epoch += 1
    logger.info("End of training.")


if __name__ == "__main__":
    main()
