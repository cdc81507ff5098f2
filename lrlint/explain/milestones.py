"""The steps worth a line: end of warmup, each decay or milestone, hand-offs and restarts.

They come from the schedule's own arguments (``step_size``, ``milestones``, ``total_iters``,
``num_warmup_steps`` ...), the children of a ``SequentialLR`` shifted to where each one takes
over, and, for schedules whose shape is a function (``LambdaLR``, ``OneCycleLR``), from the
curve: the first step where it peaks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from lrlint.explain.numbers import factor_text

if TYPE_CHECKING:
    from lrlint.explain.curve import Curve

MAX_KEY_STEPS = 1000  # a StepLR(step_size=30) over 10^8 steps has millions of decays


@dataclass(frozen=True)
class KeyStep:
    step: int
    kind: str  # "warmup", "decay", "milestone", "handoff", "restart", "peak", "end"
    label: str


def key_steps(schedule: Any, count: int,
              limit: int = MAX_KEY_STEPS) -> tuple[list[KeyStep], bool]:
    """Key steps strictly between the first and the last of ``count`` steps, in order, at most
    ``limit`` of them (and whether some were left out); several labels for one step are merged.
    """
    found = list(islice(_declared(schedule, 0, count), limit + 1))
    truncated = len(found) > limit
    merged: dict[int, KeyStep] = {}
    for key in sorted(found[:limit], key=lambda k: (k.step, k.kind != "warmup")):
        if not 0 < key.step < count:
            continue
        known = merged.get(key.step)
        if known is None:
            merged[key.step] = key
        elif key.label not in known.label:
            merged[key.step] = KeyStep(key.step, known.kind, f"{known.label}; {key.label}")
    return list(merged.values()), truncated


def with_peak(keys: list[KeyStep], curve: Curve) -> list[KeyStep]:
    """``keys`` and, when none is a warmup's end, the first maximum of a curve that climbs to
    it from step 0 and falls or holds after."""
    if any(k.kind in ("warmup", "peak") for k in keys):
        return keys
    peak = curve.maximum.step
    if curve.count < 3 or peak in (0, curve.count - 1):
        return keys
    if curve.lrs_at(0)[0] >= curve.maximum.lrs[0]:
        return keys
    if curve.first_drop is not None and curve.first_drop <= peak:
        return keys  # it falls before its maximum: no warmup ramp
    label = "peak (end of warmup)"
    merged = [KeyStep(k.step, k.kind, f"{k.label}; {label}") if k.step == peak else k
              for k in keys]
    if any(k.step == peak for k in keys):
        return merged
    return sorted([*keys, KeyStep(peak, "peak", label)], key=lambda k: k.step)


def _declared(schedule: Any, offset: int, end: int):
    """The key steps a schedule's arguments give, shifted by ``offset``, before ``end``."""
    name, a = schedule.name, schedule.arguments
    for step, kind, label in _own_steps(name, a, end - offset):
        if 0 < step and offset + step <= end:  # a child's last step may be its hand-off
            yield KeyStep(offset + step, kind, label)
    if name == "SequentialLR":
        yield from _sequential(a, offset, end)
    elif name == "ChainedScheduler":
        for child in a.get("schedulers") or ():
            yield from _declared(child, offset, end)


def _sequential(a: dict, offset: int, end: int):
    children, milestones = list(a.get("schedulers") or ()), list(a.get("milestones") or ())
    starts = [0, *milestones]
    for index, child in enumerate(children):
        start = offset + (starts[index] if index < len(starts) else end)
        stop = offset + milestones[index] if index < len(milestones) else end
        if index > 0:
            yield KeyStep(start, "handoff", f"SequentialLR: → {child.name}")
        yield from _declared(child, start, min(stop, end))


def _own_steps(name: str, a: dict, span: int):
    if name == "StepLR":
        size, gamma = a.get("step_size"), a.get("gamma")
        if isinstance(size, int) and size >= 1:
            for step in range(size, span, size):
                yield step, "decay", f"decay ×{factor_text(gamma)}"
    elif name == "MultiStepLR":
        counts = Counter(a.get("milestones") or ())
        gamma = a.get("gamma")
        for step in sorted(counts):
            factor = gamma ** counts[step] if isinstance(gamma, (int, float)) else gamma
            yield step, "milestone", f"milestone ×{factor_text(factor)}"
    elif name in ("LinearLR", "ConstantLR", "PolynomialLR"):
        yield from _phase_end(name, a)
    elif name == "CosineAnnealingLR":
        t_max = a.get("T_max")
        if isinstance(t_max, int):
            label = "T_max: eta_min reached"
            if span > t_max + 1:
                label += ", then the cosine climbs back"
            yield t_max, "end", label
    elif name == "CosineAnnealingWarmRestarts":
        yield from _restarts(a.get("T_0"), a.get("T_mult", 1), span)
    elif name == "CyclicLR":
        yield from _cycles(a, span)
    elif name == "SWALR":
        anneal = a.get("anneal_epochs")
        if isinstance(anneal, int):
            yield anneal, "end", "SWALR reaches swa_lr"
    elif name.startswith("get_"):
        yield from _hugging_face(name, a)


def _phase_end(name: str, a: dict):
    total = a.get("total_iters")
    if not isinstance(total, int):
        return
    if name == "PolynomialLR":
        yield total, "end", "PolynomialLR reaches 0 (total_iters)"
    elif name == "ConstantLR":
        yield total, "warmup", f"end of warmup: factor {factor_text(a.get('factor'))} lifted"
    else:
        start, end = a.get("start_factor"), a.get("end_factor")
        rising = isinstance(start, (int, float)) and isinstance(end, (int, float)) and start < end
        yield total, ("warmup" if rising else "end"), (
            "end of warmup (LinearLR)" if rising else "end of LinearLR")


def _restarts(t_0: object, t_mult: object, span: int):
    if not isinstance(t_0, int) or not isinstance(t_mult, int) or t_0 < 1:
        return
    step, period = t_0, t_0
    while step < span:
        yield step, "restart", "warm restart"
        period *= t_mult
        step += period


def _cycles(a: dict, span: int):
    up = a.get("step_size_up")
    down = a.get("step_size_down") or up
    if not isinstance(up, (int, float)) or not isinstance(down, (int, float)) or up + down <= 0:
        return
    start = 0.0
    while start < span:
        yield int(start + up), "peak", "CyclicLR peak (max_lr)"
        start += up + down
        yield int(start), "restart", "CyclicLR cycle ends (base_lr)"


def _hugging_face(name: str, a: dict):
    warmup = a.get("num_warmup_steps")
    if isinstance(warmup, int) and warmup > 0:
        yield warmup, "warmup", "end of warmup (num_warmup_steps)"
    total = a.get("num_training_steps")
    if isinstance(total, int):
        yield total, "end", "num_training_steps: end of the decay"
    if name == "get_wsd_schedule":
        stable, decay = a.get("num_stable_steps"), a.get("num_decay_steps")
        if isinstance(warmup, int) and isinstance(stable, int):
            yield warmup + stable, "decay", "decay phase starts (num_stable_steps)"
            if isinstance(decay, int):
                yield warmup + stable + decay, "end", "end of the decay (num_decay_steps)"
