import torch


def build_scheduler(optimizer, name, **kwargs):
    if name == "exponential":
        return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=kwargs.get("gamma", 0.97))
    if name == "lambda":
        return torch.optim.lr_scheduler.LambdaLR(optimizer, kwargs["lr_lambda"])
    if name == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=kwargs.get("step_size", 30),
                                               gamma=kwargs.get("gamma", 0.1))
    raise KeyError(name)
