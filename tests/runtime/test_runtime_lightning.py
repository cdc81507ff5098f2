"""Lightning: ``watch`` takes a ``LightningOptimizer``, and ``LRWatchCallback`` checks a fit with
no configuration (per-step or per-epoch schedulers, accumulation, plateau). CPU, a few steps."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")
L = pytest.importorskip("lightning.pytorch")

from torch.optim import lr_scheduler as S

from lrlint.runtime import LRScheduleError, watch
from lrlint.runtime.errors import CAUSE_EXTRA_SCHEDULER_STEP
from lrlint.runtime.integrations.lightning import LRWatchCallback


class Regressor(L.LightningModule):
    def __init__(self, make_scheduler, interval="step", monitor=None, extra_step=False):
        super().__init__()
        torch.manual_seed(0)
        self.linear = torch.nn.Linear(4, 1)
        self.make_scheduler = make_scheduler
        self.interval = interval
        self.monitor = monitor
        self.extra_step = extra_step

    def training_step(self, batch, index):
        inputs, targets = batch
        loss = torch.nn.functional.mse_loss(self.linear(inputs), targets)
        self.log("train_loss", loss)
        if self.extra_step:
            self.lr_schedulers().step()  # the bug: Lightning steps it too
        return loss

    def validation_step(self, batch, index):
        inputs, targets = batch
        self.log("val_loss", torch.nn.functional.mse_loss(self.linear(inputs), targets))

    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1, momentum=0.9)
        config = {"scheduler": self.make_scheduler(optimizer), "interval": self.interval}
        if self.monitor:
            config["monitor"] = self.monitor
        return {"optimizer": optimizer, "lr_scheduler": config}


def loader(rows=24, batch_size=4):
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(rows, 4, generator=generator)
    data = torch.utils.data.TensorDataset(inputs, inputs[:, :1] * 2)
    return torch.utils.data.DataLoader(data, batch_size=batch_size)


def fit(module, callbacks, epochs=3, **options):
    trainer = L.Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        callbacks=callbacks,
        num_sanity_val_steps=0,
        **options,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Lightning's advice about workers and logging
        trainer.fit(module, loader(), loader(8))
    return trainer


class WatchFromCallback(L.Callback):
    def on_train_start(self, trainer, pl_module):
        scheduler = trainer.lr_scheduler_configs[0].scheduler
        self.watch = watch(pl_module.optimizers(), expect=scheduler)

    def on_train_end(self, trainer, pl_module):
        self.watch.close()


def test_watch_takes_a_lightning_optimizer():
    callback = WatchFromCallback()
    fit(Regressor(lambda o: S.StepLR(o, step_size=4, gamma=0.5)), [callback], epochs=2)
    assert callback.watch.optimizer_steps == 12


@pytest.mark.parametrize(
    "make_scheduler,interval",
    [
        (lambda o: S.StepLR(o, step_size=4, gamma=0.5), "step"),
        (lambda o: S.StepLR(o, step_size=1, gamma=0.5), "epoch"),
        (lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=18), "step"),
    ],
    ids=["per-step", "per-epoch", "one-cycle"],
)
def test_the_callback_passes_a_correct_fit(make_scheduler, interval):
    callback = LRWatchCallback()
    fit(Regressor(make_scheduler, interval), [callback])
    (w,) = callback.watches
    assert w.optimizer_steps == 18 and callback.error is None
    assert len({r.lrs[0] for r in w.history}) > 1


def test_the_callback_passes_with_gradient_accumulation():
    callback = LRWatchCallback()
    fit(
        Regressor(lambda o: S.ExponentialLR(o, gamma=0.9)),
        [callback],
        accumulate_grad_batches=2,
    )
    (w,) = callback.watches
    assert w.optimizer_steps == 9 and callback.error is None


def test_the_callback_follows_a_plateau_scheduler():
    callback = LRWatchCallback()
    module = Regressor(
        lambda o: S.ReduceLROnPlateau(o, patience=0, factor=0.5), "epoch", monitor="val_loss"
    )
    fit(module, [callback], epochs=4)
    (w,) = callback.watches
    assert w.optimizer_steps == 24 and callback.error is None


def test_the_callback_catches_a_scheduler_stepped_twice():
    module = Regressor(lambda o: S.StepLR(o, step_size=4, gamma=0.5), "step", extra_step=True)
    with pytest.raises(LRScheduleError) as caught:
        fit(module, [LRWatchCallback()], epochs=1)
    assert CAUSE_EXTRA_SCHEDULER_STEP in {d.cause for d in caught.value.divergences}
