from torch.optim.lr_scheduler import LambdaLR


class LinearWarmupConstant(LambdaLR):
    """factor = (epoch + 1) / warmup during warmup, then 1."""

    def __init__(self, optimizer, warmup_epochs, last_epoch=-1):
        self.warmup_epochs = warmup_epochs
        super().__init__(optimizer, self._factor, last_epoch)

    def _factor(self, epoch):
        return min(1.0, (epoch + 1) / self.warmup_epochs)
