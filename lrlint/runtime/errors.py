"""What a watch reports: one row per finding, and the error that explains them.

The error leads with a diagnosis for each distinct cause (what happened, where it first showed,
the user's ``file:line``, the fix), then a compact table of the first findings.

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
CAUSE_ADDED_GROUP = "param group added far above the LR of the others"
CAUSE_OPTIMIZER_ONLY_LOADED = "optimizer state loaded without the scheduler's"
CAUSE_SCHEDULER_ONLY_LOADED = "scheduler state loaded without the optimizer's"
CAUSE_LOADS_DISAGREE = "loaded optimizer and scheduler states disagree"
CAUSE_RESTARTED_SCHEDULE = "resumed optimizer, but the schedule starts over"
# A cadence finding's cause names the cadence seen: "scheduler steps every 4 optimizer steps, ..."
CADENCE_PREFIX = "scheduler steps "

# Kinds of finding, one per detection, so callers can filter ``error.divergences``.
KIND_SCHEDULE = "schedule"  # detection 1
KIND_SCHEDULER_STEP = "scheduler-step"  # detection 2 (and a cadence that breaks unit=)
KIND_OUTSIDE_WRITE = "outside-write"  # detection 3
KIND_LR_ATTRIBUTE = "lr-attribute"  # detection 4
KIND_PROBE = "probe"  # detection 5
KIND_LOAD = "load"  # a checkpoint loaded into only one of optimizer and scheduler, or a restart

TABLE_ROWS = 10  # rows the message shows; ``divergences`` keeps up to the watch's max_report


class LRWatchWarning(UserWarning):
    """Something the watch could not check, or a watch that was never checked."""


@dataclass(frozen=True, slots=True)
class Divergence:
    """One finding. ``step`` is the optimizer step (0-based, counted from the watch's start) or,
    for ``kind == "scheduler-step"``, the scheduler step; ``group`` is None when the finding is
    about the optimizer as a whole. ``site``: the user's ``file:line`` where it first showed
    (the first finding of each cause carries it)."""

    kind: str
    step: int
    group: int | None
    expected: float | None
    got: float | None
    cause: str
    site: str | None = None


class LRScheduleError(AssertionError):
    """Raised when a watched run's learning rates diverged from the declared schedule.

    ``divergences`` holds the first findings (at most the watch's ``max_report``); ``total`` counts
    all of them, ``skipped_scheduler_steps`` lists the scheduler steps that had no optimizer step
    since the previous one. ``notes``: extra lines (cadence, checks that could not run).
    """

    def __init__(
        self,
        divergences: Sequence[Divergence],
        total: int,
        optimizer_steps: int,
        skipped_scheduler_steps: Sequence[int] = (),
        notes: Sequence[str] = (),
    ) -> None:
        self.divergences = list(divergences)
        self.total = total
        self.optimizer_steps = optimizer_steps
        self.skipped_scheduler_steps = list(skipped_scheduler_steps)
        self.notes = list(notes)
        super().__init__(self._message())

    def _message(self) -> str:
        from lrlint.runtime.diagnosis import diagnose

        lines = diagnose(self.divergences, self.optimizer_steps)
        shown = min(len(self.divergences), TABLE_ROWS)
        lines.append(
            f"findings: {self.total} over {self.optimizer_steps} optimizer step(s)"
            + (f", first {shown}:" if shown < self.total else ":")
        )
        lines.append(format_table(self.divergences[:shown]))
        if shown < self.total:
            lines.append(f"  ... and {self.total - shown} more")
        if self.skipped_scheduler_steps:
            listed = ", ".join(f"#{s}" for s in self.skipped_scheduler_steps[:20])
            more = " ..." if len(self.skipped_scheduler_steps) > 20 else ""
            lines.append(
                "scheduler steps with no optimizer step since the previous one: " + listed + more
            )
        lines.extend(self.notes)
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
