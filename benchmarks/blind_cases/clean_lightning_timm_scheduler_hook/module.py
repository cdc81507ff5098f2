import lightning as L
import torch
from timm.scheduler import CosineLRScheduler
from torch import nn


class ViTClassifier(L.LightningModule):
    def __init__(self, lr=5e-4, warmup_epochs=5, min_lr=1e-5, num_classes=10):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.LayerNorm(64), nn.Linear(64, num_classes))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=0.05)
        scheduler = CosineLRScheduler(
            optimizer,
            t_initial=self.trainer.max_epochs,
            lr_min=self.hparams.min_lr,
            warmup_t=self.hparams.warmup_epochs,
            warmup_lr_init=1e-6,
        )
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "epoch"}}

    def lr_scheduler_step(self, scheduler, metric):
        # timm schedulers take the epoch index explicitly
        scheduler.step(epoch=self.current_epoch + 1)
