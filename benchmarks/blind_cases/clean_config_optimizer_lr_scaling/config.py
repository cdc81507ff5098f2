from types import SimpleNamespace


def load_config():
    return SimpleNamespace(
        optimizer=SimpleNamespace(name="adamw", lr=1e-3, weight_decay=0.05, betas=(0.9, 0.999)),
        data=SimpleNamespace(batch_size=64, num_samples=20000),
        trainer=SimpleNamespace(epochs=30, world_size=1),
    )
