# TinyFCN, 40 epochs, SGD + poly LR with 1500 iters linear warmup from 1e-3 x lr
model = dict(type="TinyFCN", in_channels=3, channels=16, num_classes=4)

train_dataloader = dict(num_samples=2000, batch_size=8, crop_size=32)

optim_wrapper = dict(optimizer=dict(lr=0.01, momentum=0.9, weight_decay=5e-4), clip_grad=None)

train_cfg = dict(by_epoch=True, max_epochs=40)

default_hooks = dict(
    timer=dict(type="IterTimerHook"),
    logger=dict(type="LoggerHook", interval=50),
)

custom_hooks = [
    dict(type="WarmupPolyLrHook", power=0.9, warmup_iters=1500, warmup_ratio=1e-3, min_ratio=1e-4),
]

seed = 0
