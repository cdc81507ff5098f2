"""CIFAR-style training: SGD + StepLR, stepped once per epoch."""
from torch import nn, optim
from torch.optim.lr_scheduler import StepLR

EPOCHS = 90
BASE_LR = 0.1


def train(model: nn.Module, train_loader) -> None:
    optimizer = optim.SGD(model.parameters(), lr=BASE_LR, momentum=0.9, weight_decay=5e-4)
    scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(EPOCHS):
        model.train()
        for inputs, targets in train_loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(inputs), targets)
            loss.backward()
            optimizer.step()
        scheduler.step()
