"""Default configuration, detectron-style nested dict with KEY VALUE overrides."""
import ast
import copy

_DEFAULTS = {
    "SEED": 42,
    "OUTPUT_DIR": "./output",
    "MODEL": {
        "IN_FEATURES": 64,
        "HIDDEN_DIM": 128,
        "NUM_CLASSES": 10,
        "DROPOUT": 0.1,
    },
    "DATALOADER": {
        "NUM_SAMPLES": 2048,
        "NUM_WORKERS": 0,
    },
    "SOLVER": {
        "OPTIMIZER": "SGD",
        "BASE_LR": 0.02,
        "MOMENTUM": 0.9,
        "WEIGHT_DECAY": 1e-4,
        "NESTEROV": False,
        "IMS_PER_BATCH": 64,
        "MAX_EPOCHS": 36,
        "LR_SCHEDULER_NAME": "MultiStepLR",
        "STEPS": (24, 33),
        "GAMMA": 0.1,
        "LOG_PERIOD": 20,
    },
}


def get_cfg():
    return copy.deepcopy(_DEFAULTS)


def merge_from_list(cfg, opts):
    """Apply overrides given as ["SOLVER.BASE_LR", "0.01", ...]."""
    if len(opts) % 2 != 0:
        raise ValueError("Override list has odd length: {}".format(opts))
    for full_key, raw in zip(opts[0::2], opts[1::2]):
        node = cfg
        *parents, leaf = full_key.split(".")
        for key in parents:
            node = node[key]
        if leaf not in node:
            raise KeyError("Non-existent config key: {}".format(full_key))
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            value = raw
        node[leaf] = value
    return cfg
