"""A timm schedule as ``explain`` draws it: one row per call of the method that moves it.

``Schedule.values(n)`` is torch's loop (``scheduler.step()`` after each optimizer step), which
timm rejects; a timm scheduler is drawn per epoch when ``t_in_epochs`` is True (the loop
calls ``step(epoch + 1)`` after each epoch, as timm's ``train.py`` does) and per optimizer
update otherwise (``step_update(num_updates)``, counted from 1). ``--steps-per-epoch`` fills
in the ``len(loader)`` an update-sized schedule is written with.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lrlint.analysis.model import TrackedObject
from lrlint.analysis.timm import EPOCH_METHOD, UPDATE_METHOD, schedule_end

PLATEAU = "timm.PlateauLRScheduler"
_FIRST_CHUNK = 1024


def is_timm(schedule: Any) -> bool:
    return schedule.name.startswith("timm.")


class DrivenTimm:
    """The rows of a ``TimmSchedule`` driven by its own unit, with what ``explain`` reads of a
    schedule: ``name`` and ``arguments`` (the class the schedule resolves to), ``values``,
    ``iter``, ``groups``, ``base_lrs``, ``kwargs``."""

    def __init__(self, schedule: Any) -> None:
        self.schedule = schedule
        resolved = schedule.resolved()
        self.name = resolved.name
        self.per_epoch = schedule.t_in_epochs
        self.unit = "epoch" if self.per_epoch else "update"
        self.arguments = {**resolved.arguments, "_length": self._length(resolved)}
        self.kwargs = schedule.kwargs
        self.groups = schedule.groups
        self.base_lrs = schedule.base_lrs

    def _length(self, resolved: Any) -> tuple[int, str] | None:
        """The run length in rows: a factory's num_epochs (in its unit), else where the
        decay ends."""
        num_epochs = self.schedule.num_epochs
        if isinstance(num_epochs, int) and num_epochs >= 1:
            per_epoch = self.schedule.kwargs.get("updates_per_epoch")
            if self.per_epoch:
                return num_epochs, f"num_epochs={num_epochs} that {_short(self.schedule)} returns"
            if isinstance(per_epoch, int) and per_epoch >= 1:
                reason = (f"num_epochs × updates_per_epoch = {num_epochs} × {per_epoch} of "
                          f"{_short(self.schedule)}")
                return num_epochs * per_epoch, reason
        end = schedule_end(resolved.name, resolved.arguments)
        if isinstance(end, int) and not isinstance(end, bool) and end >= 1:
            return end, f"the decay of {_short(resolved)} ends at t={end}"
        return None

    def values(self, count: int) -> list[Any]:
        if self.per_epoch:
            return self.schedule.values_by_epoch(count)
        return self.schedule.values_by_update(count)

    def iter(self) -> Iterator[Any]:
        """The rows without end, computed in growing chunks (``explain`` stops it)."""
        done, size = 0, _FIRST_CHUNK
        while True:
            rows = self.values(size)
            yield from rows[done:]
            done, size = size, size * 2


def _short(schedule: Any) -> str:
    return schedule.name.removeprefix("timm.")


def implied_timm_length(arguments: dict) -> tuple[int, str] | None:
    return arguments.get("_length")


def moving_methods(model, scheduler: TrackedObject) -> tuple[str, ...]:
    """The methods whose calls move the scheduler: ``step`` or timm's ``step_update`` (per its
    unit; both when the unit is unknown)."""
    if scheduler.family != "timm":
        return (EPOCH_METHOD,)
    from lrlint.analysis.timm import moving_method

    method = moving_method(model, scheduler)
    return (method,) if method else (EPOCH_METHOD, UPDATE_METHOD)
