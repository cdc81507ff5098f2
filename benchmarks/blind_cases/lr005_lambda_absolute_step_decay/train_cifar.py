import argparse
import os

import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser(description="PyTorch CIFAR10 Training")
parser.add_argument("--lr", default=0.1, type=float, help="learning rate")
parser.add_argument("--epochs", default=200, type=int)
parser.add_argument("--decay-every", default=60, type=int)
parser.add_argument("--batch-size", default=128, type=int)
parser.add_argument("--num-samples", default=50000, type=int)
args = parser.parse_args()

device = "cuda" if torch.cuda.is_available() else "cpu"
best_acc = 0

trainset = TensorDataset(torch.randn(args.num_samples, 3, 4, 4), torch.randint(0, 10, (args.num_samples,)))
trainloader = DataLoader(trainset, batch_size=args.batch_size, shuffle=True)

net = nn.Sequential(nn.Flatten(), nn.Linear(48, 10)).to(device)

criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
scheduler = optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=lambda epoch: args.lr * (0.2 ** (epoch // args.decay_every)))


def train(epoch):
    net.train()
    train_loss = correct = total = 0
    for inputs, targets in trainloader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
        train_loss += loss.item()
        correct += outputs.argmax(1).eq(targets).sum().item()
        total += targets.size(0)
    print(f"epoch {epoch} loss {train_loss / len(trainloader):.3f} acc {100.0 * correct / total:.2f}")
    return 100.0 * correct / total


for epoch in range(args.epochs):
    acc = train(epoch)
    scheduler.step()
    if acc > best_acc:
        best_acc = acc
        os.makedirs("checkpoint", exist_ok=True)
        torch.save(net.state_dict(), "./checkpoint/best.pth")
