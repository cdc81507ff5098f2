import torch.nn as nn
import torch.nn.functional as F

from mmlite.registry import MODELS


@MODELS.register_module()
class TinyFCN(nn.Module):
    """A very small fully-convolutional segmenter."""

    def __init__(self, in_channels=3, channels=16, num_classes=4):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(in_channels, channels, 3, padding=1), nn.BatchNorm2d(channels), nn.ReLU(),
            nn.Conv2d(channels, channels, 3, padding=1), nn.BatchNorm2d(channels), nn.ReLU(),
        )
        self.decode_head = nn.Conv2d(channels, num_classes, 1)

    def forward(self, inputs):
        return self.decode_head(self.backbone(inputs))

    def loss(self, data_batch):
        logits = self(data_batch["inputs"])
        return {"loss": F.cross_entropy(logits, data_batch["gt_sem_seg"])}

    def train_step(self, data_batch, optim_wrapper):
        losses = self.loss(data_batch)
        optim_wrapper.update_params(losses["loss"])
        return {k: v.detach() for k, v in losses.items()}
