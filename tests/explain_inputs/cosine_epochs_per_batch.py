"""A cosine counted in epochs (T_max=EPOCHS) but stepped on every batch (LR008)."""
import torch
from torch.optim.lr_scheduler import CosineAnnealingLR
from torch.utils.data import DataLoader

EPOCHS = 30


def train(model, dataset):
    loader = DataLoader(dataset, batch_size=32, shuffle=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = CosineAnnealingLR(optimizer, T_max=EPOCHS)
    for epoch in range(EPOCHS):
        for inputs, targets in loader:
            optimizer.zero_grad()
            model(inputs).sum().backward()
            optimizer.step()
            scheduler.step()
