"""A schedule's rows for ``count`` steps, as column chunks, and where torch stops them.

``Schedule.values(count)`` is the fast path when the schedule has one (a closed form over whole
lists); other schedules are stepped one row at a time and handed on in chunks, so a long curve
never sits in memory whole. As in ``values``, a loop of ``count`` steps ends with a
``scheduler.step()``: the row after the last one is made too, to see whether it raises, and when
something raises the rows before it are kept and ``failure`` says where.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from itertools import islice
from typing import Any

from lrlint.analysis.evaluate import NotStaticError, UserCodeError
from lrlint.explain.curve import CHUNK, Columns, row_chunks


class Rows:
    """Iterate for the chunks; read ``failure`` after."""

    def __init__(self, schedule: Any, count: int) -> None:
        self.schedule = schedule
        self.count = count
        self.failure: str | None = None

    def __iter__(self) -> Iterator[Columns]:
        schedule, count = self.schedule, self.count
        rows = _values_or_none(schedule, count) if _has_fast_path(schedule) else None
        if rows is not None:
            yield from row_chunks(rows, schedule.groups)
        else:  # no closed form, or it raised: step row by row, to find where
            yield from self._stepped()

    def _stepped(self) -> Iterator[Columns]:
        # Millions of small row lists would set off the cyclic GC over and over (they cannot
        # form cycles): pause it while stepping, as Schedule.values does.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            yield from self._stepped_rows()
        finally:
            if was_enabled:
                gc.enable()

    def _stepped_rows(self) -> Iterator[Columns]:
        made, buffer = 0, []
        try:
            for row in islice(self.schedule.iter(), self.count + 1):
                made += 1
                if made > self.count:
                    break  # the last scheduler.step() did not raise
                buffer.append(row)
                if len(buffer) == CHUNK:
                    yield from row_chunks(buffer, self.schedule.groups)
                    buffer = []
        except Exception as error:  # noqa: BLE001
            where = (f"after step {made - 1:,} (scheduler.step() call {made:,})" if made
                     else "at construction")
            self.failure = _failure(error, where)
        if buffer:
            yield from row_chunks(buffer, self.schedule.groups)


def _values_or_none(schedule: Any, count: int) -> list | None:
    try:
        return schedule.values(count)
    except Exception:  # noqa: BLE001 - any error of the user's schedule
        return None


def _has_fast_path(schedule: Any) -> bool:
    from lrlint.schedules.fast import FAST_PATHS
    from lrlint.schedules.hf_mirror import HF_FUNCTIONS

    resumed = schedule.kwargs.get("last_epoch", -1) != -1
    return not resumed and (schedule.name in FAST_PATHS or schedule.name in HF_FUNCTIONS)


def _failure(error: Exception, where: str) -> str:
    """What stops the curve: torch's exception (the user's lambda raising counts), or a lambda
    lrlint cannot evaluate statically."""
    if isinstance(error, NotStaticError):
        return f"lrlint cannot evaluate the schedule {where}: {error}"
    kind = error.python_exception if isinstance(error, UserCodeError) else type(error)
    return f"torch raises {kind.__name__} {where}: {error}"
