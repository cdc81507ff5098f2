"""Fast paths: the LR curves of single schedulers without stepping the mirror objects.

Each function returns one column of LRs per param group, for steps ``0..n``
inclusive (``n + 1`` values: the loop's last ``scheduler.step()`` is computed too, so
that it raises where torch raises), or ``None`` when its preconditions do not hold and
the caller must step the mirror instead. The arithmetic is the mirror's (and torch's),
operation for operation, so the values are bit-identical; the tests check this.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import accumulate, repeat
from operator import mul
from typing import Any

from lrlint.schedules.hf_mirror import Factor as HFFactor

Column = list[Any]
FastPath = Callable[[Sequence[Any], dict[str, Any], int], "list[Column] | None"]


def _is_real(value: Any) -> bool:
    return type(value) in (int, float)


def _is_int(value: Any) -> bool:
    return type(value) is int


def _reals_or_real(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_is_real(v) for v in value)
    return _is_real(value)


def _per_group(value: Any, groups: int) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value] * groups


def _constant_segments(
    base_lr: Any, changes: list[tuple[int, Callable[[Any], Any]]], count: int
) -> Column:
    """A piecewise-constant column: at each (step, update) the LR becomes update(LR)."""
    column: Column = []
    lr = base_lr
    for step, update in changes:
        if step >= count:
            break
        column.extend(repeat(lr, step - len(column)))
        lr = update(lr)
    column.extend(repeat(lr, count - len(column)))
    return column


def _ramp_then_hold(first: Any, ratios: list[Any], n: int) -> Column:
    """``first``, multiplied by each ratio in turn (one per step), then constant."""
    column = list(accumulate(ratios, mul, initial=first))
    column.extend(repeat(column[-1], n + 1 - len(column)))
    return column


def step_lr(base_lrs: Sequence[Any], kw: dict[str, Any], n: int) -> list[Column] | None:
    step_size, gamma = kw["step_size"], kw.get("gamma", 0.1)
    if not (_is_int(step_size) and step_size > 0 and _is_real(gamma)):
        return None

    def decay(lr: Any) -> Any:
        return lr * gamma

    changes = [(k, decay) for k in range(step_size, n + 1, step_size)]
    return [_constant_segments(b, changes, n + 1) for b in base_lrs]


def multi_step_lr(base_lrs: Sequence[Any], kw: dict[str, Any], n: int) -> list[Column] | None:
    milestones, gamma = kw["milestones"], kw.get("gamma", 0.1)
    if not isinstance(milestones, (list, tuple, range)) or not _is_real(gamma):
        return None
    if not all(_is_int(m) for m in milestones):
        return None
    counts = Counter(milestones)

    def decay(count: int) -> Callable[[Any], Any]:
        return lambda lr: lr * gamma**count

    # A milestone at 0 decays during construction, like torch's initial step.
    changes = [(k, decay(counts[k])) for k in sorted(counts) if 0 <= k <= n]
    return [_constant_segments(b, changes, n + 1) for b in base_lrs]


def constant_lr(base_lrs: Sequence[Any], kw: dict[str, Any], n: int) -> list[Column] | None:
    factor, total_iters = kw.get("factor", 1.0 / 3), kw.get("total_iters", 5)
    if not (_is_real(factor) and factor != 0 and _is_int(total_iters)):
        return None
    changes = [(0, lambda lr: lr * factor)]
    if total_iters >= 1:
        changes.append((total_iters, lambda lr: lr * (1.0 / factor)))
    return [_constant_segments(b, changes, n + 1) for b in base_lrs]


def linear_lr(base_lrs: Sequence[Any], kw: dict[str, Any], n: int) -> list[Column] | None:
    start = kw.get("start_factor", 1.0 / 3)
    end = kw.get("end_factor", 1.0)
    total = kw.get("total_iters", 5)
    if not (_is_real(start) and _is_real(end) and _is_int(total)):
        return None
    ratios = [
        1.0 + (end - start) / (total * start + (k - 1) * (end - start))
        for k in range(1, min(total, n) + 1)
    ]
    return [_ramp_then_hold(b * start, ratios, n) for b in base_lrs]


def exponential_lr(base_lrs: Sequence[Any], kw: dict[str, Any], n: int) -> list[Column] | None:
    gamma = kw["gamma"]
    if not _is_real(gamma):
        return None
    return [list(accumulate(repeat(gamma, n), mul, initial=b)) for b in base_lrs]


def polynomial_lr(base_lrs: Sequence[Any], kw: dict[str, Any], n: int) -> list[Column] | None:
    total, power = kw.get("total_iters", 5), kw.get("power", 1.0)
    if not (_is_int(total) and _is_real(power)):
        return None
    decays = [
        ((1.0 - k / total) / (1.0 - (k - 1) / total)) ** power for k in range(1, min(total, n) + 1)
    ]
    return [_ramp_then_hold(b, decays, n) for b in base_lrs]


def cosine_annealing_lr(base_lrs: Sequence[Any], kw: dict[str, Any], n: int) -> list[Column] | None:
    t_max, eta_min = kw["T_max"], kw.get("eta_min", 0.0)
    if not (_is_int(t_max) and t_max > 0 and _is_real(eta_min)):
        return None
    cos, pi = math.cos, math.pi
    # 1 + cos(pi * k / T_max) for k = 0..n, shared by consecutive ratios as in torch.
    bumps = [1 + cos(pi * k / t_max) for k in range(n + 1)]
    # Past T_max, the steps k with (k - 1 - T_max) % (2 * T_max) == 0 climb out of the
    # cosine's trough (where bumps[k - 1] is 0) instead of taking a ratio: mark them None.
    troughs = range(t_max, n, 2 * t_max)  # the indices k - 1 of those steps
    divisors = bumps[:n]
    for i in troughs:
        divisors[i] = 1.0
    ratios: list[Any] = [b / a for a, b in zip(divisors, bumps[1:])]
    ratios[t_max :: 2 * t_max] = [None] * len(troughs)
    columns = []
    for b in base_lrs:
        climb = (b - eta_min) * (1 - cos(pi / t_max)) / 2

        def step(lr: Any, ratio: Any, climb: Any = climb) -> Any:
            return lr + climb if ratio is None else ratio * (lr - eta_min) + eta_min

        columns.append(list(accumulate(ratios, step, initial=b)))
    return columns


def cosine_annealing_warm_restarts(
    base_lrs: Sequence[Any], kw: dict[str, Any], n: int
) -> list[Column] | None:
    t_0, t_mult = kw["T_0"], kw.get("T_mult", 1)
    eta_min = kw.get("eta_min", 0.0)
    if not (_is_int(t_0) and _is_int(t_mult) and _is_real(eta_min)):
        return None
    cos, pi = math.cos, math.pi
    bumps = []
    t_cur, t_i = 0, t_0
    for _ in range(n + 1):
        bumps.append(1 + cos(pi * t_cur / t_i))
        t_cur += 1
        if t_cur >= t_i:
            t_cur, t_i = t_cur % t_i, t_i * t_mult
    return [[eta_min + (b - eta_min) * bump / 2 for bump in bumps] for b in base_lrs]


def _factor_table(fn: Callable[[int], Any], n: int) -> list[Any]:
    """``fn(0..n)``; phase by phase for the Hugging Face factors."""
    if isinstance(fn, HFFactor):
        return fn.table(n)
    return [fn(k) for k in range(n + 1)]


def lambda_lr(base_lrs: Sequence[Any], kw: dict[str, Any], n: int) -> list[Column] | None:
    lambdas = _per_group(kw["lr_lambda"], len(base_lrs))
    return [[b * f for f in _factor_table(fn, n)] for fn, b in zip(lambdas, base_lrs)]


def multiplicative_lr(base_lrs: Sequence[Any], kw: dict[str, Any], n: int) -> list[Column] | None:
    lambdas = _per_group(kw["lr_lambda"], len(base_lrs))
    return [
        list(accumulate((fn(k) for k in range(1, n + 1)), mul, initial=b))
        for fn, b in zip(lambdas, base_lrs)
    ]


def _momentum_is_plain(kw: dict[str, Any], base: float, top: float) -> bool:
    if not kw.get("cycle_momentum", True):
        return True
    return _reals_or_real(kw.get("base_momentum", base)) and _reals_or_real(
        kw.get("max_momentum", top)
    )


def cyclic_lr(base_lrs: Sequence[Any], kw: dict[str, Any], n: int) -> list[Column] | None:
    up, down = kw.get("step_size_up", 2000), kw.get("step_size_down")
    mode, gamma = kw.get("mode", "triangular"), kw.get("gamma", 1.0)
    if kw.get("scale_fn") is not None or not _momentum_is_plain(kw, 0.8, 0.9):
        return None
    if not (_is_real(up) and up > 0 and (down is None or (_is_real(down) and down >= 0))):
        return None
    if not (_is_real(gamma) and _reals_or_real(kw["base_lr"])):
        return None
    if not _reals_or_real(kw["max_lr"]):
        return None
    groups = len(base_lrs)
    lows, highs = _per_group(kw["base_lr"], groups), _per_group(kw["max_lr"], groups)
    up = float(up)
    total = up + (float(down) if down is not None else up)
    ratio = up / total
    floor = math.floor
    cycles = [floor(1 + k / total) for k in range(n + 1)]
    positions = [1.0 + k / total - cycle for k, cycle in enumerate(cycles)]
    factors = [x / ratio if x <= ratio else (x - 1) / (ratio - 1) for x in positions]
    if mode == "triangular":
        scales = [1.0] * (n + 1)
    elif mode == "triangular2":
        scales = [1 / (2.0 ** (cycle - 1)) for cycle in cycles]
    else:  # exp_range scales by iteration, not by cycle
        scales = [gamma**k for k in range(n + 1)]
    return [
        [low + (high - low) * f * s for f, s in zip(factors, scales)]
        for low, high in zip(lows, highs)
    ]


def _anneal(strategy: str, start: Any, end: Any, ks: range, first: float, span: float) -> Column:
    """torch's OneCycleLR annealing of one phase, for the steps ``ks``."""
    if strategy == "cos":
        half, cos, pi = (start - end) / 2.0, math.cos, math.pi
        return [end + half * (cos(pi * ((k - first) / span)) + 1) for k in ks]
    rise = end - start
    return [rise * ((k - first) / span) + start for k in ks]


def one_cycle_lr(base_lrs: Sequence[Any], kw: dict[str, Any], n: int) -> list[Column] | None:
    if not _momentum_is_plain(kw, 0.85, 0.95):
        return None
    max_lrs = kw["max_lr"]
    div, final_div = kw.get("div_factor", 25.0), kw.get("final_div_factor", 1e4)
    if not (_reals_or_real(max_lrs) and _is_real(div) and _is_real(final_div)):
        return None
    total = kw.get("total_steps")
    if total is None:
        total = kw["epochs"] * kw["steps_per_epoch"]
    pct = kw.get("pct_start", 0.3)
    if kw.get("three_phase", False):
        ends = [float(pct * total) - 1, float(2 * pct * total) - 2, total - 1]
        keys = [("initial", "max"), ("max", "initial"), ("initial", "min")]
    else:
        ends = [float(pct * total) - 1, total - 1]
        keys = [("initial", "max"), ("max", "min")]
    strategy = kw.get("anneal_strategy", "cos")
    last_step = min(n, total)
    columns = []
    for max_lr in _per_group(max_lrs, len(base_lrs)):
        initial = max_lr / div
        levels = {"initial": initial, "max": max_lr, "min": initial / final_div}
        column: Column = []
        first = 0.0
        for i, (end, (start_key, end_key)) in enumerate(zip(ends, keys)):
            # Steps not yet placed that fall in this phase: torch picks the first
            # phase whose end_step is >= the step, the last phase for the rest.
            top = last_step if i == len(ends) - 1 else min(math.floor(end), last_step)
            ks = range(len(column), top + 1)
            column += _anneal(strategy, levels[start_key], levels[end_key], ks, first, end - first)
            first = end
        columns.append(column)
    if n > total:
        raise ValueError(
            f"Tried to step {total + 1} times. The specified number of total steps is {total}"
        )
    return columns


FAST_PATHS: dict[str, FastPath] = {
    "StepLR": step_lr,
    "MultiStepLR": multi_step_lr,
    "ConstantLR": constant_lr,
    "LinearLR": linear_lr,
    "ExponentialLR": exponential_lr,
    "PolynomialLR": polynomial_lr,
    "CosineAnnealingLR": cosine_annealing_lr,
    "CosineAnnealingWarmRestarts": cosine_annealing_warm_restarts,
    "LambdaLR": lambda_lr,
    "MultiplicativeLR": multiplicative_lr,
    "CyclicLR": cyclic_lr,
    "OneCycleLR": one_cycle_lr,
}
