"""Default hyper-parameters for the traffic forecasting model.

Any key can be overridden on the command line: python run.py --set optim.base_lr=3e-4 train.epochs=50
"""
import ast
import copy

DEFAULT_CONFIG = {
    "data": {
        "num_series": 207,
        "history": 12,
        "horizon": 12,
        "num_windows": 8192,
        "batch_size": 64,
    },
    "model": {
        "hidden_size": 64,
        "num_layers": 2,
        "dropout": 0.1,
    },
    "optim": {
        "base_lr": 1e-3,
        "weight_decay": 1e-4,
        "lr_step": 30,
        "lr_gamma": 0.5,
        "clip_grad_norm": 5.0,
    },
    "train": {
        "epochs": 100,
        "log_every": 50,
        "seed": 2024,
        "save_dir": "checkpoints",
    },
}


def load_config(overrides=()):
    cfg = copy.deepcopy(DEFAULT_CONFIG)
    for item in overrides:
        key, _, raw = item.partition("=")
        section, name = key.split(".")
        if name not in cfg[section]:
            raise KeyError(f"unknown config key {key}")
        try:
            cfg[section][name] = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            cfg[section][name] = raw
    return cfg
