"""``watch``: attach to an optimizer (and its scheduler), record the LR every watched param group
really used at every optimizer step, and raise one ``LRScheduleError`` listing the divergent steps.

    with watch(optimizer, expect=scheduler) as w:
        train(...)

How it listens:

- ``optimizer.register_step_pre_hook``: reads each watched group's ``lr`` when a step starts
  (detections 1 and 3), whether ``optimizer.lr`` was set (4), and GradScaler's ``found_inf`` handed
  to a fused optimizer. GradScaler skips a non-fused ``optimizer.step()`` entirely on inf/NaN
  gradients, so a skipped step is a step the hook never sees.
- the attached scheduler's ``step`` (see ``scheduler_tap``): the LRs just before and just after
  each scheduler step; a scheduler step with no optimizer update since the previous one is
  detection 2.
- ``register_step_post_hook``: only for the opt-in probe (5).

The hooks are hidden from ``torch.compile`` (``torch.compiler.disable``): a compiled function
that calls ``optimizer.step()`` runs them eagerly, so counters in them never become guards.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

import torch
from torch.optim import optimizer as torch_optimizer_module

from lrlint.runtime.analysis import BoundedHistory, FindingLog, StepAnalyser, StepRecord
from lrlint.runtime.errors import LRScheduleError
from lrlint.runtime.expectation import Expectation, is_scheduler, make_expectation
from lrlint.runtime.probe import EffectiveLRProbe
from lrlint.runtime.readings import DeviceReadings, HostReadings
from lrlint.runtime.scheduler_tap import SchedulerTap

__all__ = ["StepRecord", "Watch", "watch"]

_NOT_SET = object()

# Every optimizer class's step is wrapped by torch's profile_hook_step, which runs the step
# hooks; all those wrappers share this code object.
_STEP_WRAPPER_CODE = torch.optim.Optimizer.profile_hook_step(lambda *a, **k: None).__code__
_NESTING_DEPTH = 16  # frames searched above a step for an enclosing step of the same optimizer


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


class Watch:
    """A running check of one optimizer's learning rates. Made by :func:`watch`.

    ``expect``: the declared schedule — a torch LR scheduler (the schedule its own constructor
    arguments declare, rebuilt by ``lrlint.schedules``; that scheduler is also attached), an
    ``lrlint.schedules.Schedule``, a callable ``position -> lr`` (or one LR per group), or a list
    of the same. None checks only the scheduler order (2), outside writes (3), ``optimizer.lr``
    (4) and the probe (5).
    ``scheduler``: the scheduler that owns the LR, when ``expect`` is not that scheduler.
    ``rtol``/``atol``: tolerance of the comparison with the declared LR (default: 1e-6, or 100 ulps
    of a tensor LR's dtype; ``atol`` 1e-3·rtol of the largest initial LR). A tensor LR is
    stepped in its own precision, so its tolerance also grows by one ulp per schedule position
    (a float32 ``ExponentialLR`` drifts by ~1e-8 relative per step).
    ``unit``: ``"step"`` (the schedule advances once per optimizer step) or ``"epoch"`` (once per
    ``steps_per_epoch`` optimizer steps).
    ``groups``: indices of the param groups to watch (default: all).
    ``probe_every``: run the effective-LR probe on every N-th optimizer step (off by default;
    probe steps synchronise and clone the model's parameters and optimizer state).
    ``max_report``: findings listed in the error; ``history_size``: steps kept at each end of
    ``history``; ``buffer_rows``: device rows per chunk for a tensor LR.
    Positions and step numbers count from 0 at the start of the watch.
    """

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        expect: Any = None,
        *,
        scheduler: Any = None,
        rtol: float | None = None,
        atol: float | None = None,
        unit: str = "step",
        steps_per_epoch: int | None = None,
        groups: Sequence[int] | None = None,
        probe_every: int | None = None,
        max_report: int = 20,
        history_size: int = 1000,
        buffer_rows: int = 256,
    ) -> None:
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(
                f"watch() needs a torch.optim.Optimizer, got {type(optimizer).__name__}"
            )
        self._optimizer = optimizer
        total = len(optimizer.param_groups)
        self.groups: list[int] = list(range(total)) if groups is None else list(groups)
        bad = [g for g in self.groups if not 0 <= g < total]
        if bad or not self.groups:
            raise ValueError(f"groups= must name param groups 0..{total - 1}, got {groups!r}")
        self._read_lrs = self._lr_reader(optimizer, self.groups, total)
        lrs = self._read_lrs()

        per_position = self._steps_per_position(unit, steps_per_epoch)
        if scheduler is None and is_scheduler(expect):
            scheduler = expect
        if scheduler is not None and getattr(scheduler, "optimizer", optimizer) is not optimizer:
            raise ValueError("the scheduler steps a different optimizer than the watched one")
        self._expectation: Expectation | None = (
            None if expect is None else make_expectation(expect, self.groups, total)
        )
        if self._expectation is not None and self._expectation.needs_metrics and scheduler is None:
            raise ValueError("a ReduceLROnPlateau schedule follows a metric: pass scheduler=")
        eps = _tensor_eps(lrs)
        if rtol is None:
            # Python floats follow the same arithmetic as lrlint.schedules: 1e-6 is generous.
            rtol = max(1e-6, 100 * eps)
        if atol is None:
            # An LR this far below the run's LR scale is zero for training purposes.
            # (A tensor LR is read here once, at set-up; never per step.)
            scale = max(abs(float(v)) for v in lrs)
            atol = rtol * 1e-3 * scale
        self._findings = FindingLog(max_report)
        self._history = BoundedHistory(history_size)
        self._analyser = StepAnalyser(
            expectation=self._expectation,
            groups=self.groups,
            has_scheduler=scheduler is not None,
            steps_per_position=per_position,
            rtol=rtol,
            atol=atol,
            drift=eps,
            findings=self._findings,
            history=self._history,
        )
        self._reader = self._make_reader(optimizer, lrs, buffer_rows)
        self._calls = 0  # optimizer steps that ran the pre-hook (GradScaler no-ops included)
        self._calls_since_scheduler = 0
        self._lr_attribute_key: Any = _NOT_SET
        self._probe_pending = False
        self._closed = False
        self._probe = (
            None
            if probe_every is None
            else EffectiveLRProbe(
                optimizer, self.groups, probe_every, self._shadow_step, max_report
            )
        )

        self._reader.record(self._analyser.on_start, ())
        # The tap first: it is the step that may refuse (a scheduler watched twice).
        self.scheduler = scheduler  # the attached scheduler, if any
        self._tap = None if scheduler is None else SchedulerTap(scheduler, self._on_scheduler_step)
        disable = torch.compiler.disable
        self._handles = [optimizer.register_step_pre_hook(disable(self._before_optimizer_step))]
        if self._probe is not None:
            self._handles.append(
                optimizer.register_step_post_hook(disable(self._after_optimizer_step))
            )

    # -- set-up helpers -------------------------------------------------------------------

    @staticmethod
    def _lr_reader(
        optimizer: torch.optim.Optimizer, groups: list[int], total: int
    ) -> Callable[[], list[Any]]:
        # Read param_groups afresh every time: optimizer.load_state_dict replaces the dicts.
        if groups == list(range(total)):
            return lambda: [group["lr"] for group in optimizer.param_groups]
        return lambda: [optimizer.param_groups[g]["lr"] for g in groups]

    @staticmethod
    def _steps_per_position(unit: str, steps_per_epoch: int | None) -> int:
        if unit == "step":
            return 1
        if unit == "epoch":
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
        return DeviceReadings(self._read_lrs, len(self.groups), device, dtype, rows)

    # -- hooks (hot path) -----------------------------------------------------------------

    # torch hands step hooks the step's own ``args``, the optimizer first.

    def _before_optimizer_step(self, optimizer: Any, args: tuple, kwargs: dict) -> None:
        if self._closed or _inside_another_step(optimizer):
            return
        call = self._calls
        self._calls = call + 1
        self._calls_since_scheduler += 1
        attributes = optimizer.__dict__
        self._reader.record(
            self._analyser.on_optimizer_step,
            (self._new_lr_attribute(attributes),),
            attributes.get("found_inf"),
        )
        if self._probe is not None and self._probe.due(call, args[1:], kwargs):
            self._probe.before_step()
            self._probe_pending = True

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
        if not self._probe_pending or self._probe is None:
            return
        if _inside_another_step(optimizer):
            return
        self._probe_pending = False
        self._probe.after_step(self._calls - 1, args[1:], kwargs)

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

    def _on_scheduler_step(self, original: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        if self._closed:
            return original(*args, **kwargs)
        grads_finite = self._grads_finite() if self._calls_since_scheduler == 0 else None
        self._reader.record(self._analyser.on_scheduler_before, (grads_finite,))
        result = original(*args, **kwargs)
        metric = None
        if self._expectation is not None and self._expectation.needs_metrics:
            metric = float(args[0] if args else kwargs["metrics"])
        self._reader.record(self._analyser.on_scheduler_after, (metric,))
        self._calls_since_scheduler = 0
        return result

    def _grads_finite(self) -> list[Any] | None:
        """Whether the watched gradients are finite, as one lazy device flag per device. Asked
        only for a scheduler step with no optimizer step before it (GradScaler's skip)."""
        by_device: dict[torch.device, list[torch.Tensor]] = {}
        for g in self.groups:
            for p in self._optimizer.param_groups[g]["params"]:
                if p.grad is not None:
                    by_device.setdefault(p.grad.device, []).append(p.grad)
        if not by_device:
            return None
        return [
            torch.stack([torch.isfinite(grad).all() for grad in grads]).all()
            for grads in by_device.values()
        ]

    # -- results --------------------------------------------------------------------------

    @property
    def history(self) -> list[StepRecord]:
        """Per optimizer update: its index and the LR of each watched group (ordered as
        ``groups``). Bounded: the first ``history_size`` steps and the last ``history_size``.
        With a tensor LR, reading it waits for the device."""
        self._reader.drain()
        return self._history.records()

    @property
    def optimizer_steps(self) -> int:
        """Optimizer updates seen so far (analysed; with a tensor LR, call ``check()`` first)."""
        return self._analyser.optimizer_steps

    def error(self) -> LRScheduleError | None:
        """The error ``check()`` would raise, or None. Waits for pending device readings."""
        self._reader.drain()
        probe_rows = self._probe.findings() if self._probe is not None else []
        total = self._findings.total + (self._probe.total if self._probe is not None else 0)
        if total == 0:
            return None
        return LRScheduleError(
            self._findings.first(probe_rows),
            total,
            self._analyser.optimizer_steps,
            [skip.scheduler_step for skip in self._analyser.skips],
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
            self.check()
        finally:
            self._detach()

    def _detach(self) -> None:
        self._closed = True
        for handle in self._handles:
            handle.remove()
        self._handles = []
        if self._tap is not None:
            self._tap.remove()
            self._tap = None

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


def watch(optimizer: torch.optim.Optimizer, expect: Any = None, **options: Any) -> Watch:
    """Start watching ``optimizer``: ``with watch(optimizer, expect=scheduler) as w: ...``, or
    ``w = watch(...)`` then ``w.check()`` / ``w.close()``. Options: see :class:`Watch`."""
    return Watch(optimizer, expect, **options)
