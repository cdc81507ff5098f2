import lightning as L
import torch
from torch import nn


class SegmentationSystem(L.LightningModule):
    def __init__(self, lr=1e-3, min_lr=1e-6, num_classes=21):
        super().__init__()
        self.save_hyperparameters()
        self.model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, num_classes, 1))

    def training_step(self, batch, batch_idx):
        image, mask = batch
        loss = nn.functional.cross_entropy(self.model(image), mask)
        self.log("loss", loss)
        return loss

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(self.model.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=self.trainer.max_epochs, eta_min=self.hparams.min_lr
        )
        return [optimizer], [scheduler]
