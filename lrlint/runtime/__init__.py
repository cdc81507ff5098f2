"""Runtime companion: assert, step by step, that the LR a run really used matches the declared schedule.

    from lrlint.runtime import watch, LRScheduleError
    with watch(optimizer, expect=scheduler) as w:
        train(...)
    # leaving the block raises LRScheduleError if any step diverged

Hugging Face ``Trainer`` and Lightning get a callback each (``lrlint.runtime.integrations``).

The public names load lazily (PEP 562): the pytest plugin ``lrlint.runtime.pytest_plugin`` lives in
this package and pytest imports it in every run, so importing the *package* must stay cheap and must
not need torch. Importing ``watch`` (or any other public name) imports torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lrlint.runtime.errors import Divergence, LRScheduleError, LRWatchWarning

if TYPE_CHECKING:
    from lrlint.runtime.watcher import StepRecord, Watch, watch

__all__ = ["Divergence", "LRScheduleError", "LRWatchWarning", "StepRecord", "Watch", "watch"]

_TORCH_NAMES = {"watch", "Watch", "StepRecord"}


def import_watcher() -> Any:
    """``lrlint.runtime.watcher``, or an ImportError that says what to install."""
    try:
        import torch  # noqa: F401
    except ImportError as error:
        raise ImportError(
            "lrlint.runtime needs torch, which is not installed: "
            "pip install 'lrlint[runtime]' (or install torch yourself)"
        ) from error
    from lrlint.runtime import watcher

    return watcher


def __getattr__(name: str) -> Any:
    if name in _TORCH_NAMES:
        return getattr(import_watcher(), name)
    raise AttributeError(f"module 'lrlint.runtime' has no attribute {name!r}")
