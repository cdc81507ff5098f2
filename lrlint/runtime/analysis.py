"""The in-order analysis of a watched run: the detections over the stream of LR readings.

A reading is the LR of every watched group at one moment: when the watch starts, when an
optimizer step starts (its pre-hook), just before and just after each step of a tapped
scheduler, and after a checkpoint load. Readings of a tensor LR reach this module late (they are
copied off the device in chunks), so every fact a conclusion depends on travels with its reading
and the analysis never looks at the live optimizer.

Positions. The attached scheduler's position is its own count (``last_epoch``): +1 per
``scheduler.step()``, the epoch given to ``step(epoch)``, the loaded one after
``load_state_dict``. Each optimizer step's LR is checked against the declared schedule at the
position the scheduler should have reached: its position, less the scheduler steps that had no
optimizer step since the previous one (a scheduler stepped first, a GradScaler skip, a second
step per iteration). So a per-epoch scheduler needs no ``unit=``: the cadence is inferred from
the gaps between scheduler steps, and ``unit=`` only asserts it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from lrlint.runtime import errors as E
from lrlint.runtime.expectation import Expectation
from lrlint.runtime.findings import (
    BoundedHistory,
    Cause,
    FindingLog,
    SchedulerSkip,
    StepRecord,
)

__all__ = ["SchedulerTrack", "StepAnalyser", "StepRecord", "every"]

ADDED_GROUP_FACTOR = 10.0  # a group joining this far above every other group's LR is reported
SiteOf = Callable[[str], "str | None"]  # "optimizer" / "scheduler" -> the user's file:line


def every(gap: int) -> str:
    return "every optimizer step" if gap == 1 else f"every {gap} optimizer steps"


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))  # NaN stays NaN: no change


@dataclass(slots=True)
class SchedulerTrack:
    """The order of one tapped scheduler's steps relative to the optimizer's updates."""

    stride: int = 1  # scheduler steps per optimizer step by design (accelerate, per process)
    steps: int = 0
    # Marks, so that an optimizer step costs nothing per track: the analyser's counts of
    # optimizer updates and of GradScaler no-op steps when this scheduler last stepped.
    updates_mark: int = 0
    noops_mark: int = 0
    burst: int = 0  # scheduler steps since the last optimizer update
    shift: int = 0  # skipped steps since the position was last set explicitly
    gaps: Counter = field(default_factory=Counter)  # optimizer updates between steps
    last_skip: SchedulerSkip | None = None

    def __post_init__(self) -> None:
        self.burst = self.stride  # a step before any optimizer update is a skip

    @property
    def cadence(self) -> int | None:
        """Optimizer updates per scheduler step, as run (the most common gap), or None."""
        return self.gaps.most_common(1)[0][0] if self.gaps else None


@dataclass(slots=True)
class _Deviation:
    """An LR moved off the declared curve by something the watch saw (an outside write, a
    one-sided load): later rows with the same ratio to the declared LR carry its cause."""

    ratio: float
    cause: str


@dataclass(slots=True)
class _Load:
    site: str | None
    steps: int | None = None  # optimizer: steps in its state
    last_lrs: list[float] | None = None  # the scheduler's own last LRs (at load time)
    position: int | None = None  # scheduler: its position (last_epoch) after the event


class StepAnalyser:
    """Consumes readings in run order. The ``on_*`` methods all take ``(lrs, flag, *meta)``:
    ``flag`` is the device-side flag recorded with the reading (GradScaler's ``found_inf`` for
    an optimizer step), ``meta`` what the hook knew on the host."""

    def __init__(
        self,
        *,
        expectation: Expectation | None,
        groups: Sequence[int],
        tracks: Sequence[SchedulerTrack],
        has_primary: bool,
        unit: str | None,
        expected_gap: int | None,
        steps_per_position: int,
        origin: int,
        offset: int,
        rtol: float,
        atol: float,
        drift: float = 0.0,
        findings: FindingLog,
        history: BoundedHistory,
        site_of: SiteOf = lambda event: None,
        max_skips: int = 100,
        check_added_groups: bool = True,
    ) -> None:
        self._expectation = expectation
        self._groups = list(groups)
        self._watched = len(self._groups)  # groups the declared schedule covers
        self._tracks = list(tracks)
        self._primary = self._tracks[0] if has_primary else None
        self._unit = unit
        # Positions count optimizer steps without a scheduler, or when unit= fixes how many
        # make a position; otherwise they are the scheduler's own, less its skipped steps.
        self._count_positions = not has_primary or (unit is not None and expected_gap is not None)
        self._per_position = steps_per_position
        self._origin = origin  # position of optimizer step 0 when positions count steps
        self._offset = offset  # scheduler last_epoch - position
        self._position: float = origin
        self._rtol, self._atol, self._drift = rtol, atol, drift
        self._close = partial(math.isclose, rel_tol=rtol, abs_tol=atol)
        self._findings = findings
        self._history = history
        self._site_of = site_of
        self._sites: set[tuple[str, str]] = set()
        self._reference: list[float] = []  # the LRs as the last known writer left them
        self._deviations: list[_Deviation | None] = []
        self._added: dict[int, tuple[float, float | None]] = {}  # group -> (LR, curve-0 LR)
        self._check_added = check_added_groups and expectation is not None
        self._expected_gap = expected_gap
        self._cadence_reported = False
        self._optimizer_load: _Load | None = None
        self._scheduler_load: _Load | None = None
        self.optimizer_steps = 0  # real updates (a GradScaler no-op is not one)
        self._noops = 0  # optimizer steps that GradScaler made no-ops (fused optimizers)
        self._pending_load = False
        self._follows_steps = expectation is not None and expectation.follows_steps
        self.skips: list[SchedulerSkip] = []  # the first ``max_skips``
        self.skip_count = 0
        self._max_skips = max_skips
        self._schedule_ended = False
        self.notes: list[str] = []

    # -- helpers --------------------------------------------------------------------------

    @property
    def cadence(self) -> int | None:
        return None if self._primary is None else self._primary.cadence

    def _site(self, kind: str, cause: Cause, event: str) -> str | None:
        """The user's file:line for the first finding of each (kind, cause); None after."""
        key = (kind, cause if isinstance(cause, str) else "")
        if key in self._sites:
            return None
        self._sites.add(key)
        return self._site_of(event)

    def _add(
        self,
        kind: str,
        order: tuple[int, ...],
        step: int,
        group: int | None,
        expected: float | None,
        got: float | None,
        cause: Cause,
        event: str,
        site: str | None = None,
    ) -> None:
        site = site if site is not None else self._site(kind, cause, event)
        self._findings.add(kind, order, step, group, expected, got, cause, site)

    def _deviate(self, i: int, got: float, reference: float, cause: str) -> None:
        ratio = got / reference if reference else math.nan
        previous = self._deviations[i]
        if previous is not None and previous.cause == cause:
            ratio *= previous.ratio
        self._deviations[i] = None if math.isnan(ratio) else _Deviation(ratio, cause)

    # -- readings -------------------------------------------------------------------------

    def on_start(self, lrs: list[float], flag: bool, restart_steps: int | None, site: Any) -> None:
        self._reference = list(lrs)
        self._deviations = [None] * len(lrs)
        if restart_steps:
            self._restart_found(0, restart_steps, site)

    def on_optimizer_step(self, lrs: list[float], found_inf: bool, lr_attribute: Any) -> None:
        step = self.optimizer_steps
        if lr_attribute is not None:
            got = float(lr_attribute) if isinstance(lr_attribute, (int, float)) else None
            cause = E.CAUSE_LR_ATTRIBUTE
            self._add(E.KIND_LR_ATTRIBUTE, (step, 0, -1), step, None, None, got, cause, "optimizer")
        written = self._compare_reference(lrs, step, (step, 1), "optimizer")
        if self._pending_load:
            written = self._check_loads(lrs, step, written)
        if found_inf:
            # A fused optimizer ran its step, but GradScaler's found_inf made it a no-op.
            self._noops += 1
            return
        self._history.append(StepRecord(step, tuple(lrs)))
        self._check_declared(step, lrs, written)
        self.optimizer_steps = step + 1

    def on_scheduler_before(
        self, lrs: list[float], flag: bool, index: int, grads_finite: Any, explicit: bool
    ) -> None:
        track = self._tracks[index]
        step = self.optimizer_steps
        if track is self._primary:
            self._compare_reference(lrs, step, (step, 0), "scheduler")
            if self._pending_load:
                self._check_loads(lrs, step, None)
        if explicit:
            return  # an explicit epoch sets the position itself: no order to check
        updates = step - track.updates_mark
        if updates:
            track.gaps[updates] += 1
            track.burst = 1
            if self._unit is not None and track is self._primary:
                self._check_cadence(track, updates)
            return
        if track.burst < track.stride:
            track.burst += 1  # one of the steps a wrapper takes per optimizer step
            return
        track.burst += 1
        noop = self._noops > track.noops_mark
        skip = SchedulerSkip(track.steps, step, grads_finite, found_inf=noop)
        track.last_skip = skip
        track.shift += 1
        self.skip_count += 1
        if len(self.skips) < self._max_skips:
            self.skips.append(skip)
        kind = E.KIND_SCHEDULER_STEP
        self._add(kind, (step, -1), track.steps, None, None, None, skip.cause, "scheduler")

    def on_scheduler_after(
        self, lrs: list[float], flag: bool, index: int, metric: float | None, epoch: Any
    ) -> None:
        track = self._tracks[index]
        track.steps += 1
        track.updates_mark = self.optimizer_steps
        track.noops_mark = self._noops
        if track is not self._primary:
            return
        self._reference = list(lrs)
        if epoch is None:
            self._position += 1
        else:
            self._position = epoch - self._offset
            track.shift = 0
        expectation = self._expectation
        if expectation is None:
            return
        if metric is not None:
            expectation.observe_metric(metric)
        if (self._follows_steps or epoch is not None) and not expectation.on_step(epoch):
            self._expectation = None
            self.notes.append(
                "note: LR values are not checked after scheduler.step(epoch): the LR at an "
                "explicit epoch is modelled for CosineAnnealingWarmRestarts only"
            )

    def on_optimizer_loaded(
        self,
        lrs: list[float],
        flag: bool,
        steps: int | None,
        scheduler_last_lrs: list[float] | None,
        scheduler_position: int | None,
        site: str | None,
    ) -> None:
        self._optimizer_load = _Load(site, steps, scheduler_last_lrs, scheduler_position)
        self._pending_load = True
        self._reference = list(lrs)

    def on_scheduler_loaded(
        self,
        lrs: list[float],
        flag: bool,
        last_lrs: list[float] | None,
        last_epoch: int,
        expectation: Expectation | None,
        note: str | None,
        site: str | None,
    ) -> None:
        self._scheduler_load = _Load(site, None, last_lrs, last_epoch)
        self._pending_load = True
        self._position = last_epoch - self._offset
        if self._count_positions:
            self._origin = int(self._position) - self.optimizer_steps // self._per_position
        if self._primary is not None:
            self._primary.shift = 0
        self._deviations = [None] * len(self._deviations)
        if expectation is not None or note is not None:
            self._expectation = expectation
            self._follows_steps = expectation is not None and expectation.follows_steps
            self._schedule_ended = False
        if note:
            self.notes.append(note)

    # -- detections -----------------------------------------------------------------------

    def _groups_changed(self, lrs: list[float], step: int) -> None:
        """Param groups added with ``add_param_group`` join the watch (when it watches all)."""
        known = len(self._reference)
        if len(lrs) < known:  # groups removed by hand: keep going on the ones still there
            del self._reference[len(lrs) :], self._deviations[len(lrs) :]
            del self._groups[len(lrs) :]
            self._watched = min(self._watched, len(lrs))
            return
        others = [abs(v) for v in lrs[:known]]
        for i in range(known, len(lrs)):
            self._groups.append(i)
            self._reference.append(lrs[i])
            self._deviations.append(None)
            if not self._check_added:
                continue
            highest = max(others, default=0.0)
            if highest > 0 and abs(lrs[i]) >= ADDED_GROUP_FACTOR * highest:
                cause = E.CAUSE_ADDED_GROUP
                self._add(
                    E.KIND_SCHEDULE, (step, 1, i), step, i, highest, lrs[i], cause, "optimizer"
                )

    def _compare_reference(
        self, lrs: list[float], step: int, order: tuple[int, ...], event: str
    ) -> list[bool] | None:
        """Detection 3: an LR that changed since the last known writer (the attached scheduler,
        a checkpoint load, or the previous reading) left it. Returns which groups changed."""
        reference = self._reference
        if lrs == reference:
            return None
        if len(lrs) != len(reference):
            self._groups_changed(lrs, step)  # extends the reference with the new groups
            if lrs == reference:
                return None
        self._reference = list(lrs)
        if self._primary is None:
            return None
        changed = [not _same(got, ref) for got, ref in zip(lrs, reference)]
        for i, was_changed in enumerate(changed):
            if was_changed:
                self._deviate(i, lrs[i], reference[i], E.CAUSE_OUTSIDE_WRITE)
                group = self._groups[i]
                self._add(
                    E.KIND_OUTSIDE_WRITE,
                    (*order, i),
                    step,
                    group,
                    reference[i],
                    lrs[i],
                    E.CAUSE_OUTSIDE_WRITE,
                    event,
                )
        return changed

    def _check_loads(
        self, lrs: list[float], step: int, written: list[bool] | None
    ) -> list[bool] | None:
        """After ``load_state_dict``: the LR must be the one the scheduler's state gives. A
        load of only one of the two, or a schedule at 0 on a resumed optimizer, is reported."""
        optimizer, scheduler = self._optimizer_load, self._scheduler_load
        self._optimizer_load = self._scheduler_load = None
        self._pending_load = False
        if self._primary is None:
            return written
        position = scheduler.position if scheduler is not None else optimizer.position
        if optimizer is not None and optimizer.steps and position == 0:
            self._restart_found(step, optimizer.steps, optimizer.site)
            return written
        last_lrs = scheduler.last_lrs if scheduler is not None else optimizer.last_lrs
        if last_lrs is None:
            return written
        if optimizer is not None and scheduler is not None:
            cause, site = E.CAUSE_LOADS_DISAGREE, scheduler.site
        elif optimizer is not None:
            cause, site = E.CAUSE_OPTIMIZER_ONLY_LOADED, optimizer.site
        else:
            cause, site = E.CAUSE_SCHEDULER_ONLY_LOADED, scheduler.site
        changed = list(written) if written else [False] * len(lrs)
        for i, (got, want) in enumerate(zip(lrs, last_lrs)):
            if self._close(got, want):
                continue
            changed[i] = True
            self._deviate(i, got, want, cause)
            group = self._groups[i]
            self._add(E.KIND_LOAD, (step, 0, i), step, group, want, got, cause, "optimizer", site)
            site = None  # the first finding carries the load's site
        return changed

    def _restart_found(self, step: int, steps: int, site: str | None) -> None:
        cause = E.CAUSE_RESTARTED_SCHEDULE
        self._add(E.KIND_LOAD, (step, 0, -1), step, None, None, steps, cause, "optimizer", site)

    def _check_cadence(self, track: SchedulerTrack, gap: int) -> None:
        """``unit=`` asserts the cadence: report the first scheduler step that breaks it."""
        if self._expected_gap is None:
            self._expected_gap = gap  # unit="epoch" without steps_per_epoch: a constant gap
            return
        if gap == self._expected_gap:
            return
        declared = (
            "one per optimizer step"
            if self._expected_gap == 1
            else f"one every {self._expected_gap} optimizer steps"
        )
        cause = f"{E.CADENCE_PREFIX}{every(gap)}, but unit={self._unit!r} declares {declared}"
        order = (self.optimizer_steps, -1)
        if not self._cadence_reported:
            self._cadence_reported = True
            kind = E.KIND_SCHEDULER_STEP
            self._add(kind, order, track.steps, None, None, None, cause, "scheduler")

    def _intended(self) -> int | float:
        """The position the schedule should be at for the current optimizer step."""
        if self._count_positions:
            return self._origin + self.optimizer_steps // self._per_position
        return self._position - self._primary.shift

    def _check_declared(self, step: int, lrs: list[float], written: list[bool] | None) -> None:
        """Detection 1: the LR a group used differs from the declared schedule."""
        expectation = self._expectation
        if expectation is None:
            return
        if self._count_positions:
            position = self._origin + self.optimizer_steps // self._per_position
        else:
            position = self._position - self._primary.shift
        expected = expectation.at(position)
        if expected is None:
            self._report_schedule_end(step)
            return
        if self._drift:
            # A tensor LR is stepped in its own precision: chained schedulers (lr *= gamma)
            # compound up to one rounding per step.
            rel_tol = self._rtol + max(position, 0) * self._drift
            self._close = partial(math.isclose, rel_tol=rel_tol, abs_tol=self._atol)
        if len(lrs) == len(expected) and all(map(self._close, lrs, expected)):
            return
        for i, got in enumerate(lrs):
            want = (
                expected[i]
                if i < len(expected)
                else self._added_expectation(i, position, got, expected)
            )
            if (
                want is None
                or self._close(got, want)
                or (written and i < len(written) and written[i])
            ):
                continue
            self._add(
                E.KIND_SCHEDULE,
                (step, 1, i),
                step,
                self._groups[i],
                want,
                got,
                self._cause(i, got, want),
                "optimizer",
            )

    def _added_expectation(
        self, i: int, position: float, got: float, expected: list[float]
    ) -> float | None:
        """A group added during the watch: the LR declared for every group, if there is one;
        otherwise its LR when it joined, scaled as the first group's declared LR moves since
        (the rule a chainable torch scheduler applies to every group)."""
        scalar = None if self._expectation is None else self._expectation.scalar_at(position)
        if scalar is not None:
            return scalar
        if i not in self._added:
            self._added[i] = (got, expected[0] if expected else None)
        joined_at, reference = self._added[i]
        if not reference or not expected:
            return None
        return joined_at * expected[0] / reference

    def _cause(self, i: int, got: float, want: float) -> Cause:
        primary = self._primary
        if primary is None:
            return E.CAUSE_DIFFERS
        if self._count_positions:
            lead = self._position - self._intended()
            if lead > 0:
                return (
                    primary.last_skip.cause if primary.last_skip else E.CAUSE_EXTRA_SCHEDULER_STEP
                )
            if lead < 0:
                return E.CAUSE_MISSED_SCHEDULER_STEP
        elif primary.shift and primary.last_skip is not None and self._expectation is not None:
            actual = self._expectation.at(self._position)  # the scheduler's own position
            if actual is not None and i < len(actual) and self._close(got, actual[i]):
                return primary.last_skip.cause
        deviation = self._deviations[i] if i < len(self._deviations) else None
        if (
            deviation is not None
            and want
            and math.isclose(got / want, deviation.ratio, rel_tol=1e-6)
        ):
            return deviation.cause
        return E.CAUSE_DIFFERS

    def _report_schedule_end(self, step: int) -> None:
        if self._schedule_ended:
            return
        self._schedule_ended = True
        cause = (
            E.CAUSE_MISSED_SCHEDULER_STEP
            if self._expectation is not None and self._expectation.needs_metrics
            else E.CAUSE_SCHEDULE_TOO_SHORT
        )
        self._add(E.KIND_SCHEDULE, (step, 1, -1), step, None, None, None, cause, "optimizer")
