import os

import torch


def is_main_process():
    return int(os.environ.get("RANK", 0)) == 0


def save_on_master(*args, **kwargs):
    if is_main_process():
        torch.save(*args, **kwargs)


def mkdir(path):
    os.makedirs(path, exist_ok=True)
