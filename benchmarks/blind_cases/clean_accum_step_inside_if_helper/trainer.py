import torch


class AccumulatingTrainer:
    def __init__(self, model, optimizer, lr_scheduler, accum_steps=1, max_grad_norm=1.0):
        self.model = model
        self.optimizer = optimizer
        self.lr_scheduler = lr_scheduler
        self.accum_steps = accum_steps
        self.max_grad_norm = max_grad_norm
        self.micro_step = 0
        self.global_step = 0

    def _update(self):
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.max_grad_norm)
        self.optimizer.step()
        self.lr_scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.global_step += 1

    def backward(self, loss):
        (loss / self.accum_steps).backward()
        self.micro_step += 1
        if self.micro_step % self.accum_steps == 0:
            self._update()
