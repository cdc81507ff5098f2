"""What a watch reports: one row per divergent (step, group), and the error that lists them.

Kept free of torch so that the pytest plugin can name the error without importing torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Likely causes, worded for the table's last column.
CAUSE_DIFFERS = "schedule differs from the declared one"
CAUSE_SCHEDULER_FIRST = "scheduler stepped before optimizer"
CAUSE_GRADSCALER_SKIP = "optimizer step skipped (GradScaler found inf/NaN)"
CAUSE_EXTRA_SCHEDULER_STEP = "scheduler stepped more often than the optimizer"
CAUSE_MISSED_SCHEDULER_STEP = "scheduler stepped less often than declared"
CAUSE_OUTSIDE_WRITE = "LR written outside the scheduler"
CAUSE_LR_ATTRIBUTE = "optimizer.lr attribute set — it is ignored"
CAUSE_SCHEDULE_TOO_SHORT = "run is longer than the declared schedule"
CAUSE_IGNORES_LR = "optimizer ignores group['lr']"
CAUSE_IGNORES_SIGN = "optimizer ignores the sign of the LR (update scales with |lr|)"
CAUSE_NOT_PROPORTIONAL = "update does not scale with the LR"
CAUSE_UPHILL = "update moves uphill at a positive LR"

# Kinds of finding, one per detection, so callers can filter ``error.divergences``.
KIND_SCHEDULE = "schedule"  # detection 1
KIND_SCHEDULER_STEP = "scheduler-step"  # detection 2
KIND_OUTSIDE_WRITE = "outside-write"  # detection 3
KIND_LR_ATTRIBUTE = "lr-attribute"  # detection 4
KIND_PROBE = "probe"  # detection 5


@dataclass(frozen=True, slots=True)
class Divergence:
    """One finding. ``step`` is the optimizer step (0-based, counted from the watch's start) or,
    for ``kind == "scheduler-step"``, the scheduler step; ``group`` is None when the finding is
    about the optimizer as a whole."""

    kind: str
    step: int
    group: int | None
    expected: float | None
    got: float | None
    cause: str


class LRScheduleError(AssertionError):
    """Raised when a watched run's learning rates diverged from the declared schedule.

    ``divergences`` holds the first findings (at most the watch's ``max_report``); ``total`` counts
    all of them, ``skipped_scheduler_steps`` lists the scheduler steps that had no optimizer step.
    """

    def __init__(
        self,
        divergences: Sequence[Divergence],
        total: int,
        optimizer_steps: int,
        skipped_scheduler_steps: Sequence[int] = (),
    ) -> None:
        self.divergences = list(divergences)
        self.total = total
        self.optimizer_steps = optimizer_steps
        self.skipped_scheduler_steps = list(skipped_scheduler_steps)
        super().__init__(self._message())

    def _message(self) -> str:
        shown = len(self.divergences)
        head = (
            f"learning rate diverged: {self.total} finding(s) "
            f"over {self.optimizer_steps} optimizer step(s)"
        )
        if shown < self.total:
            head += f", first {shown} shown"
        lines = [head + ":", format_table(self.divergences)]
        if self.skipped_scheduler_steps:
            listed = ", ".join(str(s) for s in self.skipped_scheduler_steps[:20])
            more = " ..." if len(self.skipped_scheduler_steps) > 20 else ""
            lines.append(f"scheduler steps with no optimizer step before them: {listed}{more}")
        return "\n".join(lines)


def _cell(value: float | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return str(value)
    return f"{value:.6g}"


def format_table(divergences: Sequence[Divergence]) -> str:
    """An aligned text table: step, group, expected, got, likely cause."""
    header = ("step", "group", "expected", "got", "likely cause")
    rows = [
        (
            f"{'sched ' if d.kind == KIND_SCHEDULER_STEP else ''}{d.step}",
            _cell(d.group),
            _cell(d.expected),
            _cell(d.got),
            d.cause,
        )
        for d in divergences
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    out = []
    for row in [header, *rows]:
        cells = [row[i].rjust(widths[i]) for i in range(4)]
        out.append("  " + "  ".join(cells) + "  " + row[4])
    return "\n".join(out)
