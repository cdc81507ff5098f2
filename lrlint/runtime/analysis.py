"""The in-order analysis of a watched run: detections 1-4 over the stream of LR readings.

A reading is the LR of every watched group at one moment: when the watch starts, when an
optimizer step starts (its pre-hook), just before and just after each step of the attached
scheduler. Readings of a tensor LR reach this module late (they are copied off the device in
chunks), so every piece of state that a conclusion depends on travels with its reading and the
analysis never looks at the live optimizer.

Memory is bounded: ``BoundedHistory`` keeps the first ``size`` steps and a ring of the last
``size``; ``FindingLog`` keeps the first ``max_report`` findings of each kind and counts the rest.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from lrlint.runtime.errors import (
    CAUSE_DIFFERS,
    CAUSE_EXTRA_SCHEDULER_STEP,
    CAUSE_GRADSCALER_SKIP,
    CAUSE_LR_ATTRIBUTE,
    CAUSE_MISSED_SCHEDULER_STEP,
    CAUSE_OUTSIDE_WRITE,
    CAUSE_SCHEDULE_TOO_SHORT,
    CAUSE_SCHEDULER_FIRST,
    KIND_LR_ATTRIBUTE,
    KIND_OUTSIDE_WRITE,
    KIND_SCHEDULE,
    KIND_SCHEDULER_STEP,
    Divergence,
)
from lrlint.runtime.expectation import Expectation

Cause = str | Callable[[], str]  # callables resolve device-side facts only when reported


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


Order = tuple[int, ...]  # sorts findings into run order


@dataclass(frozen=True, slots=True)
class _Pending:
    """A finding whose cause may still be a callable (resolved when reported)."""

    kind: str
    step: int
    group: int | None
    expected: float | None
    got: float | None
    cause: Cause

    def resolve(self) -> Divergence:
        text = self.cause() if callable(self.cause) else self.cause
        return Divergence(self.kind, self.step, self.group, self.expected, self.got, text)


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
    ) -> None:
        self.total += 1
        kept = self._kept.setdefault(kind, [])
        if len(kept) < self.max_report:
            kept.append((order, _Pending(kind, step, group, expected, got, cause)))

    def first(self, extra: Sequence[tuple[Order, Divergence]] = ()) -> list[Divergence]:
        """The first ``max_report`` findings of all kinds (and ``extra``), in run order."""
        rows = [
            (order, pending.resolve()) for kept in self._kept.values() for order, pending in kept
        ]
        rows.extend(extra)
        rows.sort(key=lambda row: row[0])
        return [divergence for _, divergence in rows[: self.max_report]]


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))  # NaN stays NaN: no change


class StepAnalyser:
    """Consumes readings in run order. The ``on_*`` methods all take ``(lrs, flag, *meta)``:
    ``flag`` is the device-side flag recorded with the reading (GradScaler's ``found_inf`` for
    an optimizer step), ``meta`` what the hook knew on the host."""

    def __init__(
        self,
        *,
        expectation: Expectation | None,
        groups: Sequence[int],
        has_scheduler: bool,
        steps_per_position: int,
        rtol: float,
        atol: float,
        drift: float = 0.0,
        findings: FindingLog,
        history: BoundedHistory,
        max_skips: int = 100,
    ) -> None:
        self._expectation = expectation
        self._groups = list(groups)
        self._has_scheduler = has_scheduler
        self._per_position = steps_per_position  # 1 for unit="step"
        self._rtol, self._atol, self._drift = rtol, atol, drift
        self._close = partial(math.isclose, rel_tol=rtol, abs_tol=atol)
        self._findings = findings
        self._history = history
        self._reference: list[float] = []  # the LRs as the last known writer left them
        self._outside_seen = [False] * len(self._groups)
        self.optimizer_steps = 0  # real updates (a GradScaler no-op is not one)
        self.scheduler_steps = 0
        self._updates_since_scheduler = 0
        self._noop_since_scheduler = False
        self._last_skip: SchedulerSkip | None = None
        self.skips: list[SchedulerSkip] = []  # the first ``max_skips``
        self.skip_count = 0
        self._max_skips = max_skips
        self._schedule_ended = False

    # -- readings -----------------------------------------------------------------------

    def on_start(self, lrs: list[float], flag: bool) -> None:
        self._reference = list(lrs)

    def on_optimizer_step(self, lrs: list[float], found_inf: bool, lr_attribute: Any) -> None:
        step = self.optimizer_steps
        if lr_attribute is not None:
            got = float(lr_attribute) if isinstance(lr_attribute, (int, float)) else None
            self._findings.add(
                KIND_LR_ATTRIBUTE, (step, 0, -1), step, None, None, got, CAUSE_LR_ATTRIBUTE
            )
        written_outside = self._compare_reference(lrs, step, (step, 1))
        if found_inf:
            # A fused optimizer ran its step, but GradScaler's found_inf made it a no-op.
            self._noop_since_scheduler = True
            return
        self._history.append(StepRecord(step, tuple(lrs)))
        self._check_declared(step, lrs, written_outside)
        self.optimizer_steps = step + 1
        self._updates_since_scheduler += 1

    def on_scheduler_before(self, lrs: list[float], flag: bool, grads_finite: Any) -> None:
        self._compare_reference(lrs, self.optimizer_steps, (self.optimizer_steps, 0))
        if self._updates_since_scheduler == 0:
            skip = SchedulerSkip(
                self.scheduler_steps,
                self.optimizer_steps,
                grads_finite,
                found_inf=self._noop_since_scheduler,
            )
            self._last_skip = skip
            self.skip_count += 1
            if len(self.skips) < self._max_skips:
                self.skips.append(skip)
            self._findings.add(
                KIND_SCHEDULER_STEP,
                (self.optimizer_steps, -1),
                self.scheduler_steps,
                None,
                None,
                None,
                skip.cause,
            )

    def on_scheduler_after(self, lrs: list[float], flag: bool, metric: float | None) -> None:
        self._reference = list(lrs)
        self.scheduler_steps += 1
        self._updates_since_scheduler = 0
        self._noop_since_scheduler = False
        if metric is not None and self._expectation is not None:
            self._expectation.observe_metric(metric)

    # -- detections -----------------------------------------------------------------------

    def _compare_reference(
        self, lrs: list[float], step: int, order: tuple[int, ...]
    ) -> list[bool] | None:
        """Detection 3: an LR that changed since the last known writer (the attached scheduler,
        or the previous reading) left it. Returns which groups changed, or None."""
        reference = self._reference
        if lrs == reference or not self._has_scheduler:
            self._reference = list(lrs)
            return None
        changed = [not _same(got, ref) for got, ref in zip(lrs, reference)]
        for i, was_changed in enumerate(changed):
            if was_changed:
                self._outside_seen[i] = True
                self._findings.add(
                    KIND_OUTSIDE_WRITE,
                    (*order, i),
                    step,
                    self._groups[i],
                    reference[i],
                    lrs[i],
                    CAUSE_OUTSIDE_WRITE,
                )
        self._reference = list(lrs)
        return changed

    def _check_declared(
        self, step: int, lrs: list[float], written_outside: list[bool] | None
    ) -> None:
        """Detection 1: the LR a group used differs from the declared schedule."""
        if self._expectation is None:
            return
        position = step // self._per_position
        expected = self._expectation.at(position)
        if expected is None:
            self._report_schedule_end(step)
            return
        if self._drift:
            # A tensor LR is stepped in its own precision: chained schedulers (lr *= gamma)
            # compound up to one rounding per step.
            rel_tol = self._rtol + position * self._drift
            self._close = partial(math.isclose, rel_tol=rel_tol, abs_tol=self._atol)
        if all(map(self._close, lrs, expected)):
            return
        for i, (got, want) in enumerate(zip(lrs, expected)):
            if self._close(got, want) or (written_outside and written_outside[i]):
                continue  # an outside write is already reported for this step and group
            self._findings.add(
                KIND_SCHEDULE, (step, 1, i), step, self._groups[i], want, got, self._cause(step, i)
            )

    def _report_schedule_end(self, step: int) -> None:
        if self._schedule_ended:
            return
        self._schedule_ended = True
        cause = (
            CAUSE_MISSED_SCHEDULER_STEP
            if self._expectation is not None and self._expectation.needs_metrics
            else CAUSE_SCHEDULE_TOO_SHORT
        )
        self._findings.add(KIND_SCHEDULE, (step, 1, -1), step, None, None, None, cause)

    def _cause(self, step: int, i: int) -> Cause:
        if not self._has_scheduler:
            return CAUSE_DIFFERS
        lead = self.scheduler_steps - step // self._per_position
        if lead > 0:
            return self._last_skip.cause if self._last_skip else CAUSE_EXTRA_SCHEDULER_STEP
        if lead < 0:
            return CAUSE_MISSED_SCHEDULER_STEP
        return CAUSE_OUTSIDE_WRITE if self._outside_seen[i] else CAUSE_DIFFERS
