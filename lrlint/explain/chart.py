"""A small braille chart of an LR curve (and of a second one, in • marks), for the terminal.

Each character is a 2×4 grid of dots, so a 60×10 character chart has 120×40 dots. Every dot
column covers an equal run of steps and is drawn from the lowest to the highest LR in it (joined
to the column before), so a long curve keeps its drops and its envelope however it is
downsampled. The y axis is labelled with LRs and is logarithmic when the curve spans more than
two decades; the x axis is labelled with step numbers. No colour is used: a second curve (the
one the code really produces) is marked with • in the cells the first leaves empty.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from lrlint.explain.numbers import lr_text, steps_text

WIDTH = 60  # characters of plot area; labels and axis keep every line under 80 columns
HEIGHT = 10
LINE = 78  # the report indents the chart by 2
OVERLAY = "•"  # the second curve's mark
LOG_SPAN = 100.0  # more than two decades between the smallest and largest LR: log scale

# Bit of each dot in a braille cell, by (column, row from the top).
_DOT_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))


def uses_log_scale(low: float, high: float) -> bool:
    return low > 0 and high / low > LOG_SPAN


@dataclass(frozen=True)
class Series:
    """A curve's kept steps and their LRs; between two kept steps the first one's LR holds.
    A downsampled curve keeps each run's extremes, so every dot column still spans them."""

    steps: Sequence[int]
    values: Sequence[float]
    count: int  # steps in the curve

    @classmethod
    def whole(cls, values: Sequence[float]) -> Series:
        return cls(range(len(values)), values, len(values))


def render_chart(curve: Series | Sequence[float], x_label: str = "step", width: int = WIDTH,
                 height: int = HEIGHT, overlay: Series | None = None) -> list[str]:
    """The chart's lines (none for an empty curve). ``overlay``, a second curve on the same
    steps (the one the code really produces), is drawn in ``OVERLAY`` marks where the first
    curve leaves the character cell empty."""
    series = curve if isinstance(curve, Series) else Series.whole(curve)
    both = [series] if overlay is None else [series, overlay]
    finite = [v for s in both for v in _finite(s.values)]
    if not finite:
        return []
    low, high = min(finite), max(finite)
    log = uses_log_scale(low, high)
    scale = _Scale(low, high, log, height * 4)
    cells = _cells(_dot_columns(series, width * 2, scale), width, height)
    if overlay is not None:
        cells = _overlaid(cells, _dot_columns(overlay, width * 2, scale), height)
    labels = _y_labels(scale, height)
    label_width = max(len(label) for label in labels.values())
    lines = [f"{'LR':>{label_width}}  ({'log' if log else 'linear'} scale)"]
    for row in range(height):
        label = labels.get(row, "")
        axis = "┤" if label else "│"
        lines.append(f"{label:>{label_width}} {axis}{cells[row]}".rstrip())
    lines.extend(_x_axis(series.count, width, label_width, x_label))
    return lines


def _finite(values: Sequence[float]) -> Sequence[float]:
    if math.isfinite(sum(values)):  # one pass: NaN and inf propagate through a sum
        return values
    return [v for v in values if math.isfinite(v)]


class _Scale:
    """Maps LRs to dot rows (0 at the bottom) on a linear or log10 axis."""

    def __init__(self, low: float, high: float, log: bool, rows: int) -> None:
        self.log, self.rows = log, rows
        self.low, self.high = self._t(low), self._t(high)
        if self.high == self.low:  # a flat curve sits in the middle
            pad = abs(self.low) * 0.5 or 1.0
            self.low, self.high = self.low - pad, self.high + pad

    def _t(self, value: float) -> float:
        return math.log10(value) if self.log else value

    def row(self, value: float) -> int:
        fraction = (self._t(value) - self.low) / (self.high - self.low)
        return min(self.rows - 1, max(0, round(fraction * (self.rows - 1))))

    def value(self, row: float) -> float:
        t = self.low + row / (self.rows - 1) * (self.high - self.low)
        return 10 ** t if self.log else t


def _dot_columns(series: Series, dots: int, scale: _Scale) -> list[tuple[int, int] | None]:
    """(lowest, highest) dot row of each dot column; None where a column has no finite LR."""
    steps, values, count = series.steps, series.values, series.count
    all_finite = math.isfinite(sum(values))
    columns: list[tuple[int, int] | None] = []
    previous: int | None = None
    for column in range(dots):
        start = column * count // dots
        stop = max(start + 1, (column + 1) * count // dots)
        first, last = bisect_left(steps, start), bisect_left(steps, stop)
        bucket = list(values[first:last])
        if first > 0 and (first == len(steps) or steps[first] != start):
            bucket.insert(0, values[first - 1])  # the LR held from the last kept step
        if not all_finite:
            bucket = [v for v in bucket if math.isfinite(v)]
        if not bucket:
            columns.append(None)
            previous = None
            continue
        rows = [scale.row(min(bucket)), scale.row(max(bucket))]
        if previous is not None:
            rows.append(previous)  # join to the column before, so a drop reads as a line
        columns.append((min(rows), max(rows)))
        previous = scale.row(bucket[-1])
    return columns


def _cells(columns: list[tuple[int, int] | None], width: int, height: int) -> list[str]:
    bits = [[0] * width for _ in range(height)]
    for x, span in enumerate(columns):
        if span is None:
            continue
        for dot_row in range(span[0], span[1] + 1):
            from_top = height * 4 - 1 - dot_row
            bits[from_top // 4][x // 2] |= _DOT_BITS[x % 2][from_top % 4]
    return ["".join(chr(0x2800 + b) if b else " " for b in line) for line in bits]


def _overlaid(cells: list[str], columns: list[tuple[int, int] | None],
              height: int) -> list[str]:
    """``cells`` with an ``OVERLAY`` mark in each empty cell the second curve passes through."""
    rows = [list(line) for line in cells]
    for x, span in enumerate(columns):
        if span is None:
            continue
        top, bottom = (height * 4 - 1 - dot for dot in (span[1], span[0]))
        for row in range(top // 4, bottom // 4 + 1):
            if rows[row][x // 2] == " ":
                rows[row][x // 2] = OVERLAY
    return ["".join(row) for row in rows]


def _y_labels(scale: _Scale, height: int) -> dict[int, str]:
    """Labels for the top and bottom rows (the exact extremes) and two rows between."""
    top_dot = height * 4 - 1
    labels = {0: lr_text(scale.value(top_dot), 3), height - 1: lr_text(scale.value(0), 3)}
    for row in (round((height - 1) / 3), round(2 * (height - 1) / 3)):
        if row not in labels:
            labels[row] = lr_text(scale.value(top_dot - 4 * row - 1.5), 3)
    return labels


def _x_axis(count: int, width: int, label_width: int, x_label: str) -> list[str]:
    """The axis line with ticks, and the step numbers under them."""
    ticks = sorted({0, width // 4, width // 2, 3 * width // 4, width - 1})
    axis = ["─"] * width
    numbers = [" "] * (width + 1)
    free, labelled = 0, -1  # first character a label may use; last step labelled
    for tick in ticks:
        step = count - 1 if tick == width - 1 else min(count - 1, tick * count // width)
        text = steps_text(step)
        start = tick - len(text) // 2 if tick < width - 1 else width - len(text)
        start = max(start, 0)
        if step == labelled or start < free or start + len(text) > width:
            continue
        labelled = step
        axis[tick] = "┬"
        numbers[start:start + len(text)] = text
        free = start + len(text) + 1
    pad = " " * label_width
    line = f"{pad} └{''.join(axis)}"
    numbers_line = f"{pad}  {''.join(numbers)}".rstrip()
    if len(line) + 1 + len(x_label) <= LINE:
        return [f"{line} {x_label}", numbers_line]
    return [line, numbers_line, x_label.rjust(len(line))]  # under the axis's end
