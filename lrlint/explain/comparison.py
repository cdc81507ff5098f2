"""The curve the code really produces, beside the declared one, when a finding reshapes it.

Both curves come from the declared schedule ``S`` (its rows, one per ``scheduler.step()``), on
one x axis, the loop where the optimizer steps:

* LR003 (``scheduler.step()`` before ``optimizer.step()``): step ``t`` uses ``S[t + 1]``.
* LR009 (gradient accumulation, the scheduler stepped on every micro-batch): optimizer step
  ``t`` uses ``S[i]``, ``i`` the micro-batch it runs on; the declared curve is ``S[t]``.
* LR008, a per-batch schedule stepped per epoch: batch ``t`` uses ``S[t // k]``; an epoch
  schedule stepped per batch: batch ``t`` uses ``S[t]`` where ``S[t // k]`` was meant
  (``k`` batches per epoch). LR019 (Lightning's interval) reshapes it the same ways.
* LR027, a timm scheduler driven only by the call its unit ignores: every step uses ``S[0]``.

The factor ``k`` is the finding's own (``facts``); when it is not known, a note says which
value to supply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from lrlint.explain.curve import (
    CHUNK,
    Columns,
    repeated,
    sampled,
    sampled_rows_needed,
    shifted,
)
from lrlint.explain.findings import SHAPING, Finding
from lrlint.explain.numbers import steps_text
from lrlint.explain.steps import Gate, StepCount, Stepping

Chunks = Iterable[Columns]


@dataclass(frozen=True)
class Transform:
    """Rows of ``S`` to the rows one curve shows: ``apply`` on chunks, and how many rows of
    ``S`` it needs for ``count`` rows."""

    apply: Callable[[Chunks], Iterator[Columns]]
    needs: Callable[[int], int]
    moves: Callable[[int], int] = lambda step: step  # where a row of S lands (declared side)


def shift(by: int) -> Transform:
    return Transform(lambda chunks: shifted(chunks, by), lambda count: count + by)


def sample(every: int, phase: int, period: int | None) -> Transform:
    return Transform(lambda chunks: sampled(chunks, every, phase, period),
                     lambda count: sampled_rows_needed(count, every, phase, period))


def repeat(times: int) -> Transform:
    return Transform(lambda chunks: repeated(chunks, times), lambda count: -(-count // times),
                     lambda step: step * times)


@dataclass
class Comparison:
    axis: str  # what one step of both curves is
    steps: StepCount  # how many, and why
    declared: tuple[Transform, ...]  # applied to S in order
    actual: tuple[Transform, ...]
    findings: tuple[Finding, ...]
    effect: str  # what the code does to the schedule, in words
    notes: list[str] = field(default_factory=list)


def rows_needed(transforms: tuple[Transform, ...], count: int) -> int:
    """The rows of S that ``transforms`` turn into ``count`` rows."""
    for transform in reversed(transforms):
        count = transform.needs(count)
    return count


def compose(transforms: tuple[Transform, ...], chunks: Chunks) -> Chunks:
    for transform in transforms:
        chunks = transform.apply(chunks)
    return chunks


def moved(transforms: tuple[Transform, ...], step: int) -> int:
    for transform in transforms:
        step = transform.moves(step)
    return step


def compare(findings: list[Finding], steps: StepCount, stepping: Stepping, axis: str,
            gate: Gate | None) -> tuple[Comparison | None, list[str]]:
    """The comparison the findings call for, or None and notes on what is missing for it.

    ``steps``/``stepping``/``axis``: what explain chose for ``scheduler.step()``; ``gate``: the
    accumulation gate around ``optimizer.step()``, if any.
    """
    by_code = {f.code: f for f in findings}
    early = by_code.get("LR003")
    first = (shift(1),) if early is not None else ()
    if "LR009" in by_code:
        found = _accumulated(by_code["LR009"], steps, stepping, gate)
    elif "LR008" in by_code or "LR019" in by_code:
        found = _unit_mismatch(by_code.get("LR008") or by_code["LR019"], steps)
    elif "LR027" in by_code:
        found = _frozen(by_code["LR027"], steps)
    elif early is not None:
        found = Comparison(axis, steps, (), (), (), "")
    else:
        return None, []
    if isinstance(found, str):
        return None, [found]
    found.actual = (*first, *found.actual)
    found.findings = tuple(f for f in findings if f.code in SHAPING)
    effects = [found.effect] if found.effect else []
    if early is not None:
        effects.append("scheduler.step() runs before optimizer.step(), so every LR comes one "
                       "step early")
    found.effect = "; ".join(effects)
    return found, found.notes


def _accumulated(finding: Finding, steps: StepCount, stepping: Stepping,
                 gate: Gate | None) -> Comparison | str:
    k = finding.facts.get("factor")
    if not isinstance(k, int):
        divisor = finding.facts.get("divisor") or "the accumulation factor"
        return (f"LR009 (line {finding.line}): to see the curve the code produces, pass "
                f"--set {divisor}=N")
    notes = []
    if gate is not None and gate.k == k:
        phase = gate.first
    else:
        phase = k - 1
        notes.append(f"LR009: assuming optimizer.step() runs on the last of every {k} "
                     "micro-batches")
    period = stepping.inner  # micro-batches per epoch: the gate's counter restarts
    if steps.source in ("loop", "option"):
        # The count is of scheduler steps, one per micro-batch: the optimizer steps on some.
        scheduler_steps = steps.count
        if period is None:
            count = sampled_count(scheduler_steps, k, phase)
        else:
            count = (scheduler_steps // period * sampled_count(period, k, phase)
                     + sampled_count(scheduler_steps % period, k, phase))
        reason = (f"one optimizer step per {k} of the {steps_text(scheduler_steps)} "
                  f"micro-batches ({steps.reason})")
    else:  # the schedule's own length, which counts optimizer steps
        count, reason = steps.count, steps.reason
    if count < 1:
        return f"LR009 (line {finding.line}): the run is shorter than one optimizer step"
    comparison = Comparison("optimizer step", StepCount(count, steps.source, reason), (),
                            (sample(k, phase, period),), (), "", notes)
    comparison.effect = (f"the schedule advances {k} steps per optimizer step (gradient "
                         "accumulation)")
    return comparison


def sampled_count(rows: int, every: int, phase: int) -> int:
    """How many of ``rows`` consecutive micro-batches, from an epoch's first, the optimizer
    steps on."""
    return max(0, -(-(rows - phase) // every))


def _unit_mismatch(finding: Finding, steps: StepCount) -> Comparison | str:
    k = finding.facts.get("factor")
    per_epoch = finding.facts.get("stepped") == "per epoch"
    if not isinstance(k, int):
        return (f"{finding.code} (line {finding.line}): to see the curve the code produces, "
                "pass --steps-per-epoch N (the batches per epoch)")
    # The schedule's own length counts batches when it is stepped per epoch by mistake, epochs
    # when it is stepped per batch; the loops around scheduler.step() count what it runs on.
    in_batches = (steps.source == "schedule") if per_epoch else \
        (steps.source in ("loop", "option"))
    count = steps.count if in_batches else steps.count * k
    reason = (steps.reason if in_batches else
              f"{steps_text(steps.count)} epochs × {steps_text(k)} batches ({steps.reason})")
    batches = StepCount(count, steps.source, reason)
    if per_epoch:
        return Comparison("optimizer step", batches, (), (repeat(k),), (),
                          f"the schedule advances once per epoch ({steps_text(k)} batches), "
                          "not once per batch")
    return Comparison("optimizer step", batches, (repeat(k),), (), (),
                      f"the schedule advances once per batch ({steps_text(k)} per epoch), not "
                      "once per epoch")


def _frozen(finding: Finding, steps: StepCount) -> Comparison:
    """LR027: nothing moves the timm scheduler; the declared curve is drawn in its own unit."""
    moves_with, called = finding.facts.get("moves_with"), finding.facts.get("called")
    axis = "epoch" if moves_with == "step" else "optimizer step"
    return Comparison(axis, steps, (), (Transform(held, lambda count: 1),), (),
                      f"only `{called}()` is called, which this scheduler ignores "
                      f"(`{moves_with}()` moves it): the LR never leaves its initial value")


def held(chunks: Chunks) -> Iterator[Columns]:
    """The first row, for ever (``truncated`` ends it)."""
    for columns in chunks:
        first = [column[0] for column in columns]
        while True:
            yield [[value] * CHUNK for value in first]
