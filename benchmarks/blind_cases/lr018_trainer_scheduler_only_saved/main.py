import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from trainer import Trainer

parser = argparse.ArgumentParser(description="super-resolution")
parser.add_argument("--lr", type=float, default=1e-4)
parser.add_argument("--lr_step", type=int, default=200)
parser.add_argument("--epochs", type=int, default=1000)
parser.add_argument("--save_dir", default="experiment")
parser.add_argument("--n_train", type=int, default=800)

if __name__ == "__main__":
    args = parser.parse_args()
    lr_imgs = torch.rand(args.n_train, 3, 4, 4)
    hr_imgs = nn.functional.interpolate(lr_imgs, scale_factor=2)
    loader = DataLoader(TensorDataset(lr_imgs, hr_imgs), batch_size=16, shuffle=True)
    model = nn.Sequential(nn.Conv2d(3, 12, 3, padding=1), nn.PixelShuffle(2))
    Trainer(model, loader, args).run()
