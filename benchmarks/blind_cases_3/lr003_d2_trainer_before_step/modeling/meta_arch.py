import torch.nn as nn
import torch.nn.functional as F


class MLPClassifier(nn.Module):
    def __init__(self, in_features, hidden, num_classes):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(in_features, hidden), nn.BatchNorm1d(hidden), nn.ReLU())
        self.head = nn.Linear(hidden, num_classes)

    def forward(self, batched_inputs):
        logits = self.head(self.backbone(batched_inputs["image"]))
        if self.training:
            return {"loss_cls": F.cross_entropy(logits, batched_inputs["label"])}
        return logits


def build_model(cfg):
    return MLPClassifier(cfg.MODEL.IN_FEATURES, cfg.MODEL.HIDDEN, cfg.MODEL.NUM_CLASSES)
