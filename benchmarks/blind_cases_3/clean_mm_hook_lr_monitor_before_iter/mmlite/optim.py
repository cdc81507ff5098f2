class OptimWrapper:
    """Wraps an optimizer: ``update_params`` does backward, step and zero_grad."""

    def __init__(self, optimizer, clip_grad=None):
        self.optimizer = optimizer
        self.clip_grad = clip_grad

    @property
    def param_groups(self):
        return self.optimizer.param_groups

    def update_params(self, loss):
        loss.backward()
        if self.clip_grad is not None:
            import torch

            params = [p for g in self.optimizer.param_groups for p in g["params"]]
            torch.nn.utils.clip_grad_norm_(params, **self.clip_grad)
        self.optimizer.step()
        self.optimizer.zero_grad()

    def get_lr(self):
        return [g["lr"] for g in self.optimizer.param_groups]

    def state_dict(self):
        return self.optimizer.state_dict()
