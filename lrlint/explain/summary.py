"""The numbers of one pair: the curve (reduced as it is computed, see ``curve``), its key
steps, extremes, where it really ends, and a target check; or why there is no curve."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from lrlint.analysis.evaluate import Unknown
from lrlint.analysis.model import ModuleModel
from lrlint.explain.comparison import Comparison, Transform, compare, compose, moved, rows_needed
from lrlint.explain.curve import Curve, Reducer, truncated
from lrlint.explain.evaluation import Rows
from lrlint.explain.find import Pair
from lrlint.explain.findings import Finding
from lrlint.explain.milestones import KeyStep, key_steps, with_peak
from lrlint.explain.missing import Missing, missing_values
from lrlint.explain.numbers import lrs_text
from lrlint.explain.steps import StepCount, Stepping, choose_steps, step_gate, stepping
from lrlint.explain.target import TargetCheck, target_check
from lrlint.explain.timm_view import PLATEAU as TIMM_PLATEAU
from lrlint.explain.timm_view import DrivenTimm, is_timm

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
    comparison: Comparison | None = None  # a finding reshapes the curve: how, on what axis
    actual: Curve | None = None  # the curve the code produces, when a finding reshapes it
    actual_failure: str | None = None  # torch raises partway along the actual curve

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
        if self.comparison is not None:
            return self.comparison.axis
        return X_AXES.get(self.stepping.unit, "scheduler step")


def explain_pair(module: cst.Module, model: ModuleModel, pair: Pair, positions,
                 option_steps: int | None, loader_codes: set[str] = frozenset(),
                 findings: Sequence[Finding] = ()) -> Explanation:
    """``findings``: the LR003/LR008/LR009 findings on this scheduler's steps."""
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
    if is_timm(schedule):
        schedule = DrivenTimm(schedule)  # rows per epoch or per update, as its unit says
    if schedule.name in (PLATEAU, TIMM_PLATEAU):
        explanation.reason = (f"{schedule.name.removeprefix('timm.')} follows the metric given "
                              "to scheduler.step(): its curve is only known during the run")
        return explanation
    steps = choose_steps(option_steps, found, schedule.name, schedule.arguments)
    explanation.steps = steps
    declared_shape: tuple[Transform, ...] = ()
    if findings:
        gate = (step_gate(model, pair.optimizer_object, positions)
                if pair.optimizer_object is not None else None)
        comparison, notes = compare(findings, steps, found, explanation.x_axis, gate)
        explanation.notes.extend(notes)
        if comparison is not None:
            explanation.comparison = comparison
            explanation.steps = steps = comparison.steps
            declared_shape = comparison.declared
    keys, explanation.key_steps_truncated = key_steps(
        schedule, rows_needed(declared_shape, steps.count))
    keys = [KeyStep(moved(declared_shape, k.step), k.kind, k.label) for k in keys]
    curve, explanation.failure = _reduce(schedule, declared_shape, steps.count, keys)
    if curve is None:
        explanation.reason = explanation.failure
        _explain_missing(explanation, model, loader_codes)
        return explanation
    explanation.curve = curve
    explanation.key_steps = with_peak([k for k in keys if k.step < curve.count], curve)
    if explanation.comparison is not None:
        explanation.actual, explanation.actual_failure = _reduce(
            schedule, explanation.comparison.actual, steps.count, explanation.key_steps)
    explanation.notes.extend(_own_start_notes(schedule, curve))
    if explanation.failure is None:
        final = curve.lrs_at(curve.count - 1)[0]
        explanation.target = target_check(model, pair.scheduler_object, schedule, final,
                                          curve.count)
    return explanation


def _reduce(schedule: Any, shape: tuple[Transform, ...], count: int,
            keys: list[KeyStep]) -> tuple[Curve | None, str | None]:
    """The ``count`` steps of the curve ``shape`` makes of the schedule's rows, reduced."""
    rows = Rows(schedule, rows_needed(shape, count))
    reducer = Reducer(schedule.groups, (k.step for k in keys))
    for columns in truncated(compose(shape, rows), count):
        reducer.feed(columns)
    return reducer.curve(), rows.failure


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
