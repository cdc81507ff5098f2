"""The numbers of one pair: the curve (reduced as it is computed, see ``curve``), its key
steps, extremes, where it really ends, and a target check; or why there is no curve."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from lrlint.analysis.evaluate import Unknown
from lrlint.analysis.model import ModuleModel
from lrlint.explain.curve import Curve, Reducer
from lrlint.explain.evaluation import Rows
from lrlint.explain.find import Pair
from lrlint.explain.milestones import KeyStep, key_steps, with_peak
from lrlint.explain.missing import Missing, missing_values
from lrlint.explain.numbers import lrs_text
from lrlint.explain.steps import StepCount, Stepping, choose_steps, stepping
from lrlint.explain.target import TargetCheck, target_check

PLATEAU = "ReduceLROnPlateau"
X_AXES = {"epoch": "epoch", "batch": "optimizer step"}


@dataclass
class Explanation:
    pair: Pair
    stepping: Stepping
    steps: StepCount | None = None
    reason: str | None = None  # why there is no curve
    curve: Curve | None = None
    failure: str | None = None  # torch raises partway: the curve stops there
    key_steps: list[KeyStep] = field(default_factory=list)
    key_steps_truncated: bool = False  # more key steps than are listed
    target: TargetCheck | None = None
    notes: list[str] = field(default_factory=list)  # about the schedule itself
    missing: Missing | None = None  # the unknown values that keep the curve from being drawn

    @property
    def all_notes(self) -> list[str]:
        return [*self.stepping.notes, *(self.steps.notes if self.steps else ()), *self.notes]

    @property
    def has_curve(self) -> bool:
        return self.curve is not None

    @property
    def count(self) -> int:
        """Steps actually evaluated (fewer than asked when torch raises partway)."""
        return self.curve.count if self.curve is not None else 0

    @property
    def groups(self) -> int:
        return self.curve.groups if self.curve is not None else 0

    def lrs_at(self, step: int) -> list[float]:
        assert self.curve is not None
        return self.curve.lrs_at(step)

    @property
    def x_axis(self) -> str:
        """What one step of the curve is, named for the loop that runs it."""
        return X_AXES.get(self.stepping.unit, "scheduler step")


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
    keys, explanation.key_steps_truncated = key_steps(schedule, steps.count)
    rows = Rows(schedule, steps.count)
    reducer = Reducer(schedule.groups, (k.step for k in keys))
    for columns in rows:
        reducer.feed(columns)
    curve = reducer.curve()
    explanation.failure = rows.failure
    if curve is None:
        explanation.reason = rows.failure
        _explain_missing(explanation, model, loader_codes)
        return explanation
    explanation.curve = curve
    explanation.key_steps = with_peak([k for k in keys if k.step < curve.count], curve)
    explanation.notes.extend(_own_start_notes(schedule, curve))
    if rows.failure is None:
        final = curve.lrs_at(curve.count - 1)[0]
        explanation.target = target_check(model, pair.scheduler_object, schedule, final,
                                          curve.count)
    return explanation


def _explain_missing(explanation: Explanation, model: ModuleModel,
                     loader_codes: set[str]) -> None:
    """Replace the folder's reason with the unknown values it comes from, and how to pass them."""
    pair = explanation.pair
    missing = missing_values(model, pair.scheduler_object, pair.optimizer_object, loader_codes)
    if missing is not None:
        explanation.missing = missing
        explanation.reason = missing.sentence()


def _own_start_notes(schedule: Any, curve: Curve) -> list[str]:
    """OneCycleLR and CyclicLR overwrite the optimizer's LR at construction."""
    if schedule.name not in ("OneCycleLR", "CyclicLR"):
        return []
    first = curve.lrs_at(0)
    if first == list(schedule.base_lrs):
        return []
    start = ("max_lr / div_factor" if schedule.name == "OneCycleLR" else "base_lr")
    return [f"{schedule.name} ignores the optimizer's lr: it starts at {start} = {lrs_text(first)}"]


def base_lr_value(pair: Pair) -> float | list[float] | None:
    base = pair.base_lr
    return None if isinstance(base, Unknown) else base  # type: ignore[return-value]
