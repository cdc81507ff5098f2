import torch.nn as nn
import torch.nn.functional as F


def conv_bn_relu(cin, cout, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class LiteFCN(nn.Module):
    """Small FCN: 3 strided stages + 1x1 classifier, bilinear upsampling to input size."""

    def __init__(self, num_classes=19, width=32):
        super().__init__()
        self.backbone = nn.Sequential(
            conv_bn_relu(3, width, 2), conv_bn_relu(width, width),
            conv_bn_relu(width, 2 * width, 2), conv_bn_relu(2 * width, 2 * width),
            conv_bn_relu(2 * width, 4 * width, 2),
        )
        self.classifier = nn.Conv2d(4 * width, num_classes, 1)

    def forward(self, x):
        out = self.classifier(self.backbone(x))
        return F.interpolate(out, size=x.shape[-2:], mode="bilinear", align_corners=False)
