from collections import OrderedDict

import torch
import torch.nn as nn
from torch.optim import Adam, lr_scheduler

from models.model_base import ModelBase
from models.select_network import define_G


class ModelPlain(ModelBase):
    """Train with pixel loss (one generator, no discriminator)."""

    def __init__(self, opt):
        super().__init__(opt)
        self.opt_train = self.opt["train"]
        self.netG = self.model_to_device(define_G(opt))

    def init_train(self):
        self.netG.train()
        self.define_loss()
        self.define_optimizer()
        self.define_scheduler()
        self.log_dict = OrderedDict()

    def define_loss(self):
        lossfn_type = self.opt_train["G_lossfn_type"]
        if lossfn_type == "l1":
            self.G_lossfn = nn.L1Loss().to(self.device)
        elif lossfn_type == "l2":
            self.G_lossfn = nn.MSELoss().to(self.device)
        else:
            raise NotImplementedError("Loss type [{:s}] is not found.".format(lossfn_type))
        self.G_lossfn_weight = self.opt_train["G_lossfn_weight"]

    def define_optimizer(self):
        G_optim_params = [v for v in self.netG.parameters() if v.requires_grad]
        self.G_optimizer = Adam(G_optim_params, lr=self.opt_train["G_optimizer_lr"],
                                weight_decay=self.opt_train["G_optimizer_wd"])

    def define_scheduler(self):
        self.schedulers.append(lr_scheduler.MultiStepLR(self.G_optimizer,
                                                        self.opt_train["G_scheduler_milestones"],
                                                        self.opt_train["G_scheduler_gamma"]))

    def feed_data(self, data, need_H=True):
        self.L = data["L"].to(self.device)
        if need_H:
            self.H = data["H"].to(self.device)

    def optimize_parameters(self, current_step):
        self.G_optimizer.zero_grad()
        self.E = self.netG(self.L)
        G_loss = self.G_lossfn_weight * self.G_lossfn(self.E, self.H)
        G_loss.backward()
        clip = self.opt_train["G_optimizer_clipgrad"]
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(self.parameters(), max_norm=clip, norm_type=2)
        self.G_optimizer.step()
        self.log_dict["G_loss"] = G_loss.item()

    def parameters(self):
        return self.netG.parameters()

    def current_log(self):
        return self.log_dict

    def save(self, iter_label):
        self.save_network(self.save_dir, self.netG, "G", iter_label)
