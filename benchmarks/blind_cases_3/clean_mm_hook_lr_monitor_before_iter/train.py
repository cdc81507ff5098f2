"""Train a segmenter from a python config.

    python train.py configs/fcn_tiny_40e.py
    python train.py configs/fcn_tiny_40e.py --cfg-options train_cfg.max_epochs=2 \
        custom_hooks.0.warmup_iters=20
"""
import argparse
import ast
import runpy

import torch
from torch.utils.data import DataLoader, TensorDataset

import seg  # noqa: F401  (registers the project's hooks and models)
from mmlite import Runner
from mmlite.optim import OptimWrapper
from mmlite.registry import MODELS


def load_config(path, options):
    cfg = {k: v for k, v in runpy.run_path(path).items() if not k.startswith("__")}
    for opt in options or []:
        key, raw = opt.split("=", 1)
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            value = raw
        node = cfg
        *parents, leaf = key.split(".")
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        if isinstance(node, list):
            node[int(leaf)] = value
        else:
            node[leaf] = value
    return cfg


class _SegDataset(TensorDataset):
    def __getitem__(self, idx):
        img, seg_map = super().__getitem__(idx)
        return {"inputs": img, "gt_sem_seg": seg_map}


def build_dataloader(cfg, num_classes):
    g = torch.Generator().manual_seed(cfg.get("seed", 0))
    n, s = cfg["num_samples"], cfg["crop_size"]
    imgs = torch.randn(n, 3, s, s, generator=g)
    seg_maps = (imgs.mean(dim=1) * 2).long().clamp(0, num_classes - 1)
    return DataLoader(_SegDataset(imgs, seg_maps), batch_size=cfg["batch_size"], shuffle=True,
                      drop_last=True, generator=g)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("--cfg-options", nargs="+", default=[])
    args = parser.parse_args()
    cfg = load_config(args.config, args.cfg_options)

    torch.manual_seed(cfg["seed"])
    model = MODELS.build(cfg["model"])
    opt_cfg = cfg["optim_wrapper"]
    optimizer = torch.optim.SGD(model.parameters(), **opt_cfg["optimizer"])
    runner = Runner(
        model=model,
        train_dataloader=build_dataloader(dict(cfg["train_dataloader"], seed=cfg["seed"]),
                                          cfg["model"]["num_classes"]),
        optim_wrapper=OptimWrapper(optimizer, clip_grad=opt_cfg["clip_grad"]),
        train_cfg=cfg["train_cfg"],
        default_hooks=cfg["default_hooks"],
        custom_hooks=cfg["custom_hooks"],
    )
    runner.train()


if __name__ == "__main__":
    main()
