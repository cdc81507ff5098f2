"""What a watch keeps: the bounded history of the LRs each step used, and the bounded log of
findings (the first ``max_report`` of each kind, with how many there were in all).

Memory is bounded: ``BoundedHistory`` keeps the first ``size`` steps and a ring of the last
``size``; ``FindingLog`` keeps the first ``max_report`` findings of each kind and counts the rest.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lrlint.runtime.errors import (
    CAUSE_EXTRA_SCHEDULER_STEP,
    CAUSE_GRADSCALER_SKIP,
    CAUSE_SCHEDULER_FIRST,
    Divergence,
)

Cause = str | Callable[[], str]  # callables resolve device-side facts only when reported
Order = tuple[int, ...]  # sorts findings into run order


@dataclass(frozen=True, slots=True)
class StepRecord:
    """The LR each watched group had when optimizer step ``step`` ran (``lrs`` in the order of
    the watch's ``groups``)."""

    step: int
    lrs: tuple[float, ...]


class BoundedHistory:
    """The first ``size`` records in full, then a ring buffer of the most recent ``size``."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._head: list[StepRecord] = []
        self._tail: deque[StepRecord] = deque(maxlen=size)
        self.dropped = 0  # records that fell out of the ring

    def append(self, record: StepRecord) -> None:
        if len(self._head) < self._size:
            self._head.append(record)
            return
        if len(self._tail) == self._size:
            self.dropped += 1
        self._tail.append(record)

    def records(self) -> list[StepRecord]:
        return [*self._head, *self._tail]

    def __len__(self) -> int:
        return len(self._head) + len(self._tail)


@dataclass(slots=True)
class SchedulerSkip:
    """A scheduler step with no optimizer update since the previous scheduler step."""

    scheduler_step: int
    optimizer_steps_before: int
    # Whether the gradients were finite, per device: bools or 0-d bool tensors (read only when
    # reported, so that recording it never waits for the device), or None when unknown.
    grads_finite: Sequence[Any] | None = None
    found_inf: bool = False  # a fused optimizer's step ran but GradScaler made it a no-op

    def cause(self) -> str:
        if self.found_inf:
            return CAUSE_GRADSCALER_SKIP
        if self.grads_finite is not None and not all(bool(x) for x in self.grads_finite):
            return CAUSE_GRADSCALER_SKIP
        if self.optimizer_steps_before == 0:
            return CAUSE_SCHEDULER_FIRST
        return CAUSE_EXTRA_SCHEDULER_STEP


@dataclass(frozen=True, slots=True)
class _Pending:
    """A finding whose cause may still be a callable (resolved when reported)."""

    kind: str
    step: int
    group: int | None
    expected: float | None
    got: float | None
    cause: Cause
    site: str | None

    def resolve(self) -> Divergence:
        text = self.cause() if callable(self.cause) else self.cause
        return Divergence(
            self.kind, self.step, self.group, self.expected, self.got, text, self.site
        )


class FindingLog:
    """The first ``max_report`` findings of each kind, and how many there were in all."""

    def __init__(self, max_report: int) -> None:
        self.max_report = max_report
        self._kept: dict[str, list[tuple[Order, _Pending]]] = {}
        self.total = 0

    def add(
        self,
        kind: str,
        order: Order,
        step: int,
        group: int | None,
        expected: float | None,
        got: float | None,
        cause: Cause,
        site: str | None = None,
    ) -> None:
        self.total += 1
        kept = self._kept.setdefault(kind, [])
        if len(kept) < self.max_report:
            kept.append((order, _Pending(kind, step, group, expected, got, cause, site)))

    def first(self, extra: Sequence[tuple[Order, Divergence]] = ()) -> list[Divergence]:
        """The first ``max_report`` findings of all kinds (and ``extra``), in run order."""
        rows = [
            (order, pending.resolve()) for kept in self._kept.values() for order, pending in kept
        ]
        rows.extend(extra)
        rows.sort(key=lambda row: row[0])
        return [divergence for _, divergence in rows[: self.max_report]]
