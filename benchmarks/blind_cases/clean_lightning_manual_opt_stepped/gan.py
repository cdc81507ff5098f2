import lightning as L
import torch
from torch import nn


class GAN(L.LightningModule):
    def __init__(self, latent_dim=16, lr=2e-4, lr_decay_epochs=100):
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.generator = nn.Sequential(nn.Linear(latent_dim, 64), nn.ReLU(), nn.Linear(64, 32))
        self.discriminator = nn.Sequential(nn.Linear(32, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))

    def training_step(self, batch, batch_idx):
        (real,) = batch
        opt_g, opt_d = self.optimizers()
        z = torch.randn(real.size(0), self.hparams.latent_dim, device=self.device)
        bce = nn.functional.binary_cross_entropy_with_logits

        fake = self.generator(z)
        g_loss = bce(self.discriminator(fake), torch.ones(real.size(0), 1, device=self.device))
        opt_g.zero_grad()
        self.manual_backward(g_loss)
        opt_g.step()

        d_real = bce(self.discriminator(real), torch.ones(real.size(0), 1, device=self.device))
        d_fake = bce(self.discriminator(fake.detach()), torch.zeros(real.size(0), 1, device=self.device))
        d_loss = (d_real + d_fake) / 2
        opt_d.zero_grad()
        self.manual_backward(d_loss)
        opt_d.step()
        self.log_dict({"g_loss": g_loss, "d_loss": d_loss}, prog_bar=True)

    def on_train_epoch_end(self):
        # manual optimization: Lightning leaves the schedulers to us
        for scheduler in self.lr_schedulers():
            scheduler.step()

    def configure_optimizers(self):
        lr = self.hparams.lr
        opt_g = torch.optim.Adam(self.generator.parameters(), lr=lr, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=lr, betas=(0.5, 0.999))
        decay = lambda epoch: 1.0 - epoch / self.hparams.lr_decay_epochs
        sched_g = torch.optim.lr_scheduler.LambdaLR(opt_g, decay)
        sched_d = torch.optim.lr_scheduler.LambdaLR(opt_d, decay)
        return [opt_g, opt_d], [sched_g, sched_d]
