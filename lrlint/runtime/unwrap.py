"""See through the optimizer and scheduler wrappers that training frameworks hand out.

- accelerate's ``AcceleratedOptimizer`` (what Hugging Face ``Trainer`` passes to callbacks) keeps
  the torch optimizer in ``.optimizer``; it subclasses ``torch.optim.Optimizer`` without running
  its constructor, so it has no step hooks of its own.
- accelerate's ``AcceleratedScheduler`` keeps the torch scheduler in ``.scheduler``; without
  ``split_batches`` it steps that scheduler once per process for every optimizer step.
- Lightning's ``LightningOptimizer`` (what ``LightningModule.optimizers()`` returns) keeps the
  torch optimizer in ``._optimizer``.

Wrappers are recognised by their class names and attributes, so no framework is imported here.
"""

from __future__ import annotations

from typing import Any

_MAX_LAYERS = 8  # wrappers of wrappers (a LightningOptimizer over an AcceleratedOptimizer ...)


def _class_names(obj: Any) -> set[str]:
    return {cls.__name__ for cls in type(obj).__mro__}


def _inner_optimizer(obj: Any) -> Any:
    names = _class_names(obj)
    if "LightningOptimizer" in names:
        return obj.__dict__.get("_optimizer")
    if "AcceleratedOptimizer" in names or "DeepSpeedOptimizerWrapper" in names:
        return obj.__dict__.get("optimizer")
    return None


def unwrap_optimizer(optimizer: Any) -> Any:
    """The torch optimizer underneath any framework wrappers (``optimizer`` itself if none)."""
    for _ in range(_MAX_LAYERS):
        inner = _inner_optimizer(optimizer)
        if inner is None:
            return optimizer
        optimizer = inner
    return optimizer


def unwrap_scheduler(scheduler: Any) -> tuple[Any, int]:
    """The torch scheduler underneath any framework wrappers, and how many times it is stepped
    for one optimizer step (accelerate steps it once per process unless batches are split)."""
    stride = 1
    for _ in range(_MAX_LAYERS):
        if "AcceleratedScheduler" not in _class_names(scheduler):
            break
        if scheduler.__dict__.get("step_with_optimizer", True) and not scheduler.__dict__.get(
            "split_batches", False
        ):
            stride *= _accelerate_processes()
        scheduler = scheduler.scheduler
    return scheduler, stride


def _accelerate_processes() -> int:
    try:
        from accelerate.state import AcceleratorState

        return int(AcceleratorState().num_processes)
    except Exception:  # noqa: BLE001 - no accelerate state: a single process
        return 1


def scheduler_optimizer(scheduler: Any) -> Any:
    """The torch optimizer a (torch) scheduler steps, through wrappers; None if it has none."""
    return unwrap_optimizer(getattr(scheduler, "optimizer", None))
