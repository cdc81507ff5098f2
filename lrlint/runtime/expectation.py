"""The declared schedule, as the watch reads it: the LR each watched group should have at
schedule position ``i`` (an optimizer step, or an epoch with ``unit="epoch"``).

``expect`` may be a live torch scheduler (its constructor arguments, rebuilt by
``lrlint.schedules``), a ``lrlint.schedules.Schedule``, a callable ``position -> lr`` (one float
for every group, or one per group) or a sequence of the same. Positions are asked in
mostly non-decreasing order, so a Schedule is read through one lazy iterator and a bounded window
of recent rows: memory does not grow with the run (except ReduceLROnPlateau's metrics, one float
per scheduler step).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import torch

from lrlint.runtime.scheduler_args import build_declared, distinct_curves, scheduler_spec


class Expectation:
    """``at(position)`` → the declared LR of each watched group, or None past its end."""

    needs_metrics = False
    explicit = False  # following explicit scheduler.step(epoch) calls: ``at`` ignores position
    follows_steps = False  # on_step must see every scheduler step, not only explicit ones

    def at(self, position: int) -> list[float] | None:
        raise NotImplementedError

    def scalar_at(self, position: int) -> float | None:
        """The one LR declared for every group at ``position`` (a group added later is held to
        it), or None when the declaration is per group or comes from a scheduler."""
        return None

    def observe_metric(self, metric: float) -> None:
        """ReduceLROnPlateau follows the metric given to each ``scheduler.step(metric)``."""

    def on_step(self, epoch: float | None) -> bool:
        """Follow one step of the scheduler (``epoch``: the explicit epoch it was given).
        False when the LR at an explicit epoch is not modelled."""
        return epoch is None


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


def _scalar(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


class _SequenceExpectation(Expectation):
    def __init__(self, values: Sequence[Any], groups: _GroupMap) -> None:
        self._values, self._groups = values, groups

    def at(self, position: int) -> list[float] | None:
        if position >= len(self._values):
            return None
        return self._groups.select(self._values[position])

    def scalar_at(self, position: int) -> float | None:
        return _scalar(self._values[position]) if position < len(self._values) else None


class _CallableExpectation(Expectation):
    def __init__(self, fn: Callable[[int], Any], groups: _GroupMap) -> None:
        self._fn, self._groups = fn, groups

    def at(self, position: int) -> list[float] | None:
        return self._groups.select(self._fn(position))

    def scalar_at(self, position: int) -> float | None:
        return _scalar(self._fn(position))


_WINDOW = 4096  # schedule rows kept for positions asked again (a shifted run asks two)


class _ScheduleExpectation(Expectation):
    """Reads a Schedule's endless iterator forward, keeping a bounded window of recent rows; a
    position behind the window replays the schedule from its start (rare: a checkpoint load
    is answered by a new expectation)."""

    def __init__(self, schedule: Any, groups: _GroupMap, scalar_rows: bool) -> None:
        self._schedule = schedule
        self._groups = groups
        self._scalar_rows = scalar_rows
        self.needs_metrics = getattr(schedule, "name", None) == "ReduceLROnPlateau"
        self._metrics: list[float] = []
        self._restart()

    def _restart(self) -> None:
        if self.needs_metrics:
            self._rows: Iterator[Any] = self._schedule.iter(metrics=self._metric_feed())
        else:
            self._rows = self._schedule.iter()
        self._window: deque[Any] = deque(maxlen=_WINDOW)  # rows up to position _next - 1
        self._next = 0  # position of the next row the iterator yields
        self._end: int | None = None  # first position past the schedule's end
        self._last_position: int | float | None = None
        self._last_row: list[float] | None = None

    def _metric_feed(self) -> Iterator[float]:
        # The schedule pulls metric i only to compute position i + 1, which ``at`` asks for
        # only once the scheduler has been stepped with it.
        index = 0
        while True:
            yield self._metrics[index]
            index += 1

    def observe_metric(self, metric: float) -> None:
        self._metrics.append(metric)
        self._last_position = None  # a position that lacked its metric may have it now

    def _raw(self, position: int) -> Any:
        if position < self._next - len(self._window):
            self._restart()  # behind the window: replay from the start
        while self._next <= position:
            if self._end is not None:
                return None
            if self.needs_metrics and self._next > len(self._metrics):
                return None  # the metric that decides this position was never given
            try:
                row = next(self._rows)
            except Exception:  # noqa: BLE001 - where torch would raise, the schedule ends
                self._end = self._next
                return None
            self._window.append(row)
            self._next += 1
        return self._window[position - self._next]  # from the end: the window is bounded

    def at(self, position: int) -> list[float] | None:
        if position == self._last_position:
            return self._last_row  # per epoch, most steps ask the position the previous one asked
        if position == self._next and self._end is None and not self.needs_metrics:
            try:  # per step: the next row (the common case, kept free of a call to _raw)
                row = next(self._rows)
                self._window.append(row)
                self._next += 1
            except Exception:  # noqa: BLE001 - where torch would raise, the schedule ends
                self._end = self._next
                row = None
        else:
            row = self._raw(position)
        self._last_row = None if row is None else self._groups.select(row)
        self._last_position = position
        return self._last_row

    def scalar_at(self, position: int) -> float | None:
        return _scalar(self._raw(position)) if self._scalar_rows else None


class _WarmRestarts(_ScheduleExpectation):
    """CosineAnnealingWarmRestarts: its documented ``step(epoch + i / iters)`` sets the position
    explicitly. From the first explicit epoch on, the expectation replays torch's ``step`` on
    numbers, from the scheduler's state at watch start."""

    follows_steps = True  # the replica's state advances with every step

    def __init__(self, schedule: Any, groups: _GroupMap, scheduler: Any, spec: Any) -> None:
        super().__init__(schedule, groups, scalar_rows=False)
        kwargs = spec.kwargs
        self._t0, self._t_mult, self._eta_min = kwargs["T_0"], kwargs["T_mult"], kwargs["eta_min"]
        base = spec.base_lr
        self._base_lrs = [float(b) for b in (base if isinstance(base, list) else [base])]
        self._t_cur = float(scheduler.T_cur)
        self._t_i = scheduler.T_i
        self._last_epoch = scheduler.last_epoch

    def on_step(self, epoch: float | None) -> bool:
        # torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.step, on the replica's state
        if epoch is None and self._last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self._last_epoch + 1
            self._t_cur = self._t_cur + 1
            if self._t_cur >= self._t_i:
                self._t_cur = self._t_cur % self._t_i
                self._t_i = self._t_i * self._t_mult
        else:
            self.explicit = True
            if epoch >= self._t0:
                if self._t_mult == 1:
                    self._t_cur = epoch % self._t0
                else:
                    n = int(math.log((epoch / self._t0 * (self._t_mult - 1) + 1), self._t_mult))
                    self._t_cur = epoch - self._t0 * (self._t_mult**n - 1) / (self._t_mult - 1)
                    self._t_i = self._t0 * self._t_mult ** (n)
            else:
                self._t_i = self._t0
                self._t_cur = epoch
        self._last_epoch = math.floor(epoch)
        return True

    def at(self, position: int) -> list[float] | None:
        if not self.explicit:
            return super().at(position)
        eta_min, cosine = self._eta_min, math.cos(math.pi * self._t_cur / self._t_i)
        row = [eta_min + (base - eta_min) * (1 + cosine) / 2 for base in self._base_lrs]
        return self._groups.select(row if len(row) > 1 else row[0])


def is_scheduler(expect: Any) -> bool:
    return isinstance(expect, torch.optim.lr_scheduler.LRScheduler)


def make_expectation(expect: Any, groups: Sequence[int], total_groups: int) -> Expectation:
    """Turn ``watch``'s ``expect=`` argument into an Expectation (read once, at watch start, and
    again when the scheduler's state is loaded). Positions are the scheduler's own (its
    ``last_epoch``) for a scheduler, and count from 0 for anything else."""
    if is_scheduler(expect):
        spec, curves = distinct_curves(scheduler_spec(expect), total_groups)
        group_map = _GroupMap(groups, curves)
        if spec.name == "CosineAnnealingWarmRestarts":
            return _WarmRestarts(build_declared(spec), group_map, expect, spec)
        return _ScheduleExpectation(build_declared(spec), group_map, scalar_rows=False)
    group_map = _GroupMap(groups, range(total_groups))
    if hasattr(expect, "iter") and hasattr(expect, "values"):
        return _ScheduleExpectation(expect, group_map, scalar_rows=True)
    if callable(expect):
        return _CallableExpectation(expect, group_map)
    if isinstance(expect, Sequence) and not isinstance(expect, (str, bytes)):
        return _SequenceExpectation(expect, group_map)
    raise TypeError(
        "expect= takes a torch LR scheduler, an lrlint.schedules.Schedule, a callable "
        f"step -> lr, or a list of LRs; got {type(expect).__name__}"
    )
