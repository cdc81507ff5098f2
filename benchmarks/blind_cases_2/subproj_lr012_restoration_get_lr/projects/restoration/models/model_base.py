import os

import torch


class ModelBase:
    def __init__(self, opt):
        self.opt = opt
        self.save_dir = opt["path"]["models"]
        self.device = torch.device("cuda" if opt["gpu_ids"] and torch.cuda.is_available() else "cpu")
        self.is_train = opt["is_train"]
        self.schedulers = []

    """
    # ----------------------------------------
    # Preparation before training with data
    # Save model during training
    # ----------------------------------------
    """

    def init_train(self):
        pass

    def load(self):
        pass

    def save(self, label):
        pass

    def define_loss(self):
        pass

    def define_optimizer(self):
        pass

    def define_scheduler(self):
        pass

    """
    # ----------------------------------------
    # Optimization during training with data
    # Testing/evaluation
    # ----------------------------------------
    """

    def feed_data(self, data):
        pass

    def optimize_parameters(self, current_step):
        pass

    def current_log(self):
        pass

    def update_learning_rate(self):
        for scheduler in self.schedulers:
            scheduler.step()

    def current_learning_rate(self):
        return self.schedulers[0].get_lr()[0]

    """
    # ----------------------------------------
    # Information of net
    # ----------------------------------------
    """

    def print_network(self):
        pass

    def model_to_device(self, network):
        return network.to(self.device)

    def describe_params(self, network):
        return sum(p.numel() for p in network.parameters())

    def save_network(self, save_dir, network, network_label, iter_label):
        save_filename = "{}_{}.pth".format(iter_label, network_label)
        save_path = os.path.join(save_dir, save_filename)
        state_dict = {k: v.cpu() for k, v in network.state_dict().items()}
        torch.save(state_dict, save_path)
