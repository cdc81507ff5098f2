"""``build`` and ``Schedule``: the LR curve a torch (or transformers) scheduler produces."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from lrlint.schedules.errors import ResumeNotModelled, ScheduleError
from lrlint.schedules.fast import FAST_PATHS, lambda_lr
from lrlint.schedules.hf_mirror import HF_FUNCTIONS
from lrlint.schedules.signatures import SCHEDULE_NAMES, TIMM_NAMES, known_names, signature
from lrlint.schedules.timm_factory import construct as construct_timm
from lrlint.schedules.torch_mirror import TORCH_CLASSES, Optimizer

COMPOSITES = frozenset({"SequentialLR", "ChainedScheduler"})
PLATEAU = "ReduceLROnPlateau"


class Schedule:
    """The LR curve of one scheduler over an optimizer with ``groups`` param groups.

    Made by :func:`build`. Attributes: ``name``, ``kwargs`` (as given to ``build``),
    ``base_lrs`` (the optimizer's LR per group), ``groups``, ``optimizer_defaults``.
    Every evaluation replays construction on a fresh stand-in optimizer, so the
    side effects torch's constructors have on a shared optimizer (SequentialLR,
    ChainedScheduler) are part of the curve.
    """

    __slots__ = ("_nested", "base_lrs", "groups", "kwargs", "name", "optimizer_defaults")

    def __init__(
        self,
        name: str,
        base_lrs: tuple[Any, ...],
        kwargs: dict[str, Any],
        optimizer_defaults: dict[str, Any],
        nested: bool,
    ) -> None:
        self.name = name
        self.base_lrs = base_lrs
        self.groups = len(base_lrs)
        self.kwargs = kwargs
        self.optimizer_defaults = optimizer_defaults
        self._nested = nested

    def __repr__(self) -> str:
        lr = list(self.base_lrs) if self._nested else self.base_lrs[0]
        args = "".join(f", {k}={v!r}" for k, v in self.kwargs.items())
        return f"build({self.name!r}, {lr!r}{args})"

    @property
    def arguments(self) -> dict[str, Any]:
        """Every constructor argument (optimizer excepted), defaults filled in."""
        return {p.name: self.kwargs.get(p.name, p.default) for p in signature(self.name)}

    def values(self, n: int, *, metrics: Sequence[Any] | None = None) -> list[Any]:
        """The LR of each of the first ``n`` optimizer steps.

        For a loop of ``n`` iterations each doing ``optimizer.step();
        scheduler.step()``: ``values(n)[k]`` is the LR optimizer step ``k`` uses, so
        ``values(n)[0]`` is the LR right after construction. Floats when ``base_lr``
        was a number, else one list per step with one LR per group
        (``values(n)[k][g]``). Raises what torch raises, when the loop would raise in
        torch, the last ``scheduler.step()`` included (OneCycleLR stepped past
        ``total_steps``, a lambda that fails, ...).

        ReduceLROnPlateau needs ``metrics``: ``metrics[k]`` is what the loop passes
        to ``scheduler.step(metrics[k])`` after optimizer step ``k``; at least
        ``n - 1`` of them (the ``n``-th only affects the LR after the loop; it is used
        when given). Other schedules take no metrics.
        """
        check_count(n)
        if n == 0:
            return []
        if self.name == PLATEAU:
            rows = list(islice(self._plateau_rows(metrics, n), n + 1))
            if len(rows) < n:
                raise ScheduleError(
                    f"ReduceLROnPlateau needs at least {n - 1} metrics for {n} steps, "
                    f"got {len(rows) - 1}"
                )
            return self._shape(rows[:n])
        self._refuse_metrics(metrics)
        # Millions of small row lists would set off the cyclic GC over and over (they
        # cannot form cycles): pause it while the curve is built.
        with _gc_paused():
            return self._values(n)

    def _values(self, n: int) -> list[Any]:
        columns = self._fast_columns(n)
        if columns is None:
            rows = list(islice(self._mirror_rows(), n + 1))
            return self._shape(rows[:n])
        try:
            # The loop's last scheduler step computed a value no step uses: drop it.
            floats = [list(map(float, column[:n])) for column in columns]
        except (TypeError, ValueError):
            return self._shape([list(row) for row in zip(*(c[:n] for c in columns))])
        if not self._nested:
            return floats[0]
        return [list(row) for row in zip(*floats)]

    def iter(self, *, metrics: Iterable[Any] | None = None) -> Iterator[Any]:
        """The same values as :meth:`values`, lazily and without end.

        Stops where torch would raise (by raising), and for ReduceLROnPlateau when
        ``metrics`` runs out.
        """
        if self.name == PLATEAU:
            rows = self._plateau_rows(metrics, None)
        else:
            self._refuse_metrics(metrics)
            rows = self._mirror_rows()
        for row in rows:
            yield self._shape_row(row)

    # -- evaluation -------------------------------------------------------------

    def _fast_columns(self, n: int) -> list[list[Any]] | None:
        last_epoch = self.kwargs.get("last_epoch", -1)
        if type(last_epoch) is not int or last_epoch != -1:
            return None  # resumed, or a float epoch the lambdas would see: step the mirror
        try:
            if self.name in HF_FUNCTIONS:
                # A LambdaLR over the factor the transformers function builds.
                _, scheduler = self._start()
                return lambda_lr(self.base_lrs, {"lr_lambda": scheduler.lr_lambdas}, n)
            fast = FAST_PATHS.get(self.name)
            return None if fast is None else fast(self.base_lrs, self.kwargs, n)
        except Exception:  # noqa: BLE001 - any error: let the mirror reproduce it
            # Step the mirror instead: it raises exactly what torch raises, at the
            # step torch raises it.
            return None

    def _start(self) -> tuple[Optimizer, Any]:
        optimizer = Optimizer(self.base_lrs, self.optimizer_defaults)
        return optimizer, instantiate(self, optimizer, {})

    def _mirror_rows(self) -> Iterator[list[Any]]:
        optimizer, scheduler = self._start()
        groups = optimizer.param_groups
        while True:
            yield [group["lr"] for group in groups]
            scheduler.step()

    def _plateau_rows(self, metrics: Iterable[Any] | None, n: int | None) -> Iterator[list[Any]]:
        if metrics is None:
            if n == 1:
                metrics = ()
            else:
                raise ScheduleError(
                    "ReduceLROnPlateau follows the metric: pass metrics=[...], the "
                    "values given to scheduler.step(metric) after each optimizer step"
                )
        optimizer, scheduler = self._start()
        yield [group["lr"] for group in optimizer.param_groups]
        for metric in metrics:
            scheduler.step(metric)
            yield [group["lr"] for group in optimizer.param_groups]

    def _refuse_metrics(self, metrics: object) -> None:
        if metrics is not None:
            raise ScheduleError(f"{self.name} takes no metrics; only {PLATEAU} does")

    def _shape_row(self, row: list[Any]) -> Any:
        values = [_as_float(lr) for lr in row]
        return values if self._nested else values[0]

    def _shape(self, rows: list[list[Any]]) -> list[Any]:
        return [self._shape_row(row) for row in rows]


def check_count(n: Any) -> None:
    if type(n) is not int or n < 0:
        raise ValueError(f"n must be a non-negative int, got {n!r}")


@contextmanager
def _gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _as_float(lr: Any) -> float:
    try:
        return float(lr)
    except (TypeError, ValueError):
        raise ScheduleError(f"the schedule produced a non-numeric LR: {lr!r}") from None


def instantiate(schedule: Schedule, optimizer: Optimizer, made: dict[int, Any]) -> Any:
    """Construct the mirror scheduler of ``schedule`` on ``optimizer``, children first.

    ``made`` maps ``id(Schedule)`` to its object, so a Schedule listed twice is one
    scheduler, as one torch object listed twice would be.
    """
    if id(schedule) in made:
        return made[id(schedule)]
    kwargs = dict(schedule.kwargs)
    children = kwargs.get("schedulers")
    if schedule.name in COMPOSITES and isinstance(children, (list, tuple)):
        # Python evaluates the children's constructors before the parent's, in order.
        kwargs["schedulers"] = [
            instantiate(child, optimizer, made) if isinstance(child, Schedule) else child
            for child in children
        ]
    if schedule.name == "ChainedScheduler":
        scheduler = TORCH_CLASSES["ChainedScheduler"](**kwargs)
    elif schedule.name in TORCH_CLASSES:
        scheduler = TORCH_CLASSES[schedule.name](optimizer, **kwargs)
    elif schedule.name in TIMM_NAMES:
        scheduler = construct_timm(schedule.name, optimizer, kwargs)[0]
    else:
        scheduler = HF_FUNCTIONS[schedule.name](optimizer, **kwargs)
    made[id(schedule)] = scheduler
    return scheduler


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _base_lrs(base_lr: Any) -> tuple[tuple[Any, ...], bool]:
    if _is_number(base_lr):
        return (base_lr,), False
    if isinstance(base_lr, (list, tuple)) and base_lr and all(map(_is_number, base_lr)):
        return tuple(base_lr), True
    raise ScheduleError(
        f"base_lr must be a number or a non-empty list of numbers (one per param "
        f"group), got {base_lr!r}"
    )


def _check_children(name: str, base_lrs: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    children = kwargs.get("schedulers")
    if name not in COMPOSITES or not isinstance(children, (list, tuple)):
        return
    for index, child in enumerate(children):
        if isinstance(child, Schedule) and child.base_lrs != base_lrs:
            raise ScheduleError(
                f"{name}: the scheduler at index {index} was built with base_lr "
                f"{list(child.base_lrs)}, but all schedulers share one optimizer whose "
                f"LRs are {list(base_lrs)}; build them with the same base_lr"
            )


def build(
    name: str,
    base_lr: float | Sequence[float],
    /,
    *,
    optimizer_defaults: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> Schedule:
    """The schedule torch's ``name(optimizer, **kwargs)`` gives an optimizer at ``base_lr``.

    ``name``: a scheduler class of ``torch.optim.lr_scheduler`` (or ``SWALR``), or a
    Hugging Face ``get_*_schedule*`` function name; see ``SCHEDULE_NAMES``. A timm
    scheduler class or factory, prefixed ``timm.`` (``TIMM_NAMES``), gives a
    ``TimmSchedule``, evaluated for the loop that drives it (see ``timm_schedule``).
    ``base_lr``: the optimizer's ``lr``, a number, or a list with one LR per param
    group. ``kwargs``: the constructor's arguments except ``optimizer``, by keyword,
    torch's names and defaults; lambdas are Python callables (pure: they are called
    again at every evaluation). ``SequentialLR``/``ChainedScheduler`` take
    ``schedulers=[Schedule, ...]`` built with the same ``base_lr``; they are replayed
    as if constructed in list order on one optimizer, before the parent.

    ``optimizer_defaults``: the keys of the real optimizer's ``defaults`` that matter:
    ``"momentum"`` or ``"betas"`` (CyclicLR/OneCycleLR with ``cycle_momentum=True``
    raise without either, as torch does for e.g. Adagrad) and ``"lr"`` (read by
    ``get_polynomial_decay_schedule_with_warmup``). Default: plain SGD,
    ``{"momentum": 0.0}``; ``"lr"`` defaults to the first group's LR.

    Raises what torch raises at construction, with torch's message, and
    ``ScheduleError`` for what lrlint cannot model (unknown name, non-numeric
    ``base_lr``). A ``last_epoch`` other than -1 (a resumed run) is modelled only as
    a child of a SequentialLR/ChainedScheduler whose earlier children set
    ``initial_lr``, as in torch; evaluated alone it raises ``ScheduleError``.
    """
    if name not in SCHEDULE_NAMES and name not in TIMM_NAMES:
        raise ScheduleError(f"unknown schedule {name!r}; known: {known_names()}")
    if "optimizer" in kwargs:
        raise ScheduleError(
            "pass the optimizer's LR as base_lr (and optimizer_defaults), not optimizer="
        )
    base_lrs, nested = _base_lrs(base_lr)
    if optimizer_defaults is not None and not isinstance(optimizer_defaults, Mapping):
        raise ScheduleError(f"optimizer_defaults must be a mapping, got {optimizer_defaults!r}")
    defaults = dict(optimizer_defaults) if optimizer_defaults is not None else {"momentum": 0.0}
    defaults.setdefault("lr", base_lrs[0])
    _check_children(name, base_lrs, kwargs)
    kwargs = dict(kwargs)
    if isinstance(kwargs.get("milestones"), Iterator):
        # torch consumes an iterator once; every evaluation here replays construction.
        kwargs["milestones"] = tuple(kwargs["milestones"])
    kind = Schedule
    if name in TIMM_NAMES:
        from lrlint.schedules.timm_schedule import TimmSchedule  # it subclasses Schedule

        kind = TimmSchedule
    schedule = kind(name, base_lrs, kwargs, defaults, nested)
    try:
        schedule._start()  # construction errors surface now, as in torch
    except ResumeNotModelled:
        pass  # may still be the child of a composite; alone it raises when evaluated
    return schedule
