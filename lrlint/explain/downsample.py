"""Fewer points for a long curve, keeping what matters: extremes, drops, first and last step.

The ``count`` steps are cut into ``buckets`` equal runs; each run contributes the steps of its
smallest and its largest LR (of any param group). The first and last steps and the ``keep``
steps (the key steps) are always included. Every step kept carries its exact LR, so the global
minimum and maximum, and every step a decay happens, survive. A curve of at most ``FULL``
steps is returned whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

BUCKETS = 1000
FULL = 10_000  # longest curve given step by step
METHOD = ("min-max per bucket: the steps are cut into {buckets} equal runs; each run "
          "contributes the steps of its smallest and largest LR; the first and last steps and "
          "every key step are always kept; every kept step has its exact LR")


def kept_steps(columns: Sequence[Sequence[float]], keep: Iterable[int] = (),
               buckets: int = BUCKETS) -> list[int]:
    """The steps to keep, in order (all of them when the curve is short)."""
    count = len(columns[0]) if columns else 0
    if not is_downsampled(count):
        return list(range(count))
    chosen = {0, count - 1, *(step for step in keep if 0 <= step < count)}
    for bucket in range(buckets):
        start, stop = bucket * count // buckets, (bucket + 1) * count // buckets
        for column in columns:
            run = column[start:stop]
            chosen.add(start + run.index(min(run)))
            chosen.add(start + run.index(max(run)))
    return sorted(chosen)


def is_downsampled(count: int) -> bool:
    return count > FULL
