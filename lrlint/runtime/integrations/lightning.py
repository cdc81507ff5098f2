"""Lightning: check the LR of every optimizer step of ``Trainer.fit``, with no configuration.

    from lrlint.runtime.integrations.lightning import LRWatchCallback

    trainer = lightning.Trainer(callbacks=[LRWatchCallback()])
    trainer.fit(model, data)  # raises LRScheduleError when training ends, if the LR diverged

The watch starts in ``on_train_start`` (after a checkpoint is restored), one per optimizer, with
the scheduler that ``configure_optimizers`` attached to it as the declared schedule. Its
``interval`` ("step" or "epoch") is asserted as the scheduler's cadence (the watch infers the
cadence anyway); accumulation and ``ReduceLROnPlateau`` with ``monitor`` need nothing. An
optimizer with no scheduler, or several, gets the order check of the schedulers that drive it.
Options are ``watch``'s; ``raise_on_error=False`` warns instead of raising.

Works with the ``lightning`` package, or with ``pytorch_lightning`` when only that is installed.
"""

from __future__ import annotations

from typing import Any

try:
    from lightning.pytorch.callbacks import Callback
except ImportError:  # the older standalone package
    from pytorch_lightning.callbacks import Callback

from lrlint.runtime.integrations.common import SessionCallback
from lrlint.runtime.unwrap import scheduler_optimizer, unwrap_optimizer

__all__ = ["LRWatchCallback"]


class LRWatchCallback(SessionCallback, Callback):
    """A Lightning ``Callback`` that watches every optimizer of the fit. After training,
    ``watches`` holds the watches and ``error`` the first error found, if any."""

    def on_train_start(self, trainer: Any, pl_module: Any) -> None:
        configs = list(getattr(trainer, "lr_scheduler_configs", []) or [])
        pairs = []
        for optimizer in trainer.optimizers:
            inner = unwrap_optimizer(optimizer)
            own = [c for c in configs if scheduler_optimizer(c.scheduler) is inner]
            if len(own) != 1:  # none, or several: the order check of those that drive it
                pairs.append((optimizer, None, {}))
                continue
            unit = {"unit": own[0].interval} if own[0].frequency == 1 else {}
            pairs.append((optimizer, own[0].scheduler, unit))
        self.session.start(pairs)

    def on_train_end(self, trainer: Any, pl_module: Any) -> None:
        self.session.end()

    def on_exception(self, trainer: Any, pl_module: Any, exception: BaseException) -> None:
        self.session.abandon()
