CONFIG = {
    "train": {
        "epochs": 300,
        "batch_size": 256,
        "base_lr": 1e-3,
        "min_lr": 1e-5,
        "warmup_lr": 1e-6,
        "warmup_epochs": 20,
        "weight_decay": 0.05,
    },
    "data": {"num_samples": 1281167, "num_classes": 1000},
}
