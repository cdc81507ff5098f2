import torch
from torch.optim.lr_scheduler import MultiStepLR

from archs.base_model import BaseModel
from archs.rrdb_lite import RRDBNetLite


class SRModel(BaseModel):
    """Single-image super-resolution with a pixel (L1) loss."""

    def __init__(self, opt):
        super().__init__(opt)
        net_opt = opt["network_g"]
        self.net_g = RRDBNetLite(num_feat=net_opt["num_feat"], num_block=net_opt["num_block"],
                                 scale=opt["scale"]).to(self.device)
        self.cri_pix = torch.nn.L1Loss()
        train_opt = opt["train"]
        self.optimizers["net_g"] = torch.optim.Adam(self.net_g.parameters(), lr=train_opt["lr_g"],
                                                    betas=(0.9, 0.99))
        self.setup_schedulers()

    def setup_schedulers(self):
        train_opt = self.opt["train"]
        self.schedulers["net_g"] = MultiStepLR(self.optimizers["net_g"], milestones=train_opt["milestones"],
                                               gamma=train_opt["gamma"])

    def feed_data(self, data):
        self.lq = data["lq"].to(self.device)
        self.gt = data["gt"].to(self.device)

    def optimize_parameters(self, current_iter):
        optimizer = self.optimizers["net_g"]
        optimizer.zero_grad()
        self.output = self.net_g(self.lq)
        l_pix = self.cri_pix(self.output, self.gt)
        l_pix.backward()
        optimizer.step()
        self.log_dict["l_pix"] = l_pix.item()
