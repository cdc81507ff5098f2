"""``watch``: attach to an optimizer (and its scheduler), record the LR every watched param group
really used at every optimizer step, and raise one ``LRScheduleError`` that explains the
divergent steps.

    with watch(optimizer, expect=scheduler) as w:
        train(...)

How it listens:

- ``optimizer.register_step_pre_hook``: reads each watched group's ``lr`` when a step starts
  (detections 1 and 3), whether ``optimizer.lr`` was set (4), and GradScaler's ``found_inf`` handed
  to a fused optimizer. GradScaler skips a non-fused ``optimizer.step()`` entirely on inf/NaN
  gradients, so a skipped step is a step the hook never sees.
- the attached scheduler's ``step`` (see ``scheduler_tap``): the LRs just before and just after
  each scheduler step; a scheduler step with no optimizer update since the previous one is
  detection 2. Without ``expect=`` or ``scheduler=``, the schedulers built on the optimizer are
  found and tapped for that order check alone.
- ``register_load_state_dict_post_hook`` and the tap's ``load_state_dict``: checkpoint loads,
  after which the watch follows the loaded state (and reports a load of only one of the two).
- ``register_step_post_hook``: only for the opt-in probe (5).

Nothing the watch does raises inside ``optimizer.step`` or ``scheduler.step``: an internal error
stops the watch, and is reported (a warning) at ``check()``/``close()``. ``watch()`` itself is all
or nothing: when it fails, nothing stays attached.

The hooks are hidden from ``torch.compile`` (``torch.compiler.disable``): a compiled function
that calls ``optimizer.step()`` runs them eagerly, so counters in them never become guards.
Framework wrappers (accelerate's ``AcceleratedOptimizer``/``AcceleratedScheduler``, Lightning's
``LightningOptimizer``) are unwrapped wherever an optimizer or scheduler is accepted.
"""

from __future__ import annotations

import sys
import traceback
import warnings
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import torch
from torch.optim import optimizer as torch_optimizer_module

from lrlint.runtime.analysis import SchedulerTrack, StepAnalyser, every
from lrlint.runtime.discovery import as_floats, schedulers_driving, state_steps
from lrlint.runtime.errors import LRScheduleError, LRWatchWarning
from lrlint.runtime.expectation import Expectation, is_scheduler, make_expectation
from lrlint.runtime.findings import BoundedHistory, FindingLog, StepRecord
from lrlint.runtime.probe import EffectiveLRProbe, lr_dependence
from lrlint.runtime.readings import DeviceReadings, HostReadings
from lrlint.runtime.scheduler_args import UnsupportedSchedulerError
from lrlint.runtime.scheduler_tap import SchedulerTap
from lrlint.runtime.sites import call_with_warnings_at_user_site, user_site
from lrlint.runtime.unwrap import scheduler_optimizer, unwrap_optimizer, unwrap_scheduler

__all__ = ["StepRecord", "Watch", "watch"]

_NOT_SET = object()

# Every optimizer class's step is wrapped by torch's profile_hook_step, which runs the step
# hooks; all those wrappers share this code object.
_STEP_WRAPPER_CODE = torch.optim.Optimizer.profile_hook_step(lambda *a, **k: None).__code__
_NESTING_DEPTH = 16  # frames searched above a step for an enclosing step of the same optimizer


def _may_nest_steps(optimizer: torch.optim.Optimizer) -> bool:
    """Whether two classes of the optimizer define ``step`` (a subclass that may call
    ``super().step()``): only then can one update run the hooks twice. Plain torch optimizers
    never do, and skip the stack walk below on every step."""
    defining = [
        cls
        for cls in type(optimizer).__mro__
        if "step" in cls.__dict__ and cls is not torch.optim.Optimizer
    ]
    return len(defining) > 1


def _inside_another_step(optimizer: torch.optim.Optimizer) -> bool:
    """Whether this step runs inside another step of the same optimizer. A subclass whose
    ``step`` calls ``super().step()`` has both methods wrapped by torch, so the hooks fire twice
    for one update; only the outer call counts. (Under torch.compile the wrapper frames may be
    gone; then every hook call counts, as before.)"""
    try:
        frame = sys._getframe(2)
    except ValueError:  # a stack this shallow holds no step wrapper
        return False
    own_wrapper_seen = False
    for _ in range(_NESTING_DEPTH):
        if frame is None:
            return False
        if frame.f_code is _STEP_WRAPPER_CODE:
            if own_wrapper_seen and frame.f_locals.get("self") is optimizer:
                return True
            own_wrapper_seen = True
        frame = frame.f_back
    return False


def _tensor_eps(lrs: Sequence[Any]) -> float:
    """Machine epsilon of the coarsest tensor LR (0 when every LR is a Python number): a
    tensor LR is stepped in its own precision, one rounding per scheduler step."""
    return max((torch.finfo(v.dtype).eps for v in lrs if isinstance(v, torch.Tensor)), default=0.0)


def _is_plateau(scheduler: Any) -> bool:
    return isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)


@dataclass
class _Status:
    """What the never-closed warning needs, kept apart from the watch (a finalizer must not
    hold the watch alive)."""

    description: str
    findings: FindingLog
    closed: bool = False


def _warn_never_closed(status: _Status) -> None:
    if status.closed:
        return
    pending = status.findings.total
    unreported = f": {pending} finding(s) were never reported" if pending else ""
    warnings.warn(
        f"an lrlint watch on {status.description} was never closed{unreported}; use "
        "`with watch(...)`, call close(), or use the lr_watch fixture",
        LRWatchWarning,
        stacklevel=2,
    )


class Watch:
    """A running check of one optimizer's learning rates. Made by :func:`watch`.

    ``optimizer``: a torch optimizer, or a framework's wrapper of one.
    ``expect``: the declared schedule — a torch LR scheduler (the schedule its own constructor
    arguments declare, rebuilt by ``lrlint.schedules``; that scheduler is also attached), an
    ``lrlint.schedules.Schedule``, a callable ``position -> lr`` (or one LR per group), or a list
    of the same. None checks the order of the schedulers that drive the optimizer (2), and
    ``optimizer.lr`` (4) and the probe (5); with ``scheduler=``, also outside writes (3).
    ``scheduler``: the scheduler that owns the LR, when ``expect`` is not that scheduler.
    ``rtol``/``atol``: tolerance of the comparison with the declared LR (default: 1e-6, or 100 ulps
    of a tensor LR's dtype; ``atol`` 1e-3·rtol of the largest initial LR). A tensor LR is
    stepped in its own precision, so its tolerance also grows by one ulp per schedule position.
    ``unit``: left out, the cadence of the scheduler (per optimizer step, per epoch) is inferred
    from what runs and each step's LR is checked at the scheduler's own position. ``"step"``
    asserts one scheduler step per optimizer step; ``"epoch"`` one per ``steps_per_epoch``
    optimizer steps (or, with a scheduler and no ``steps_per_epoch``, a constant number). Without
    a scheduler, positions count optimizer steps (``unit="epoch"``: ``steps_per_epoch`` of them).
    ``groups``: indices of the param groups to watch (default: all, and groups added later).
    ``probe_every``: run the effective-LR probe on every N-th optimizer step (off by default;
    probe steps synchronise and clone the model's parameters and optimizer state).
    ``max_report``: findings listed in the error; ``history_size``: steps kept at each end of
    ``history``; ``buffer_rows``: device rows per chunk for a tensor LR.
    Step numbers count from 0 at the start of the watch.
    """

    def __init__(
        self,
        optimizer: Any,
        expect: Any = None,
        *,
        scheduler: Any = None,
        rtol: float | None = None,
        atol: float | None = None,
        unit: str | None = None,
        steps_per_epoch: int | None = None,
        groups: Sequence[int] | None = None,
        probe_every: int | None = None,
        max_report: int = 20,
        history_size: int = 1000,
        buffer_rows: int = 256,
    ) -> None:
        self._active = False  # hooks do nothing until everything is attached
        self._closed = False
        self._undo: list[Callable[[], None]] = []
        self.internal_errors: list[str] = []
        self._internal_reported = False
        try:
            self._set_up(
                optimizer,
                expect,
                scheduler,
                rtol,
                atol,
                unit,
                steps_per_epoch,
                groups,
                probe_every,
                max_report,
                history_size,
                buffer_rows,
            )
            self._attach()
        except BaseException:
            self._detach()  # all or nothing: a failed watch leaves no hook or tap behind
            raise
        self._active = True
        self._status = _Status(f"{self._description()} (started at {user_site()})", self._findings)
        weakref.finalize(self, _warn_never_closed, self._status)

    # -- set-up ---------------------------------------------------------------------------

    def _set_up(
        self,
        optimizer: Any,
        expect: Any,
        scheduler: Any,
        rtol: float | None,
        atol: float | None,
        unit: str | None,
        steps_per_epoch: int | None,
        groups: Sequence[int] | None,
        probe_every: int | None,
        max_report: int,
        history_size: int,
        buffer_rows: int,
    ) -> None:
        optimizer = self._torch_optimizer(optimizer)
        self._optimizer = optimizer
        self._may_nest = _may_nest_steps(optimizer)
        stride = 1
        if expect is not None:
            expect, stride = unwrap_scheduler(expect)
        if scheduler is not None:
            scheduler, stride = unwrap_scheduler(scheduler)
        total = len(optimizer.param_groups)
        self._watch_all = groups is None
        watched = list(range(total)) if groups is None else list(groups)
        bad = [g for g in watched if not 0 <= g < total]
        if bad or not watched:
            raise ValueError(f"groups= must name param groups 0..{total - 1}, got {groups!r}")
        self._initial_groups = watched
        self._read_lrs = self._lr_reader(optimizer, watched, self._watch_all)
        lrs = self._read_lrs()

        if scheduler is None and is_scheduler(expect):
            scheduler = expect
        if (
            scheduler is not None
            and hasattr(scheduler, "optimizer")
            and scheduler_optimizer(scheduler) is not optimizer
        ):
            raise ValueError("the scheduler steps a different optimizer than the watched one")
        per_position = self._steps_per_position(unit, steps_per_epoch, scheduler is not None)
        self._expect_from_scheduler = expect is not None and expect is scheduler
        self._total_groups = total
        expectation: Expectation | None = (
            None if expect is None else make_expectation(expect, self._initial_groups, total)
        )
        if expectation is not None and expectation.needs_metrics and scheduler is None:
            raise ValueError("a ReduceLROnPlateau schedule follows a metric: pass scheduler=")
        if probe_every is not None and probe_every < 1:
            raise ValueError("probe_every must be a positive number of steps")
        eps = _tensor_eps(lrs)
        if rtol is None:
            # Python floats follow the same arithmetic as lrlint.schedules: 1e-6 is generous.
            rtol = max(1e-6, 100 * eps)
        if atol is None:
            # An LR this far below the run's LR scale is zero for training purposes.
            # (A tensor LR is read here once, at set-up; never per step.)
            scale = max(abs(float(v)) for v in lrs)
            atol = rtol * 1e-3 * scale

        # The schedulers tapped: the attached one first, or (no expect=, no scheduler=) those
        # found driving the optimizer, for the order check alone.
        self.scheduler = scheduler  # the attached scheduler, if any
        self._schedulers = [scheduler] if scheduler is not None else []
        if expect is None and scheduler is None:
            self._schedulers = schedulers_driving(optimizer)
        tracks = [SchedulerTrack(stride if s is scheduler else 1) for s in self._schedulers]
        last_epoch = int(getattr(scheduler, "last_epoch", 0)) if scheduler is not None else 0
        origin = last_epoch if self._expect_from_scheduler else 0
        self._unit = unit
        self._findings = FindingLog(max_report)
        self._history = BoundedHistory(history_size)
        self._reader = self._make_reader(optimizer, lrs, buffer_rows)
        self._analyser = StepAnalyser(
            expectation=expectation,
            groups=self._initial_groups,
            tracks=tracks,
            has_primary=scheduler is not None,
            unit=unit,
            expected_gap=None if unit is None else (1 if unit == "step" else steps_per_epoch),
            steps_per_position=per_position,
            origin=origin,
            offset=last_epoch - origin,
            rtol=rtol,
            atol=atol,
            drift=eps,
            findings=self._findings,
            history=self._history,
            site_of=self._site_of,
        )
        self._record = self._reader.record  # bound once: the hot path calls them every step
        self._on_optimizer_step = self._analyser.on_optimizer_step
        self._calls = 0  # optimizer steps that ran the pre-hook (GradScaler no-ops included)
        self._calls_at_scheduler = [0] * len(self._schedulers)
        self._lr_attribute_key: Any = _NOT_SET
        self._probe_pending = False
        self._first_sites: dict[str, str | None] = {}
        self.probe_skipped: str | None = None
        self._probe = None
        if probe_every is not None:
            self.probe_skipped = lr_dependence(optimizer)
            if self.probe_skipped is None:
                self._probe = EffectiveLRProbe(
                    optimizer, self._initial_groups, probe_every, self._shadow_step, max_report
                )
            else:
                warnings.warn(
                    f"probe_every is off for {type(optimizer).__name__}: {self.probe_skipped}",
                    LRWatchWarning,
                    stacklevel=4,
                )
        restart = None
        if scheduler is not None and last_epoch == 0 and not _is_plateau(scheduler):
            restart = state_steps(optimizer)  # a resumed optimizer under a fresh schedule
        self._reader.record(self._analyser.on_start, (restart, user_site() if restart else None))

    @staticmethod
    def _torch_optimizer(optimizer: Any) -> torch.optim.Optimizer:
        inner = unwrap_optimizer(optimizer)
        if isinstance(inner, torch.optim.Optimizer) and hasattr(inner, "_optimizer_step_pre_hooks"):
            return inner
        raise TypeError(
            f"watch() needs a torch.optim.Optimizer (or a framework's wrapper of one), got "
            f"{type(optimizer).__name__}"
        )

    def _attach(self) -> None:
        disable = torch.compiler.disable
        for index, scheduler in enumerate(self._schedulers):
            tap = SchedulerTap(
                scheduler,
                self._scheduler_observer(index),
                self._on_scheduler_loaded if index == 0 and scheduler is self.scheduler else None,
            )
            self._undo.append(tap.remove)
        optimizer = self._optimizer
        handles = [optimizer.register_step_pre_hook(disable(self._before_optimizer_step))]
        self._undo.append(handles[-1].remove)
        handles.append(optimizer.register_load_state_dict_post_hook(self._on_optimizer_loaded))
        self._undo.append(handles[-1].remove)
        if self._probe is not None:
            handles.append(optimizer.register_step_post_hook(disable(self._after_optimizer_step)))
            self._undo.append(handles[-1].remove)

    @staticmethod
    def _lr_reader(
        optimizer: torch.optim.Optimizer, groups: list[int], watch_all: bool
    ) -> Callable[[], list[Any]]:
        # Read param_groups afresh every time: optimizer.load_state_dict replaces the dicts,
        # and add_param_group appends to them (watched when all groups are).
        if watch_all:
            return lambda: [group["lr"] for group in optimizer.param_groups]
        return lambda: [optimizer.param_groups[g]["lr"] for g in groups]

    @staticmethod
    def _steps_per_position(unit: str | None, steps_per_epoch: int | None, scheduled: bool) -> int:
        if unit is None or unit == "step":
            return 1
        if unit == "epoch":
            if steps_per_epoch is None and scheduled:
                return 1  # the scheduler's own cadence is asserted constant
            if not isinstance(steps_per_epoch, int) or steps_per_epoch < 1:
                raise ValueError('unit="epoch" needs steps_per_epoch=<optimizer steps per epoch>')
            return steps_per_epoch
        raise ValueError(f'unit= must be "step" or "epoch", got {unit!r}')

    def _make_reader(
        self, optimizer: torch.optim.Optimizer, lrs: list[Any], rows: int
    ) -> HostReadings | DeviceReadings:
        tensors = [v for v in lrs if isinstance(v, torch.Tensor)]
        # A fused optimizer gets GradScaler's found_inf as a device tensor on every step.
        accelerated = [
            p.device
            for group in optimizer.param_groups
            for p in group["params"]
            if p.device.type != "cpu"
        ]
        fused_amp = bool(getattr(optimizer, "_step_supports_amp_scaling", False)) and accelerated
        if not tensors and not fused_amp:
            return HostReadings(self._read_lrs)
        # found_inf lives with the parameters; keep the buffer there so no copy crosses devices.
        device = accelerated[0] if fused_amp else tensors[0].device
        dtype = tensors[0].dtype if tensors else torch.float32
        return DeviceReadings(self._read_lrs, len(lrs), device, dtype, rows)

    def _description(self) -> str:
        name = type(self._optimizer).__name__
        if self.scheduler is not None:
            name += f" with {type(self.scheduler).__name__}"
        return name

    def _site_of(self, event: str) -> str | None:
        """The user's file:line for a finding: the live stack when the analysis runs inside
        the hook (Python-number LRs), else the first call site of that kind of step."""
        if isinstance(self._reader, HostReadings):
            return user_site()
        return self._first_sites.get(event)

    def _fail(self, error: BaseException) -> None:
        """An internal error: stop checking (the run goes on untouched) and keep the error for
        check()/close()."""
        self._active = False
        if len(self.internal_errors) < 3:
            text = "".join(traceback.format_exception_only(type(error), error)).strip()
            where = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
            at = f" (at {where[0].filename}:{where[0].lineno})" if where else ""
            self.internal_errors.append(text + at)

    # -- hooks (hot path) -----------------------------------------------------------------

    # torch hands step hooks the step's own ``args``, the optimizer first.

    def _before_optimizer_step(self, optimizer: Any, args: tuple, kwargs: dict) -> None:
        if not self._active or (self._may_nest and _inside_another_step(optimizer)):
            return
        try:
            call = self._calls
            self._calls = call + 1
            if call == 0:
                self._first_sites["optimizer"] = user_site()
            attributes = optimizer.__dict__
            self._record(
                self._on_optimizer_step,
                (self._new_lr_attribute(attributes),),
                attributes.get("found_inf"),
            )
            if self._probe is not None and self._probe.due(call, args[1:], kwargs):
                self._probe.before_step()
                self._probe_pending = True
        except Exception as error:  # noqa: BLE001 - never break the training step
            self._fail(error)

    def _new_lr_attribute(self, attributes: dict[str, Any]) -> Any:
        """Detection 4: ``optimizer.lr`` set (or changed) since the last step, else None."""
        value = attributes.get("lr", _NOT_SET)
        if value is _NOT_SET:
            self._lr_attribute_key = _NOT_SET
            return None
        key = value if isinstance(value, (int, float)) else id(value)
        if key == self._lr_attribute_key:
            return None
        self._lr_attribute_key = key
        return value

    def _after_optimizer_step(self, optimizer: Any, args: tuple, kwargs: dict) -> None:
        if not self._probe_pending or self._probe is None or not self._active:
            return
        if self._may_nest and _inside_another_step(optimizer):
            return
        self._probe_pending = False
        try:
            self._probe.after_step(self._calls - 1, args[1:], kwargs)
        except Exception as error:  # noqa: BLE001 - never break the training step
            self._fail(error)

    def _shadow_step(self, args: tuple, kwargs: dict) -> None:
        """The probe's replayed step, with every step hook silenced: this watch's, and others'
        (an EMA post-hook must not see a step that is thrown away)."""
        hook_tables = [
            self._optimizer._optimizer_step_pre_hooks,
            self._optimizer._optimizer_step_post_hooks,
            torch_optimizer_module._global_optimizer_pre_hooks,
            torch_optimizer_module._global_optimizer_post_hooks,
        ]
        saved = [list(table.items()) for table in hook_tables]
        for table in hook_tables:
            table.clear()  # in place: hook handles keep references to these dicts
        try:
            self._optimizer.step(*args, **kwargs)
        finally:
            for table, items in zip(hook_tables, saved):
                table.update(items)

    def _scheduler_observer(self, index: int) -> Callable[[Callable[..., Any], tuple, dict], Any]:
        scheduler = self._schedulers[index]
        plateau = _is_plateau(scheduler)
        record = self._reader.record
        before, after = self._analyser.on_scheduler_before, self._analyser.on_scheduler_after
        calls_at = self._calls_at_scheduler
        first_call = True

        def observe(original: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
            nonlocal first_call
            if not self._active:
                return original(*args, **kwargs)
            epoch = None
            try:
                if not plateau and (args or kwargs):
                    epoch = args[0] if args else kwargs.get("epoch")
                if first_call:
                    self._first_sites.setdefault("scheduler", user_site())
                no_step_since = self._calls == calls_at[index]
                grads_finite = self._grads_finite() if no_step_since and epoch is None else None
                record(before, (index, grads_finite, epoch is not None))
            except Exception as error:  # noqa: BLE001 - never break the scheduler step
                self._fail(error)
            if (first_call and getattr(scheduler, "_step_count", 0) == 1) or epoch is not None:
                # torch may warn here, pointing one frame up: at this tap, not the user's line
                first_call = False
                result = call_with_warnings_at_user_site(original, args, kwargs)
            else:
                first_call = False
                result = original(*args, **kwargs)
            if self._active:
                try:
                    metric = None
                    if plateau and index == 0 and self._analyser_needs_metrics():
                        metric = float(args[0] if args else kwargs["metrics"])
                    record(after, (index, metric, epoch))
                    calls_at[index] = self._calls
                except Exception as error:  # noqa: BLE001 - never break the scheduler step
                    self._fail(error)
            return result

        return observe

    def _analyser_needs_metrics(self) -> bool:
        expectation = self._analyser._expectation
        return expectation is not None and expectation.needs_metrics

    def _grads_finite(self) -> list[Any] | None:
        """Whether the watched gradients are finite, as one lazy device flag per device. Asked
        only for a scheduler step with no optimizer step before it (GradScaler's skip)."""
        by_device: dict[torch.device, list[torch.Tensor]] = {}
        for g in self._initial_groups:
            for p in self._optimizer.param_groups[g]["params"]:
                if p.grad is not None:
                    by_device.setdefault(p.grad.device, []).append(p.grad)
        if not by_device:
            return None
        return [
            torch.stack([torch.isfinite(grad).all() for grad in grads]).all()
            for grads in by_device.values()
        ]

    # -- checkpoint loads (rare: these may read tensors on the host) ----------------------

    def _on_optimizer_loaded(self, optimizer: Any) -> None:
        if not self._active:
            return
        try:
            scheduler = self.scheduler
            last_lrs = as_floats(getattr(scheduler, "_last_lr", None)) if scheduler else None
            position = int(getattr(scheduler, "last_epoch", 0)) if scheduler else None
            meta = (state_steps(self._optimizer), last_lrs, position, user_site())
            self._reader.record(self._analyser.on_optimizer_loaded, meta)
        except Exception as error:  # noqa: BLE001 - never break load_state_dict
            self._fail(error)

    def _on_scheduler_loaded(self) -> None:
        if not self._active:
            return
        try:
            scheduler = self.scheduler
            expectation, note = None, None
            if self._expect_from_scheduler:
                try:
                    expectation = make_expectation(
                        scheduler, self._initial_groups, self._total_groups
                    )
                except UnsupportedSchedulerError as error:
                    note = (
                        "note: LR values are not checked after the scheduler's state was "
                        f"loaded: {error}"
                    )
            meta = (
                as_floats(getattr(scheduler, "_last_lr", None)),
                int(scheduler.last_epoch),
                expectation,
                note,
                user_site(),
            )
            self._reader.record(self._analyser.on_scheduler_loaded, meta)
        except Exception as error:  # noqa: BLE001 - never break load_state_dict
            self._fail(error)

    # -- results --------------------------------------------------------------------------

    def _drain(self) -> None:
        try:
            self._reader.drain()
        except Exception as error:  # noqa: BLE001 - an analysis error is the watch's, not the run's
            self._fail(error)

    @property
    def history(self) -> list[StepRecord]:
        """Per optimizer update: its index and the LR of each watched group (ordered as
        ``groups``). Bounded: the first ``history_size`` steps and the last ``history_size``.
        With a tensor LR, reading it waits for the device."""
        self._drain()
        return self._history.records()

    @property
    def groups(self) -> list[int]:
        """The watched param groups (with every group watched, those added later too)."""
        self._drain()
        return list(self._analyser._groups)

    @property
    def optimizer_steps(self) -> int:
        """Optimizer updates seen so far (analysed; with a tensor LR, call ``check()`` first)."""
        return self._analyser.optimizer_steps

    @property
    def cadence(self) -> int | None:
        """Optimizer steps per step of the attached scheduler, as run (1: per step; N: per
        epoch of N steps), or None before it stepped twice."""
        self._drain()
        return self._analyser.cadence

    def error(self) -> LRScheduleError | None:
        """The error ``check()`` would raise, or None. Waits for pending device readings."""
        self._drain()
        self._report_internal_errors()
        probe_rows = self._probe.findings() if self._probe is not None else []
        total = self._findings.total + (self._probe.total if self._probe is not None else 0)
        if total == 0:
            return None
        notes = list(self._analyser.notes)
        cadence = self._analyser.cadence
        if cadence is not None:
            how = "inferred" if self._unit is None else f"unit={self._unit!r}"
            notes.insert(0, f"scheduler cadence: {every(cadence)} ({how})")
        if self.internal_errors:
            notes.append(
                f"note: the watch stopped early after an internal error: {self.internal_errors[0]}"
            )
        return LRScheduleError(
            self._findings.first(probe_rows),
            total,
            self._analyser.optimizer_steps,
            [skip.scheduler_step for skip in self._analyser.skips],
            notes,
        )

    def _report_internal_errors(self) -> None:
        if self.internal_errors and not self._internal_reported:
            self._internal_reported = True
            warnings.warn(
                "lrlint's watch stopped checking after an internal error (the run itself was "
                f"not affected): {self.internal_errors[0]}",
                LRWatchWarning,
                stacklevel=4,
            )

    def check(self) -> None:
        """Raise ``LRScheduleError`` if any step so far diverged. The watch stays attached."""
        error = self.error()
        if error is not None:
            raise error

    def close(self) -> None:
        """Detach from the optimizer and scheduler, then check. Later calls do nothing."""
        if self._closed:
            return
        try:
            error = self.error()
        finally:
            self._detach()
        if error is not None:
            raise error
        if self._analyser.optimizer_steps == 0 and not self.internal_errors:
            warnings.warn(
                f"the watched optimizer ({type(self._optimizer).__name__}) never stepped: "
                "is it the optimizer the training loop steps?",
                LRWatchWarning,
                stacklevel=2,
            )

    def _detach(self) -> None:
        self._active = False
        self._closed = True
        if getattr(self, "_status", None) is not None:
            self._status.closed = True
        undo, self._undo = self._undo, []
        for remove in reversed(undo):
            remove()

    def __enter__(self) -> Watch:  # noqa: PYI034 - Self needs Python 3.11
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.close()
            return
        # The block failed already: keep its exception, and attach the LR findings to it.
        try:
            error = None if self._closed else self.error()
        finally:
            self._detach()
        if error is not None and hasattr(exc, "add_note"):
            exc.add_note(str(error))


def watch(optimizer: Any, expect: Any = None, **options: Any) -> Watch:
    """Start watching ``optimizer``: ``with watch(optimizer, expect=scheduler) as w: ...``, or
    ``w = watch(...)`` then ``w.check()`` / ``w.close()``. Options: see :class:`Watch`."""
    return Watch(optimizer, expect, **options)
