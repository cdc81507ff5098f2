"""The declared schedule, as the watch reads it: the LR each watched group should have at
schedule position ``i`` (an optimizer step, or an epoch with ``unit="epoch"``).

``expect`` may be a live torch scheduler (its constructor arguments, rebuilt by
``lrlint.schedules``), a ``lrlint.schedules.Schedule``, a callable ``position -> lr`` (one float
for every group, or one per group) or a sequence of the same. Positions are asked in
non-decreasing order, so a Schedule is read through one lazy iterator: memory does not grow with
the run (except ReduceLROnPlateau's metrics, one float per scheduler step).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import torch

from lrlint.runtime.scheduler_args import build_declared, distinct_curves, scheduler_spec


class Expectation:
    """``at(position)`` → the declared LR of each watched group, or None past its end."""

    needs_metrics = False

    def at(self, position: int) -> list[float] | None:
        raise NotImplementedError

    def observe_metric(self, metric: float) -> None:
        """ReduceLROnPlateau follows the metric given to each ``scheduler.step(metric)``."""


class _GroupMap:
    """Picks the watched groups' LRs out of a declared row: one number for every group, or one
    per curve, where ``curves[g]`` is group g's curve (the identity unless groups share one)."""

    def __init__(self, groups: Sequence[int], curves: Sequence[int]) -> None:
        self._columns = [curves[g] for g in groups]
        self._width = max(curves) + 1

    def select(self, value: Any) -> list[float]:
        if isinstance(value, (int, float)):
            return [float(value)] * len(self._columns)
        values = list(value)
        if len(values) != self._width:
            raise ValueError(
                f"the declared schedule gives {len(values)} LRs per step, but the optimizer has "
                f"{self._width} param groups"
            )
        return [float(values[c]) for c in self._columns]


class _SequenceExpectation(Expectation):
    def __init__(self, values: Sequence[Any], groups: _GroupMap) -> None:
        self._values, self._groups = values, groups

    def at(self, position: int) -> list[float] | None:
        if position >= len(self._values):
            return None
        return self._groups.select(self._values[position])


class _CallableExpectation(Expectation):
    def __init__(self, fn: Callable[[int], Any], groups: _GroupMap) -> None:
        self._fn, self._groups = fn, groups

    def at(self, position: int) -> list[float] | None:
        return self._groups.select(self._fn(position))


class _ScheduleExpectation(Expectation):
    """Reads a Schedule's endless iterator forward, remembering only the current position."""

    def __init__(self, schedule: Any, groups: _GroupMap, already_stepped: int) -> None:
        self._groups = groups
        self.needs_metrics = getattr(schedule, "name", None) == "ReduceLROnPlateau"
        self._metrics: list[float] = []
        feed = self._metric_feed() if self.needs_metrics else None
        self._rows: Iterator[Any] = schedule.iter(metrics=feed) if feed else schedule.iter()
        self._position = -1 - already_stepped  # schedule position of self._current
        self._current: list[float] = []

    def _metric_feed(self) -> Iterator[float]:
        # The schedule pulls metric i only to compute position i + 1, which ``at`` asks for
        # only once the scheduler has been stepped with it.
        index = 0
        while True:
            yield self._metrics[index]
            index += 1

    def observe_metric(self, metric: float) -> None:
        self._metrics.append(metric)

    def at(self, position: int) -> list[float] | None:
        if position < self._position:
            raise ValueError("schedule positions must be asked in non-decreasing order")
        while self._position < position:
            if self.needs_metrics and self._position >= len(self._metrics):
                return None  # the metric that decides this position was never given
            try:
                row = next(self._rows)
            except Exception:  # noqa: BLE001 - where torch would raise, the schedule ends
                return None
            self._current = self._groups.select(row)
            self._position += 1
        return self._current


def is_scheduler(expect: Any) -> bool:
    return isinstance(expect, torch.optim.lr_scheduler.LRScheduler)


def make_expectation(expect: Any, groups: Sequence[int], total_groups: int) -> Expectation:
    """Turn ``watch``'s ``expect=`` argument into an Expectation (read once, at watch start)."""
    if is_scheduler(expect):
        spec, curves = distinct_curves(scheduler_spec(expect), total_groups)
        group_map = _GroupMap(groups, curves)
        return _ScheduleExpectation(build_declared(spec), group_map, spec.already_stepped)
    group_map = _GroupMap(groups, range(total_groups))
    if hasattr(expect, "iter") and hasattr(expect, "values"):
        return _ScheduleExpectation(expect, group_map, 0)
    if callable(expect):
        return _CallableExpectation(expect, group_map)
    if isinstance(expect, Sequence) and not isinstance(expect, (str, bytes)):
        return _SequenceExpectation(expect, group_map)
    raise TypeError(
        "expect= takes a torch LR scheduler, an lrlint.schedules.Schedule, a callable "
        f"step -> lr, or a list of LRs; got {type(expect).__name__}"
    )
