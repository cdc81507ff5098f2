"""The LR comes from a config file: its value is not known before the run."""
import json

import torch
from torch.optim.lr_scheduler import CosineAnnealingLR

with open("config.json") as stream:
    args = json.load(stream)

model = torch.nn.Linear(3, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=args["lr"])
scheduler = CosineAnnealingLR(optimizer, T_max=args["epochs"])
