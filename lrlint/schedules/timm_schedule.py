"""timm schedules: the LR curve a timm scheduler gives, for the way the loop drives it.

``build("timm.CosineLRScheduler", 0.1, t_initial=100, warmup_t=5)`` (any class of
``timm.scheduler`` with a ``timm.`` prefix, or a factory, ``timm.create_scheduler_v2`` /
``timm.create_scheduler``) returns a :class:`TimmSchedule`. Unlike torch's, a timm
scheduler is a function of the time its caller passes: ``step(epoch, metric=None)`` sets
the LR to ``_get_lr(epoch)`` and ``step_update(num_updates, metric=None)`` to
``_get_lr(num_updates)``, but only the call of the scheduler's unit moves it:
``step`` when ``t_in_epochs=True`` (the default), ``step_update`` when it is False.
Before any call the LR is the one set at construction: ``warmup_lr_init`` when
``warmup_t`` is non-zero, else the optimizer's LR (not ``_get_lr(0)``, which may differ in
the last bit, or a lot: tanh). So the curve depends on the loop; each method names one:

``values_by_epoch(n, offset=1, metrics=None)``
    The LR of each of ``n`` epochs for a loop that calls
    ``scheduler.step(epoch + offset, metrics[epoch])`` after each epoch. timm's train.py
    passes ``epoch + 1`` (``offset=1``); Lightning's documented ``lr_scheduler_step`` hook,
    ``scheduler.step(epoch=self.current_epoch)``, passes the epoch just finished
    (``offset=0``), which repeats the first LR once. A ``t_in_epochs=False`` schedule
    stays at its initial LR.
``values_by_update(n, updates_per_epoch=None, offset=1, metrics=None)``
    The LR of each of ``n`` optimizer updates for a loop that calls
    ``scheduler.step_update(k + offset)`` after update ``k`` (train.py counts
    ``num_updates`` from 1) and, when ``updates_per_epoch`` is given, also
    ``scheduler.step(epoch + offset, metrics[epoch])`` after the last update of each epoch
    (train.py calls both). A ``t_in_epochs=True`` schedule moves only at those epoch ends:
    without ``updates_per_epoch`` it stays at its initial LR.
``values(n, metrics=None)``, ``iter(metrics=None)``
    The torch-style loop ``scheduler.step()`` (``step(metrics[k])`` with metrics) that
    :class:`~lrlint.schedules.Schedule` models for torch: timm raises ``TypeError`` for
    the missing ``epoch`` (after the first optimizer step), and reads a metric given
    alone as the epoch.

``metrics`` matter to ``PlateauLRScheduler`` only (the others ignore them, as in timm):
``metrics[e]`` goes with the ``e``-th ``step`` call; without them it gets ``None`` and,
as in timm, never reduces the LR. :meth:`~TimmSchedule.lr_at` gives ``_get_lr(t)``
itself, :meth:`~TimmSchedule.resolved` the class schedule a factory builds (its
``t_initial``, ``warmup_t``, ``t_in_epochs`` in epochs or in updates), and
:attr:`~TimmSchedule.num_epochs` the epoch count a factory returns beside it.

Values are floats when ``base_lr`` is a number, else one list per step with one LR per
param group; a param group's ``lr_scale`` (``optimizer_defaults={"lr_scale": s}``)
multiplies its LR as in timm. Errors: what timm raises, where the loop raises it (the
loop's last call included); :class:`NoiseNotModelled` when a returned LR would carry
timm's random noise (``noise_range_t``); ``ScheduleError`` for ``initialize=False`` (a
resumed run), ``sched="none"`` and ``lr_at`` of the metric-driven plateau scheduler.
Where timm silently misbehaves (unsorted ``MultiStepLRScheduler`` milestones, a negative
``warmup_t``, ``PlateauLRScheduler.step(0)`` without warmup setting the LR to
``warmup_lr_init``), the curve is timm's, exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice, repeat
from typing import Any

from lrlint.schedules.errors import ScheduleError
from lrlint.schedules.schedule import Schedule, _gc_paused, build, check_count
from lrlint.schedules.timm_factory import chosen, construct
from lrlint.schedules.timm_fast import lr_columns
from lrlint.schedules.timm_mirror import NoiseNotModelled, PlateauLRScheduler, Scheduler
from lrlint.schedules.torch_mirror import Optimizer

Row = list[Any]
# One step of the driving loop, after optimizer step k: False when it has nothing to pass.
Call = Callable[[Scheduler, int], bool]


class TimmSchedule(Schedule):
    """The schedule of a timm scheduler (or factory); see the module docstring."""

    __slots__ = ()

    # -- what the scheduler is ------------------------------------------------------------

    @property
    def t_in_epochs(self) -> bool:
        """True when ``step(epoch)`` moves the LR, False when ``step_update`` does."""
        return bool(self._start()[1].t_in_epochs)

    @property
    def num_epochs(self) -> Any:
        """What ``create_scheduler(_v2)`` returns beside the scheduler: the epochs to
        train, warmup prefix, cycles and cooldown included. None for a class."""
        optimizer = Optimizer(self.base_lrs, self.optimizer_defaults)
        return construct(self.name, optimizer, self.kwargs)[1]

    def resolved(self) -> TimmSchedule:
        """The schedule of the class a factory builds, with the arguments it passes it
        (lengths in updates when ``step_on_epochs=False``); ``self`` for a class."""
        name, kwargs = chosen(self.name, self.kwargs)
        if name == self.name:
            return self
        base_lr = list(self.base_lrs) if self._nested else self.base_lrs[0]
        schedule = build(name, base_lr, optimizer_defaults=self.optimizer_defaults, **kwargs)
        assert isinstance(schedule, TimmSchedule)
        return schedule

    def lr_at(self, t: Any) -> Any:
        """The LR ``step(t)`` or ``step_update(t)`` sets (whichever moves it): ``_get_lr(t)``."""
        optimizer, scheduler = self._start()
        if isinstance(scheduler, PlateauLRScheduler):
            raise ScheduleError(
                "PlateauLRScheduler follows the metric, not t: use "
                "values_by_epoch(n, metrics=[...])"
            )
        values = scheduler._get_lr(t)
        if scheduler.noise_changes(values, t):
            raise self._noise_error(f"t={t!r}")
        scheduler.update_groups(values)
        return self._shape_row([group["lr"] for group in optimizer.param_groups])

    # -- the driving loops ------------------------------------------------------------------

    def values_by_epoch(
        self, n: int, *, offset: int = 1, metrics: Sequence[Any] | None = None
    ) -> list[Any]:
        """The LR of each of ``n`` epochs; ``step(epoch + offset, metrics[epoch])`` after each."""
        check_count(n)
        _check_offset(offset)
        metric = _metric_source(metrics, n - 1, "epochs")

        def call(scheduler: Scheduler, k: int) -> bool:
            scheduler.step(k + offset, metric(k))
            return True

        period = 1 if self.t_in_epochs else None
        return self._driven(n, call, offset, period)

    def values_by_update(
        self,
        n: int,
        *,
        updates_per_epoch: int | None = None,
        offset: int = 1,
        metrics: Sequence[Any] | None = None,
    ) -> list[Any]:
        """The LR of each of ``n`` updates; ``step_update(k + offset)`` after update ``k``,
        and ``step(epoch + offset, metrics[epoch])`` after each epoch's last update."""
        check_count(n)
        _check_offset(offset)
        per_epoch = updates_per_epoch
        if per_epoch is not None and (type(per_epoch) is not int or per_epoch < 1):
            raise ValueError(f"updates_per_epoch must be a positive int, got {per_epoch!r}")
        if per_epoch is None and metrics is not None:
            raise ScheduleError("metrics go to step(epoch, metric): give updates_per_epoch too")
        metric = _metric_source(metrics, (n - 1) // (per_epoch or 1), "epoch ends")

        def call(scheduler: Scheduler, k: int) -> bool:
            scheduler.step_update(k + offset)
            if per_epoch is not None and (k + 1) % per_epoch == 0:
                epoch = (k + 1) // per_epoch - 1
                scheduler.step(epoch + offset, metric(epoch))
            return True

        period = per_epoch if self.t_in_epochs else 1
        return self._driven(n, call, offset, period)

    def values(self, n: int, *, metrics: Sequence[Any] | None = None) -> list[Any]:
        """The torch-style loop: ``scheduler.step()`` (``step(metrics[k])``) after each
        optimizer step. timm rejects the first with ``TypeError``, as raised here."""
        check_count(n)
        if n == 0:
            return []
        rows = list(islice(self._loop(_torch_style(metrics)), n + 1))
        if len(rows) < n:
            raise ScheduleError(f"{n} steps need at least {n - 1} metrics, got {len(rows) - 1}")
        return self._checked(rows[:n])

    def iter(self, *, metrics: Iterable[Any] | None = None) -> Iterator[Any]:
        """:meth:`values`, lazily and without end (until the metrics run out)."""
        for k, (row, noisy) in enumerate(self._loop(_torch_style(metrics))):
            if noisy:
                raise self._noise_error(f"step {k}")
            yield self._shape_row(row)

    # -- evaluation -------------------------------------------------------------------------

    def _driven(self, n: int, call: Call, offset: int, period: int | None) -> list[Any]:
        """``n`` rows of the loop ``call`` drives. ``period``: after how many of the loop's
        steps the scheduler's own unit moves the LR (None: never), for the fast path."""
        if n == 0:
            return []
        with _gc_paused():
            fast = self._stateless(n, offset, period)
            if fast is not None:
                return fast
            return self._checked(list(islice(self._loop(call), n + 1))[:n])

    def _loop(self, call: Call) -> Iterator[tuple[Row, bool]]:
        """(LRs, whether they carry noise) after construction and after each step."""
        optimizer, scheduler = self._start()
        groups = optimizer.param_groups
        k = 0
        while True:
            yield [group["lr"] for group in groups], scheduler.lr_is_noisy
            if not call(scheduler, k):
                return
            k += 1

    def _checked(self, rows: list[tuple[Row, bool]]) -> list[Any]:
        for k, (_, noisy) in enumerate(rows):
            if noisy:
                raise self._noise_error(f"step {k}")
        return self._shape([row for row, _ in rows])

    def _noise_error(self, where: str) -> NoiseNotModelled:
        noise = self.resolved().arguments.get("noise_range_t")
        return NoiseNotModelled(
            f"{self.name}: the LR at {where} carries timm's random noise "
            f"(noise_range_t={noise!r}), which lrlint does not model; build it without "
            "noise for the noise-free curve"
        )

    def _stateless(self, n: int, offset: int, period: int | None) -> list[Any] | None:
        """The rows from a table of ``_get_lr``, for the noise-free stateless schedulers:
        the LR is the initial one until the first move, then ``_get_lr`` of the last."""
        optimizer, scheduler = self._start()
        if isinstance(scheduler, PlateauLRScheduler) or scheduler.noise_range_t is not None:
            return None
        groups = optimizer.param_groups
        initial = [group["lr"] for group in groups]
        if period is None:
            columns = [[lr] * n for lr in initial]
        else:
            # Every move the loop makes, the one after its last step included (it may raise).
            moves = n // period
            table = _get_lr_table(scheduler, offset, offset + moves)
            columns = []
            for group, lr, column in zip(groups, initial, table):
                if "lr_scale" in group:
                    scale = group["lr_scale"]
                    column = [value * scale for value in column]
                if period == 1:
                    columns.append([lr, *column[: n - 1]])
                else:
                    held = chain.from_iterable(repeat(v, period) for v in column)
                    columns.append(list(islice(chain(repeat(lr, period), held), n)))
        try:
            floats = [list(map(float, column)) for column in columns]
        except (TypeError, ValueError):
            return self._shape([list(row) for row in zip(*columns)])
        return floats[0] if not self._nested else [list(row) for row in zip(*floats)]


def _get_lr_table(scheduler: Scheduler, start: int, stop: int) -> list[list[Any]]:
    """``_get_lr(t)`` per group for t in ``range(start, stop)``: the fast table, or the
    mirror itself (which raises what timm raises, at the first t that raises)."""
    try:
        columns = lr_columns(scheduler, start, stop)
    except Exception:  # noqa: BLE001 - any error: let the mirror reproduce it exactly
        columns = None
    if columns is not None:
        return columns
    rows = [scheduler._get_lr(t) for t in range(start, stop)]
    return [list(column) for column in zip(*rows)] if rows else [[] for _ in scheduler.base_values]


def _check_offset(offset: Any) -> None:
    if type(offset) is not int:
        raise ValueError(f"offset must be an int, got {offset!r}")


def _metric_source(metrics: Sequence[Any] | None, needed: int, what: str) -> Callable[[int], Any]:
    """``metric(e)``: the metric of the ``e``-th ``step`` call, None past the last given."""
    if metrics is None:
        return lambda e: None
    metrics = list(metrics)
    if len(metrics) < needed:
        raise ScheduleError(f"needs at least {needed} metrics (one per {what}), got {len(metrics)}")
    return lambda e: metrics[e] if e < len(metrics) else None


def _torch_style(metrics: Iterable[Any] | None) -> Call:
    if metrics is None:

        def bare(scheduler: Scheduler, k: int) -> bool:
            scheduler.step()  # type: ignore[call-arg] - timm raises TypeError, as here
            return True

        return bare
    remaining = iter(metrics)
    done = object()

    def with_metric(scheduler: Scheduler, k: int) -> bool:
        metric = next(remaining, done)
        if metric is done:
            return False
        scheduler.step(metric)
        return True

    return with_metric
