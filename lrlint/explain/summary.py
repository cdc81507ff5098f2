"""The numbers of one pair: the curve (one ``Schedule.values(n)`` call), its key steps, extremes,
where it really ends, and a target check; or why there is no curve."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import libcst as cst

from lrlint.analysis.evaluate import NotStaticError, Unknown, UserCodeError
from lrlint.analysis.model import ModuleModel
from lrlint.explain.find import Pair
from lrlint.explain.milestones import KeyStep, key_steps
from lrlint.explain.missing import Missing, missing_values
from lrlint.explain.numbers import lrs_text
from lrlint.explain.steps import StepCount, Stepping, choose_steps, stepping
from lrlint.explain.target import TargetCheck, target_check

PLATEAU = "ReduceLROnPlateau"


@dataclass(frozen=True)
class Extreme:
    step: int
    lrs: list[float]  # one per param group


@dataclass
class Explanation:
    pair: Pair
    stepping: Stepping
    steps: StepCount | None = None
    reason: str | None = None  # why there is no curve
    columns: list[list[float]] = field(default_factory=list)  # columns[group][step]
    failure: str | None = None  # torch raises partway: the curve stops there
    key_steps: list[KeyStep] = field(default_factory=list)
    minimum: Extreme | None = None
    maximum: Extreme | None = None
    last_change: int | None = None  # the last step whose LR differs from the one before
    target: TargetCheck | None = None
    notes: list[str] = field(default_factory=list)  # about the schedule itself
    missing: Missing | None = None  # the unknown values that keep the curve from being drawn

    @property
    def all_notes(self) -> list[str]:
        return [*self.stepping.notes, *(self.steps.notes if self.steps else ()), *self.notes]

    @property
    def has_curve(self) -> bool:
        return bool(self.columns) and bool(self.columns[0])

    @property
    def count(self) -> int:
        """Steps actually evaluated (fewer than asked when torch raises partway)."""
        return len(self.columns[0]) if self.columns else 0

    def lrs_at(self, step: int) -> list[float]:
        return [column[step] for column in self.columns]


def explain_pair(module: cst.Module, model: ModuleModel, pair: Pair, positions,
                 option_steps: int | None, loader_codes: set[str] = frozenset()) -> Explanation:
    found = stepping(module, model, pair.scheduler_object, positions)
    explanation = Explanation(pair, found)
    declared = pair.declared
    schedule = declared.schedule
    if schedule is None:
        explanation.reason = (f"torch would raise {type(declared.error).__name__}: {declared.error}"
                              if declared.error is not None else declared.reason)
        if declared.error is None:
            _explain_missing(explanation, model, loader_codes)
        return explanation
    if schedule.name == PLATEAU:
        explanation.reason = ("ReduceLROnPlateau follows the metric given to "
                              "scheduler.step(metric): its curve is only known during the run")
        return explanation
    steps = choose_steps(option_steps, found, schedule.name, schedule.arguments)
    explanation.steps = steps
    rows, failure = _evaluate(schedule, steps.count)
    if not rows:
        explanation.reason = failure
        _explain_missing(explanation, model, loader_codes)
        return explanation
    explanation.failure = failure
    explanation.columns = _columns(rows, schedule.groups)
    explanation.notes.extend(_own_start_notes(schedule, explanation.columns))
    _describe_curve(explanation, model, schedule)
    return explanation


def _explain_missing(explanation: Explanation, model: ModuleModel,
                     loader_codes: set[str]) -> None:
    """Replace the folder's reason with the unknown values it comes from, and how to pass them."""
    pair = explanation.pair
    missing = missing_values(model, pair.scheduler_object, pair.optimizer_object, loader_codes)
    if missing is not None:
        explanation.missing = missing
        explanation.reason = missing.sentence()


def _evaluate(schedule: Any, count: int) -> tuple[list[Any], str | None]:
    """``schedule.values(count)``, or the steps before the one where torch raises."""
    try:
        return schedule.values(count), None
    except Exception:  # noqa: BLE001 - any error of the user's schedule: replay to find where
        return _until_error(schedule, count)


def _until_error(schedule: Any, count: int) -> tuple[list[Any], str | None]:
    """Replay step by step. As in ``values``, a loop of ``count`` steps ends with a
    ``scheduler.step()``, so the row after the last one is made too, to see whether it raises."""
    rows: list[Any] = []
    try:
        for row in islice(schedule.iter(), count + 1):
            rows.append(row)  # noqa: PERF402 - keep the rows made before the error
    except Exception as error:  # noqa: BLE001
        where = (f"after step {len(rows) - 1:,} (scheduler.step() call {len(rows):,})"
                 if rows else "at construction")
        return rows[:count], _failure(error, where)
    return rows[:count], None


def _failure(error: Exception, where: str) -> str:
    """What stops the curve: torch's exception (the user's lambda raising counts), or a lambda
    lrlint cannot evaluate statically."""
    if isinstance(error, NotStaticError):
        return f"lrlint cannot evaluate the schedule {where}: {error}"
    kind = error.python_exception if isinstance(error, UserCodeError) else type(error)
    return f"torch raises {kind.__name__} {where}: {error}"


def _columns(rows: list[Any], groups: int) -> list[list[float]]:
    if groups == 1 and rows and not isinstance(rows[0], list):
        return [list(rows)]
    return [[row[group] for row in rows] for group in range(groups)]


def _describe_curve(explanation: Explanation, model: ModuleModel, schedule: Any) -> None:
    columns, count = explanation.columns, explanation.count
    first = columns[0]
    explanation.key_steps = key_steps(schedule, first, count)
    low, high = first.index(min(first)), first.index(max(first))
    explanation.minimum = Extreme(low, explanation.lrs_at(low))
    explanation.maximum = Extreme(high, explanation.lrs_at(high))
    explanation.last_change = _last_change(columns)
    if explanation.failure is None:
        explanation.target = target_check(model, explanation.pair.scheduler_object, schedule,
                                          first, count)


def _own_start_notes(schedule: Any, columns: list[list[float]]) -> list[str]:
    """OneCycleLR and CyclicLR overwrite the optimizer's LR at construction."""
    if schedule.name not in ("OneCycleLR", "CyclicLR"):
        return []
    if [column[0] for column in columns] == list(schedule.base_lrs):
        return []
    start = ("max_lr / div_factor" if schedule.name == "OneCycleLR" else "base_lr")
    first = lrs_text([column[0] for column in columns])
    return [f"{schedule.name} ignores the optimizer's lr: it starts at {start} = {first}"]


def _last_change(columns: list[list[float]]) -> int | None:
    last = None
    for column in columns:
        for step in range(len(column) - 1, 0, -1):
            if column[step] != column[step - 1]:
                last = step if last is None else max(last, step)
                break
    return last


def base_lr_value(pair: Pair) -> float | list[float] | None:
    base = pair.base_lr
    return None if isinstance(base, Unknown) else base  # type: ignore[return-value]
