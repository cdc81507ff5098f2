import torch.nn as nn


class DnCNN(nn.Module):
    """DnCNN: residual learning of the noise map (Zhang et al., 2017)."""

    def __init__(self, in_nc=1, out_nc=1, nc=64, nb=17):
        super().__init__()
        layers = [nn.Conv2d(in_nc, nc, 3, padding=1, bias=True), nn.ReLU(inplace=True)]
        for _ in range(nb - 2):
            layers += [nn.Conv2d(nc, nc, 3, padding=1, bias=False), nn.BatchNorm2d(nc, momentum=0.9, eps=1e-4),
                       nn.ReLU(inplace=True)]
        layers += [nn.Conv2d(nc, out_nc, 3, padding=1, bias=True)]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return x - self.model(x)


def define_G(opt):
    opt_net = opt["netG"]
    if opt_net["net_type"] == "dncnn":
        return DnCNN(in_nc=opt_net["in_nc"], out_nc=opt_net["out_nc"], nc=opt_net["nc"], nb=opt_net["nb"])
    raise NotImplementedError("netG [{:s}] is not found.".format(opt_net["net_type"]))
