"""The seed article's recipe: a StepLR whose gamma is computed from a target final LR."""
import torch
from torch import optim
from torch.optim.lr_scheduler import StepLR

max_steps  = int(1E6)                                 # M
n_updates  = int(1E4)                                 # n
initial_lr = 0.1                                      # alpha_0
final_lr   = .0001                                    # alpha_M
step_size  = max_steps // n_updates                   # n
lr_gamma   = (final_lr / initial_lr)**(1 / n_updates) # gamma

model = torch.nn.Linear(4, 1)
optimizer  = optim.SGD(model.parameters(),
                       lr=initial_lr)

# using our step size n
scheduler  = StepLR(optimizer, step_size=step_size, gamma=lr_gamma)

for step in range(max_steps):
    optimizer.zero_grad()
    model(torch.randn(8, 4)).pow(2).mean().backward()
    optimizer.step()
    scheduler.step()
