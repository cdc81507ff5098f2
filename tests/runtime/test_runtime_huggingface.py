"""Hugging Face ``Trainer``: ``watch`` takes the objects a ``TrainerCallback`` receives, and
``LRWatchCallback`` checks a run with no configuration. Tiny model, CPU, a few steps."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from lrlint.runtime import LRScheduleError, watch
from lrlint.runtime.errors import CAUSE_EXTRA_SCHEDULER_STEP, CAUSE_OUTSIDE_WRITE
from lrlint.runtime.integrations.huggingface import LRWatchCallback


class TinyRegressor(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.linear = torch.nn.Linear(4, 1)

    def forward(self, x, labels=None):
        prediction = self.linear(x)
        return {"loss": torch.nn.functional.mse_loss(prediction, labels), "logits": prediction}


def dataset(rows: int = 32):
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(rows, 4, generator=generator)
    return [{"x": x, "labels": x[:1] * 2} for x in features]


def make_trainer(tmp_path, callbacks, **arguments):
    options = {
        "output_dir": str(tmp_path),
        "max_steps": 8,
        "per_device_train_batch_size": 4,
        "learning_rate": 0.05,
        "lr_scheduler_type": "linear",
        "warmup_steps": 3,
        "report_to": [],
        "save_strategy": "no",
        "logging_strategy": "no",
        "use_cpu": True,
        "disable_tqdm": True,
    }
    options.update(arguments)
    args = transformers.TrainingArguments(**options)
    return transformers.Trainer(
        model=TinyRegressor(),
        args=args,
        train_dataset=dataset(),
        eval_dataset=dataset(8),
        callbacks=callbacks,
    )


class WatchFromCallback(transformers.TrainerCallback):
    """What a user writes by hand: a watch started with the objects the callback receives."""

    def __init__(self, inner: bool) -> None:
        self.inner = inner
        self.watch = None

    def on_train_begin(self, args, state, control, optimizer=None, lr_scheduler=None, **kwargs):
        target = optimizer.optimizer if self.inner else optimizer
        self.watch = watch(target, expect=lr_scheduler)

    def on_train_end(self, args, state, control, **kwargs):
        self.watch.close()


@pytest.mark.parametrize("inner", [False, True], ids=["accelerated-optimizer", "inner-optimizer"])
def test_watch_takes_what_a_trainer_callback_receives(tmp_path, inner):
    callback = WatchFromCallback(inner)
    make_trainer(tmp_path, [callback]).train()
    assert callback.watch.optimizer_steps == 8
    lrs = [record.lrs[0] for record in callback.watch.history]
    assert lrs[:4] == pytest.approx([0.0, 0.05 / 3, 0.1 / 3, 0.05])


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"lr_scheduler_type": "cosine", "warmup_steps": 0},
        {"gradient_accumulation_steps": 3},
        {"lr_scheduler_type": "constant_with_warmup"},
        {"lr_scheduler_type": "cosine_with_restarts", "lr_scheduler_kwargs": {"num_cycles": 2}},
    ],
    ids=["linear", "cosine", "accumulation", "constant-warmup", "restarts"],
)
def test_the_callback_passes_a_correct_run(tmp_path, arguments):
    callback = LRWatchCallback()
    make_trainer(tmp_path, [callback], **arguments).train()
    (w,) = callback.watches
    assert w.optimizer_steps == 8
    assert callback.error is None
    assert len({record.lrs[0] for record in w.history}) > 1


def test_the_callback_follows_a_plateau_scheduler(tmp_path):
    callback = LRWatchCallback()
    trainer = make_trainer(
        tmp_path,
        [callback],
        lr_scheduler_type="reduce_lr_on_plateau",
        lr_scheduler_kwargs={"patience": 0, "factor": 0.5},
        eval_strategy="steps",
        eval_steps=2,
        metric_for_best_model="loss",
        warmup_steps=0,
    )
    trainer.train()
    (w,) = callback.watches
    assert w.optimizer_steps == 8 and callback.error is None


class StepsTheSchedulerAgain(transformers.TrainerCallback):
    """A user callback that steps the scheduler itself, on top of the Trainer."""

    def on_step_end(self, args, state, control, lr_scheduler=None, **kwargs):
        lr_scheduler.step()


class HalvesTheLR(transformers.TrainerCallback):
    def on_step_end(self, args, state, control, optimizer=None, **kwargs):
        if state.global_step == 4:
            for group in optimizer.param_groups:
                group["lr"] *= 0.5


def test_the_callback_catches_a_scheduler_stepped_twice(tmp_path):
    trainer = make_trainer(tmp_path, [LRWatchCallback(), StepsTheSchedulerAgain()])
    with pytest.raises(LRScheduleError) as caught:
        trainer.train()
    causes = {d.cause for d in caught.value.divergences}
    assert CAUSE_EXTRA_SCHEDULER_STEP in causes


def test_the_callback_catches_an_lr_written_by_another_callback(tmp_path):
    trainer = make_trainer(
        tmp_path, [LRWatchCallback(), HalvesTheLR()], lr_scheduler_type="constant", warmup_steps=0
    )
    with pytest.raises(LRScheduleError) as caught:
        trainer.train()
    assert caught.value.divergences[0].cause == CAUSE_OUTSIDE_WRITE
    assert caught.value.divergences[0].step == 4


def test_the_callback_can_warn_instead_of_raising(tmp_path):
    callback = LRWatchCallback(raise_on_error=False)
    trainer = make_trainer(tmp_path, [callback, StepsTheSchedulerAgain()])
    with pytest.warns(UserWarning, match="learning rate"):
        trainer.train()
    assert isinstance(callback.error, LRScheduleError)
