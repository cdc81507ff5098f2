"""One LR curve, reduced as it is computed: a bounded number of exact points, however long.

The schedule's rows arrive in chunks of consecutive steps (columns: one list per param group)
and are folded into buckets of equal runs of steps. Each bucket keeps, per group, the first step
of its smallest and of its largest LR, with the row (every group's LR) at those steps; when
there are more than ``2 × BUCKETS`` buckets, neighbours merge (runs of twice the length), so
the number of points stays bounded whatever the length, and the length need not be known in
advance (a schedule torch stops partway). The first ``FULL`` rows are also kept whole: a curve
that short is given step by step. The first and last rows, the rows at the requested key steps,
the exact minimum and maximum (of the first group, first step reaching it), the last step whose
LR changes and the first step where the first group's LR falls are always exact.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice, repeat
from operator import lt, ne

BUCKETS = 1000
FULL = 10_000  # longest curve given step by step
CHUNK = 1 << 16  # rows per chunk when the schedule is stepped one row at a time
METHOD = ("min-max per bucket: the steps are cut into {buckets:,} to {twice:,} equal runs; each "
          "run contributes the steps of its smallest and largest LR; the first and last steps "
          "and every key step are always kept; every kept step has its exact LR")

Columns = list[list[float]]  # columns[group][i]


@dataclass(frozen=True)
class Extreme:
    step: int
    lrs: list[float]  # one per param group


@dataclass
class Curve:
    """A curve's kept steps (all of them when it is short) and its exact summary."""

    count: int  # steps computed
    steps: list[int]  # the kept steps, in order
    columns: Columns  # columns[group][i]: the LR of group at steps[i]
    minimum: Extreme
    maximum: Extreme
    last_change: int | None  # the last step whose LR differs from the one before
    first_drop: int | None  # the first step whose LR (first group) is below the one before
    _index: dict[int, int] = field(default_factory=dict, repr=False)

    @property
    def downsampled(self) -> bool:
        return len(self.steps) < self.count

    @property
    def groups(self) -> int:
        return len(self.columns)

    def lrs_at(self, step: int) -> list[float]:
        """Every group's LR at a kept step (step 0, the last, key steps, the extremes ...)."""
        if not self._index:
            self._index = {s: i for i, s in enumerate(self.steps)}
        i = self._index[step]
        return [column[i] for column in self.columns]


class _Bucket:
    __slots__ = ("high", "high_row", "high_step", "low", "low_row", "low_step")

    def __init__(self, low, low_step, low_row, high, high_step, high_row) -> None:
        self.low, self.low_step, self.low_row = low, low_step, low_row
        self.high, self.high_step, self.high_row = high, high_step, high_row

    def merge(self, other: _Bucket) -> None:
        """Fold in a later bucket; ties keep the earlier step."""
        if other.low < self.low:
            self.low, self.low_step, self.low_row = other.low, other.low_step, other.low_row
        if other.high > self.high:
            self.high, self.high_step, self.high_row = other.high, other.high_step, other.high_row


class Reducer:
    """Feed chunks of consecutive rows with :meth:`feed`; :meth:`curve` gives the result."""

    def __init__(self, groups: int, keep: Iterable[int] = ()) -> None:
        self.groups = groups
        self.count = 0
        self.width = 1  # steps per bucket
        self.buckets: list[list[_Bucket]] = [[] for _ in range(groups)]  # per group
        self.head: Columns = [[] for _ in range(groups)]  # the first FULL rows
        self.keep = sorted(set(keep))
        self.kept: dict[int, list[float]] = {}
        self.last_row: list[float] | None = None
        # The last chunk with a change (its start, rows, and the row before it): last_change.
        self.last_changed_chunk: tuple[int, Columns, list[float] | None] | None = None
        self.first_drop: int | None = None

    def feed(self, columns: Columns) -> None:
        length = len(columns[0]) if columns else 0
        if not length:
            return
        start = self.count
        previous = self.last_row
        while (start + length - 1) // self.width >= 2 * BUCKETS:
            self._merge_neighbours()  # wider runs first, so the chunk makes few buckets
        if len(self.head[0]) < FULL:
            room = FULL - len(self.head[0])
            for head, column in zip(self.head, columns):
                head.extend(column[:room])
        self._keep_rows(columns, start, length)
        # A flat chunk (common: step decays hold for thousands of steps) needs no scan; count
        # is also the cheapest scan when one float object repeats.
        flat = [column.count(column[0]) == length for column in columns]
        self._changes(columns, start, previous, flat)
        for group, column in enumerate(columns):
            self._bucket(group, column, columns, start, flat[group])
        self.count += length
        self.last_row = [column[-1] for column in columns]

    def _keep_rows(self, columns: Columns, start: int, length: int) -> None:
        keep = self.keep
        first = bisect_left(keep, start)
        for step in islice(keep, first, None):
            if step >= start + length:
                break
            self.kept[step] = [column[step - start] for column in columns]

    def _changes(self, columns: Columns, start: int, previous: list[float] | None,
                 flat: list[bool]) -> None:
        """Remember the last chunk with a change (exact index found in ``curve``) and find
        the first drop of the first group, at C speed."""
        changed = not all(flat) or (previous is not None and previous != [c[0] for c in columns])
        if changed:
            self.last_changed_chunk = (start, columns, previous)
        if self.first_drop is None:
            column = columns[0]
            if previous is not None and column[0] < previous[0]:
                self.first_drop = start
            elif not flat[0] and column != sorted(column):
                self.first_drop = start + 1 + list(map(lt, column[1:], column[:-1])).index(True)

    def _bucket(self, group: int, column: list[float], columns: Columns, start: int,
                flat: bool) -> None:
        buckets = self.buckets[group]
        position, length = 0, len(column)
        while position < length:
            step = start + position
            index = step // self.width
            stop = min(length, (index + 1) * self.width - start)
            if flat:
                low_at = high_at = position
            else:
                run = column if stop - position == length else column[position:stop]
                low_at = position + run.index(min(run))
                high_at = position + run.index(max(run))
            low, high = column[low_at], column[high_at]
            bucket = _Bucket(low, start + low_at, [c[low_at] for c in columns],
                             high, start + high_at, [c[high_at] for c in columns])
            if index < len(buckets):
                buckets[index].merge(bucket)
            else:
                buckets.append(bucket)
            position = stop

    def _merge_neighbours(self) -> None:
        for group, buckets in enumerate(self.buckets):
            merged = []
            for index in range(0, len(buckets), 2):
                bucket = buckets[index]
                if index + 1 < len(buckets):
                    bucket.merge(buckets[index + 1])
                merged.append(bucket)
            self.buckets[group] = merged
        self.width *= 2

    def curve(self) -> Curve | None:
        if not self.count:
            return None
        first = [column[0] for column in self.head]
        rows = {0: first, self.count - 1: self.last_row, **self.kept}
        if self.count <= FULL:
            steps, columns = list(range(self.count)), self.head
        else:
            for buckets in self.buckets:
                for bucket in buckets:
                    rows[bucket.low_step] = bucket.low_row
                    rows[bucket.high_step] = bucket.high_row
            steps = sorted(rows)
            columns = [[rows[step][group] for step in steps] for group in range(self.groups)]
        low = high = self.buckets[0][0]
        for bucket in self.buckets[0]:
            low = bucket if bucket.low < low.low else low
            high = bucket if bucket.high > high.high else high
        return Curve(self.count, steps, columns, Extreme(low.low_step, low.low_row),
                     Extreme(high.high_step, high.high_row), self._last_change(),
                     self.first_drop)

    def _last_change(self) -> int | None:
        if self.last_changed_chunk is None:
            return None
        start, columns, previous = self.last_changed_chunk
        last = None
        for group, column in enumerate(columns):
            flags = list(map(ne, column[1:], column[:-1]))
            if True in flags:
                at = start + len(flags) - flags[::-1].index(True)
                last = at if last is None else max(last, at)
            elif previous is not None and previous[group] != column[0]:
                last = start if last is None else max(last, start)
        return last


# -- where the rows come from --------------------------------------------------------------


def row_chunks(rows: Sequence, groups: int) -> Iterator[Columns]:
    """``Schedule.values`` output (floats, or one list per step) as column chunks."""
    for start in range(0, len(rows), CHUNK):
        part = rows[start:start + CHUNK]
        if groups == 1 and not isinstance(part[0], list):
            yield [part]
        else:
            yield [list(column) for column in zip(*part)]


def shifted(chunks: Iterable[Columns], by: int) -> Iterator[Columns]:
    """The rows from step ``by`` on: what a loop sees that steps the scheduler first."""
    skip = by
    for columns in chunks:
        if skip:
            dropped = min(skip, len(columns[0]))
            columns = [column[dropped:] for column in columns]
            skip -= dropped
        if columns[0]:
            yield columns


def sampled(chunks: Iterable[Columns], every: int, phase: int,
            period: int | None = None) -> Iterator[Columns]:
    """Rows ``phase``, ``phase + every``, ... of each run of ``period`` rows (of all the rows
    when ``period`` is None): the LRs an optimizer uses that steps on one scheduler step in
    ``every``, its counter restarting each epoch of ``period`` steps."""
    index = 0  # of the chunk's first row
    for columns in chunks:
        length = len(columns[0])
        parts = list(_sample_slices(index, length, every, phase, period))
        index += length
        picked = [[value for part in parts for value in column[part]] for column in columns] \
            if len(parts) > 1 else [column[parts[0]] for column in columns] if parts else []
        if picked and picked[0]:
            yield picked


def _sample_slices(index: int, length: int, every: int, phase: int, period: int | None):
    """The local slices of rows ``index .. index + length`` that ``sampled`` keeps."""
    block = period or index + length
    first_block = index // block if period else 0
    for start in range(first_block * block, index + length, block):
        low, high = max(index, start), min(index + length, start + block)
        pick = start + phase
        if pick < low:
            pick += -(-(low - pick) // every) * every
        if pick < high:
            yield slice(pick - index, high - index, every)


def sampled_rows_needed(count: int, every: int, phase: int, period: int | None) -> int:
    """How many source rows ``sampled`` needs to give ``count`` rows."""
    last = count - 1
    if period is None:
        return phase + last * every + 1
    per_period = max(0, -(-(period - phase) // every))
    if not per_period:
        return 0
    return last // per_period * period + phase + last % per_period * every + 1


def repeated(chunks: Iterable[Columns], times: int) -> Iterator[Columns]:
    """Each row ``times`` times, in bounded chunks: a schedule stepped once per ``times``
    optimizer steps, seen per optimizer step."""
    rows_per_chunk = max(1, CHUNK // times)
    for columns in chunks:
        for start in range(0, len(columns[0]), rows_per_chunk):
            yield [list(chain.from_iterable(repeat(value, times)
                                            for value in column[start:start + rows_per_chunk]))
                   for column in columns]


def truncated(chunks: Iterable[Columns], count: int) -> Iterator[Columns]:
    """At most ``count`` rows."""
    left = count
    for columns in chunks:
        if left <= 0:
            return
        if len(columns[0]) > left:
            columns = [column[:left] for column in columns]
        left -= len(columns[0])
        yield columns
