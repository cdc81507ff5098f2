"""Hugging Face ``Trainer``: check the LR of every optimizer step, with no configuration.

    from lrlint.runtime.integrations.huggingface import LRWatchCallback

    trainer = Trainer(model=model, args=args, train_dataset=data, callbacks=[LRWatchCallback()])
    trainer.train()  # raises LRScheduleError when training ends, if the LR diverged

The watch starts in ``on_train_begin`` (after a checkpoint is resumed) on the Trainer's own
optimizer and scheduler: the declared schedule is the one the scheduler's arguments give
(``lr_scheduler_type``, warm-up, ``num_training_steps``), gradient accumulation needs nothing
(the watch counts real optimizer steps), and a ``reduce_lr_on_plateau`` scheduler is followed
through the metrics the Trainer passes it. Options are ``watch``'s (``probe_every=`` ...);
``raise_on_error=False`` warns instead of raising.
"""

from __future__ import annotations

from typing import Any

from transformers import TrainerCallback

from lrlint.runtime.integrations.common import SessionCallback

__all__ = ["LRWatchCallback"]


class LRWatchCallback(SessionCallback, TrainerCallback):
    """A ``TrainerCallback`` that watches the Trainer's optimizer and scheduler. After
    training, ``watches`` holds the watch (its ``history`` ...) and ``error`` the error found,
    if any."""

    def on_train_begin(
        self,
        args: Any,
        state: Any,
        control: Any,
        optimizer: Any = None,
        lr_scheduler: Any = None,
        **kwargs: Any,
    ) -> None:
        self.session.start([] if optimizer is None else [(optimizer, lr_scheduler, {})])

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.session.end()
