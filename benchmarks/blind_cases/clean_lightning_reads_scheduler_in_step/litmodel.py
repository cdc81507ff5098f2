import lightning as L
import torch
from torch import nn
from transformers import get_linear_schedule_with_warmup


class TextClassifier(L.LightningModule):
    def __init__(self, lr=2e-5, warmup_steps=100, num_labels=4):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.EmbeddingBag(10000, 64)
        self.classifier = nn.Linear(64, num_labels)

    def training_step(self, batch, batch_idx):
        input_ids, labels = batch
        loss = nn.functional.cross_entropy(self.classifier(self.encoder(input_ids)), labels)
        self.log("train_loss", loss)
        self.log("lr", self.lr_schedulers().get_last_lr()[0])
        return loss

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=0.01)
        scheduler = get_linear_schedule_with_warmup(
            optimizer, self.hparams.warmup_steps, self.trainer.estimated_stepping_batches
        )
        return [optimizer], [{"scheduler": scheduler, "interval": "step"}]
