from types import SimpleNamespace

_C = SimpleNamespace(
    SOLVER=SimpleNamespace(
        BASE_LR=0.02,
        MIN_LR=1e-4,
        MAX_EPOCHS=24,
        MOMENTUM=0.9,
        WEIGHT_DECAY=1e-4,
        IMS_PER_BATCH=16,
    ),
    DATA=SimpleNamespace(NUM_SAMPLES=11800),
)


def get_cfg():
    return _C
