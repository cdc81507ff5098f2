# Config file for run.py (plain Python, loaded by path).
model = dict(type="ConvNet", widths=(32, 64), num_classes=10)
data = dict(samples_per_gpu=128, num_train=50000, image_size=32)
optimizer = dict(type="SGD", lr=0.1, momentum=0.9, weight_decay=5e-4)
lr_config = dict(policy="cosine", min_lr=1e-4, warmup_epochs=0)
total_epochs = 200
log_config = dict(interval=50)
checkpoint_config = dict(interval=10)
work_dir = "./work_dirs/cifar_convnet"
seed = 0
