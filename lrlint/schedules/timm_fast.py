"""Fast tables of timm's ``_get_lr(t)`` for a range of ``t``, phase by phase.

:func:`lr_columns` gives, for one mirror scheduler of ``timm_mirror``, the values its
``_get_lr(t)`` returns for every ``t`` in ``range(start, stop)``, one column per param
group, with the same float operations in the same order (only hoisted out of the loop
where they do not depend on ``t``), so they are bit-identical; the tests check this. It
returns ``None`` when its preconditions do not hold (non-integer lengths, ``cycle_mul !=
1``, a callable or a decaying stable phase in WSD, ...): the caller then calls the
mirror's ``_get_lr`` for each ``t``, which also raises exactly what timm raises.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from itertools import repeat
from typing import Any

from lrlint.schedules.timm_mirror import (
    CosineLRScheduler,
    MultiStepLRScheduler,
    PolyLRScheduler,
    Scheduler,
    StepLRScheduler,
    TanhLRScheduler,
    WSDLRScheduler,
    _CycleScheduler,
)

Column = list[Any]


def _is_real(value: Any) -> bool:
    return type(value) in (int, float)


def _all_real(values: Any) -> bool:
    return all(_is_real(v) for v in values)


def lr_columns(scheduler: Scheduler, start: int, stop: int) -> list[Column] | None:
    """``[[scheduler._get_lr(t)[g] for t in range(start, stop)] for g in groups]``, or None."""
    table = _TABLES.get(type(scheduler))
    if table is None or not _plain_warmup(scheduler) or start < 0 or stop < start:
        return None
    warmup_t = scheduler.warmup_t
    cut = min(max(start, warmup_t), stop)  # the warmup covers t < warmup_t
    rest = table(scheduler, range(cut, stop))
    if rest is None:
        return None
    init = scheduler.warmup_lr_init
    return [
        [init + t * slope for t in range(start, cut)] + column
        for slope, column in zip(scheduler.warmup_steps, rest)
    ]


def _plain_warmup(scheduler: Any) -> bool:
    return (
        type(scheduler.warmup_t) is int
        and scheduler.warmup_t >= 0
        and _is_real(scheduler.warmup_lr_init)
        and _all_real(scheduler.base_values)
        and _all_real(scheduler.warmup_steps)
    )


# -- cosine, poly, tanh: one segment per cycle --------------------------------------------

Segment = Callable[[Any, int, range], "list[Column]"]


def _cycles(scheduler: _CycleScheduler, ts: range, segment: Segment) -> list[Column] | None:
    """The columns for ``ts`` (all past the warmup), cycle by cycle."""
    length = scheduler.t_initial
    plain = (
        type(length) is int
        and length > 0
        and _is_real(scheduler.cycle_mul)
        and scheduler.cycle_mul == 1
        and _all_real((scheduler.cycle_decay, scheduler.cycle_limit, scheduler.lr_min))
    )
    if not plain:
        return None
    shift = scheduler.warmup_t if scheduler.warmup_prefix else 0
    columns: list[Column] = [[] for _ in scheduler.base_values]
    stop = ts.stop - shift  # in the cycles' time t' = t - shift
    t = ts.start - shift
    while t < stop:
        i = t // length
        if not i < scheduler.cycle_limit:
            # lr_min from here on. Cosine and poly still compute the cycle's peak, which
            # overflows (timm raises) from some cycle on: the last cycle tells whether any does.
            parts = segment(scheduler, (stop - 1) // length, range(t, stop))
        else:
            parts = segment(scheduler, i, range(t, min(stop, (i + 1) * length)))
        for column, part in zip(columns, parts):
            column.extend(part)
        t += len(parts[0])
    return columns


def _cosine(scheduler: Any, i: int, ts: range) -> list[Column]:
    gamma = scheduler.cycle_decay**i
    tops = [v * gamma for v in scheduler.base_values]
    lr_min = scheduler.lr_min
    if not i < scheduler.cycle_limit:
        return [[lr_min] * len(ts) for _ in tops]
    k, start = scheduler.k_decay, scheduler.t_initial * i
    cos, pi, t_i_k = math.cos, math.pi, scheduler.t_initial**k
    bumps = [1 + cos(pi * (t - start) ** k / t_i_k) for t in ts]
    return [[lr_min + half * b for b in bumps] for half in [0.5 * (x - lr_min) for x in tops]]


def _poly(scheduler: Any, i: int, ts: range) -> list[Column]:
    gamma = scheduler.cycle_decay**i
    tops = [v * gamma for v in scheduler.base_values]
    lr_min = scheduler.lr_min
    if not i < scheduler.cycle_limit:
        return [[lr_min] * len(ts) for _ in tops]
    k, power, start = scheduler.k_decay, scheduler.power, scheduler.t_initial * i
    t_i_k = scheduler.t_initial**k
    remaining = [(1 - (t - start) ** k / t_i_k) ** power for t in ts]
    return [[lr_min + span * r for r in remaining] for span in [x - lr_min for x in tops]]


def _tanh(scheduler: Any, i: int, ts: range) -> list[Column]:
    lr_min = scheduler.lr_min
    if not i < scheduler.cycle_limit:
        return [[lr_min] * len(ts) for _ in scheduler.base_values]
    gamma = scheduler.cycle_decay**i
    tops = [v * gamma for v in scheduler.base_values]
    lb, ub, t_i, start = scheduler.lb, scheduler.ub, scheduler.t_initial, scheduler.t_initial * i
    tanh = math.tanh
    ratios = [(t - start) / t_i for t in ts]
    drops = [1 - tanh(lb * (1.0 - tr) + ub * tr) for tr in ratios]
    return [[lr_min + half * d for d in drops] for half in [0.5 * (x - lr_min) for x in tops]]


# -- step, multistep, wsd: element by element, past the warmup ---------------------------


def _prefixed(scheduler: Any, ts: range) -> range:
    shift = scheduler.warmup_t if scheduler.warmup_prefix else 0
    return range(ts.start - shift, ts.stop - shift)


def _step(scheduler: StepLRScheduler, ts: range) -> list[Column] | None:
    rate, every = scheduler.decay_rate, scheduler.decay_t
    if not (_is_real(rate) and _is_real(every)):
        return None
    times = _prefixed(scheduler, ts)
    if type(every) is int and every > 0:
        factors = _held(times, lambda t: rate ** (t // every), lambda t: (t // every + 1) * every)
    else:
        factors = [rate ** (t // every) for t in times]
    return [[v * f for f in factors] for v in scheduler.base_values]


def _multistep(scheduler: MultiStepLRScheduler, ts: range) -> list[Column] | None:
    rate, milestones = scheduler.decay_rate, scheduler.decay_t
    if not (_is_real(rate) and isinstance(milestones, (list, tuple)) and _all_real(milestones)):
        return None
    times = _prefixed(scheduler, ts)
    if list(milestones) == sorted(milestones):

        def next_change(t: int) -> Any:
            count = bisect_right(milestones, t + 1)  # the count grows once t + 1 reaches one
            return milestones[count] - 1 if count < len(milestones) else times.stop

        factors = _held(times, lambda t: rate ** bisect_right(milestones, t + 1), next_change)
    else:  # timm's bisect on an unsorted list: element by element
        factors = [rate ** bisect_right(milestones, t + 1) for t in times]
    return [[v * f for f in factors] for v in scheduler.base_values]


def _held(times: range, value: Callable[[int], Any], change: Callable[[int], Any]) -> Column:
    """``[value(t) for t in times]`` for a ``value`` that holds from ``t`` until ``change(t)``."""
    column: Column = []
    t = times.start
    while t < times.stop:
        end = min(times.stop, max(t + 1, change(t)))
        column.extend(repeat(value(t), end - t))
        t = end
    return column


def _wsd(scheduler: WSDLRScheduler, ts: range) -> list[Column] | None:
    lr_min, decay_t = scheduler.lr_min, scheduler.decay_t
    plain = (
        scheduler.stable_fn == "constant"
        and isinstance(scheduler.decay_fn, str)
        and _is_real(lr_min)
        and type(decay_t) is int
        and type(scheduler.t_initial) is int
    )
    if not plain:
        return None
    warmup_t, stable_t, decay = scheduler.warmup_t, scheduler.t_initial - decay_t, scheduler._decay
    # The decay starts once t - warmup_t - stable_t > 0.
    stable = range(ts.start, max(ts.start, min(ts.stop, warmup_t + stable_t + 1)))
    decaying = range(stable.stop, ts.stop)
    factors = [decay(min(((t - warmup_t) - stable_t) / decay_t, 1.0)) for t in decaying]
    columns = []
    for v in scheduler.base_values:
        top = max(v * 1.0, lr_min)  # the constant stable phase, never below lr_min
        span = top - lr_min
        columns.append([top] * len(stable) + [lr_min + span * f for f in factors])
    return columns


_TABLES: dict[type, Callable[[Any, range], list[Column] | None]] = {
    CosineLRScheduler: lambda s, ts: _cycles(s, ts, _cosine),
    PolyLRScheduler: lambda s, ts: _cycles(s, ts, _poly),
    TanhLRScheduler: lambda s, ts: _cycles(s, ts, _tanh),
    StepLRScheduler: _step,
    MultiStepLRScheduler: _multistep,
    WSDLRScheduler: _wsd,
}
