import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from config import get_cfg
from engine import do_train_epoch
from solver import build_lr_scheduler, build_optimizer


class TinyDetector(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Conv2d(3, 8, 3, padding=1)
        self.cls = nn.Conv2d(8, 4, 1)
        self.reg = nn.Conv2d(8, 4, 1)

    def forward(self, images, targets):
        feats = torch.relu(self.backbone(images))
        return {
            "loss_cls": nn.functional.cross_entropy(self.cls(feats).mean((2, 3)), targets),
            "loss_box": self.reg(feats).pow(2).mean(),
        }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("opts", nargs=argparse.REMAINDER, help="KEY VALUE pairs, e.g. SOLVER.MAX_EPOCHS 12")
    args = parser.parse_args()
    cfg = get_cfg()
    for key, value in zip(args.opts[0::2], args.opts[1::2]):
        section, name = key.split(".")
        node = getattr(cfg, section)
        setattr(node, name, type(getattr(node, name))(value))

    model = TinyDetector()
    n = cfg.DATA.NUM_SAMPLES
    loader = DataLoader(TensorDataset(torch.randn(n, 3, 8, 8), torch.randint(0, 4, (n,))),
                        batch_size=cfg.SOLVER.IMS_PER_BATCH, shuffle=True)
    optimizer = build_optimizer(cfg, model)
    scheduler = build_lr_scheduler(cfg, optimizer)
    for epoch in range(cfg.SOLVER.MAX_EPOCHS):
        do_train_epoch(model, loader, optimizer, scheduler, epoch)
        torch.save({"model": model.state_dict(), "epoch": epoch}, "model_final.pth")


if __name__ == "__main__":
    main()
