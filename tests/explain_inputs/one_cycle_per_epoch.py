"""OneCycleLR laid out per batch (epochs × steps per epoch) but stepped once per epoch (LR008)."""
import torch
from torch.optim.lr_scheduler import OneCycleLR
from torch.utils.data import DataLoader

EPOCHS = 10


def train(model, dataset):
    train_loader = DataLoader(dataset, batch_size=64, shuffle=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    scheduler = OneCycleLR(optimizer, max_lr=0.1, epochs=EPOCHS,
                           steps_per_epoch=len(train_loader))
    for epoch in range(EPOCHS):
        for inputs, targets in train_loader:
            optimizer.zero_grad()
            model(inputs).sum().backward()
            optimizer.step()
        scheduler.step()
