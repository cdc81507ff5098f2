"""Two calculators from the seeds: step decay to a target LR, and the ExpLR equivalence.

``step_decay_to`` answers "which gamma and step size end my run at final_lr?", with the
off-by-one that the usual derivation (``step_size = total_steps // n_decays``) gets
wrong: the last of ``total_steps`` optimizer steps runs after ``total_steps - 1``
scheduler steps, so that period decays only ``n_decays - 1`` times by then.

The ExpLR functions implement Li & Arora, "An Exponential Learning Rate Schedule for
Deep Learning" (ICLR 2020) for torch's SGD, exactly. Setting: a loss that is scale
invariant in every trained parameter (normalisation layers, a fixed last layer),
``torch.optim.SGD`` with momentum ``gamma``, ``dampening=0``, ``nesterov=False`` and
coupled L2 ``weight_decay`` ``lam`` (``g = grad + lam * theta``;
``buf = gamma * buf + g``; ``theta -= lr * buf``). Run (a) uses LR ``eta_t`` and weight
decay; run (b) the same momentum, no weight decay and LR ``eta~_t``, from the same
``theta_0``. If ``theta~_t = c_t * theta_t`` with ``c_t > 0`` the two runs compute the
same function at every step. Writing both updates in position form and matching the
terms in ``theta_t``, ``theta_{t-1}`` and the gradient (which scales as ``1/c``) gives,
with ``rho_t = eta_t / eta_{t-1}`` and ``u_t = c_{t+1} / c_t``::

    eta~_t = eta_t * c_t * c_{t+1}
    u_t    = 1 / (1 + gamma * rho_t - lam * eta_t - gamma * rho_t * u_{t-1})

For a constant ``eta`` the fixed point is ``u = 1/alpha`` with ``alpha`` the larger root
of ``x**2 - (1 + gamma - lam*eta) x + gamma = 0``, hence the paper's
``eta~_t = alpha**(-2t-1) * eta``. What the paper's statement leaves implicit is the
initial condition: the fixed point holds from step 0 only when ``u_{-1} = 1/alpha``,
i.e. when run (b) starts with the previous iterate ``alpha * theta_0``, which in torch
means pre-setting its momentum buffer to ``(alpha - 1) / (alpha * eta) * theta_0``
(:func:`exp_lr_initial_momentum`). With torch's default (empty buffers in both runs)
``u_{-1} = 1``, and the exact schedule is the recursion above
(:func:`no_weight_decay_schedule`), which converges geometrically to the ExpLR growth
factor. Without momentum both coincide: ``alpha = 1 - lam * eta``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from lrlint.schedules.schedule import Schedule, build


def _positive(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be positive and finite, got {value!r}")


def _count(name: str, value: Any, minimum: int) -> None:
    if type(value) is not int:
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")


class StepDecayPlan(NamedTuple):
    """How to decay from ``initial_lr`` to ``final_lr`` in ``n_decays`` equal factors.

    ``gamma``: the factor of each decay. ``milestones``: the MultiStepLR milestones (the
    scheduler steps at which the decays happen, all below ``total_steps``).
    ``step_size``: the StepLR period that decays exactly ``n_decays`` times by the
    last step, or ``None`` when no period does (e.g. 10**4 decays in 10**6 steps: 100
    gives 9,999, 99 gives 10,101); ``nearest_step_lr`` then gives the StepLR that
    comes closest, as ``(step_size, decays, gamma)`` for that many decays.
    """

    initial_lr: float
    final_lr: float
    total_steps: int
    n_decays: int
    gamma: float
    step_size: int | None
    milestones: tuple[int, ...]
    nearest_step_lr: tuple[int, int, float] | None = None

    def multi_step_lr(self) -> Schedule:
        return build(
            "MultiStepLR", self.initial_lr, milestones=list(self.milestones), gamma=self.gamma
        )

    def step_lr(self) -> Schedule:
        if self.step_size is None:
            raise ValueError(
                f"no StepLR period decays exactly {self.n_decays} times within "
                f"{self.total_steps} steps; use multi_step_lr() or nearest_step_lr"
            )
        return build("StepLR", self.initial_lr, step_size=self.step_size, gamma=self.gamma)


def step_decay_to(
    initial_lr: float, final_lr: float, total_steps: int, n_decays: int
) -> StepDecayPlan:
    """Plan a step decay whose **last** optimizer step runs at ``final_lr``.

    For a loop of ``total_steps`` iterations of ``optimizer.step();
    scheduler.step()``, the last step runs after ``total_steps - 1`` scheduler
    steps, so every decay must happen at a scheduler step ``<= total_steps - 1``.
    ``gamma = (final_lr / initial_lr) ** (1 / n_decays)``; the StepLR period ``s``
    must satisfy ``n_decays * s <= total_steps - 1 < (n_decays + 1) * s``, and among
    those the one closest to ``total_steps / (n_decays + 1)`` (equal phases) is
    chosen. The last value then equals ``final_lr`` to about ``n_decays`` ulps.

    Raises ``ValueError`` when an LR is not positive and finite or ``n_decays`` is
    not in ``1 .. total_steps - 1``; ``TypeError`` for a non-number (or non-int count).
    """
    _positive("initial_lr", initial_lr)
    _positive("final_lr", final_lr)
    _count("total_steps", total_steps, 1)
    _count("n_decays", n_decays, 1)
    if n_decays >= total_steps:
        raise ValueError(
            f"{n_decays} decays cannot all take effect within {total_steps} steps: the "
            f"last step runs after {total_steps - 1} scheduler steps, so n_decays must "
            f"be at most {total_steps - 1}"
        )
    ratio = final_lr / initial_lr
    gamma = ratio ** (1 / n_decays)
    last = total_steps - 1
    shortest, longest = last // (n_decays + 1) + 1, last // n_decays
    if shortest <= longest:
        even = round(total_steps / (n_decays + 1))
        step_size: int | None = min(max(even, shortest), longest)
        milestones = tuple(step_size * i for i in range(1, n_decays + 1))
        nearest = None
    else:
        step_size = None
        milestones = tuple(i * total_steps // (n_decays + 1) for i in range(1, n_decays + 1))
        # Candidates bracketing n_decays: `longest` decays more often, `shortest` less.
        options = [(abs(last // s - n_decays), -s, s) for s in (longest, shortest)]
        _, _, best = min(options)
        decays = last // best
        nearest = (best, decays, ratio ** (1 / decays))
    return StepDecayPlan(
        initial_lr=initial_lr,
        final_lr=final_lr,
        total_steps=total_steps,
        n_decays=n_decays,
        gamma=gamma,
        step_size=step_size,
        milestones=milestones,
        nearest_step_lr=nearest,
    )


def _check_sgd(lr: Any, weight_decay: Any, momentum: Any) -> None:
    _positive("lr", lr)
    for name, value in (("weight_decay", weight_decay), ("momentum", momentum)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{name} must be a number, got {value!r}")
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be non-negative and finite, got {value!r}")
    if momentum >= 1:
        raise ValueError(f"momentum must be below 1, got {momentum!r}")


def _alpha(lr: float, weight_decay: float, momentum: float) -> float:
    """The larger root of ``x**2 - (1 + momentum - weight_decay*lr) x + momentum``."""
    _check_sgd(lr, weight_decay, momentum)
    shrink = weight_decay * lr
    if momentum == 0:
        alpha = 1 - shrink
    else:
        # b**2 - 4*momentum, rearranged to avoid cancelling (1 + momentum)**2 - 4*momentum.
        discriminant = (1 - momentum) ** 2 - 2 * (1 + momentum) * shrink + shrink**2
        if discriminant < 0:
            raise ValueError(
                f"weight_decay * lr = {shrink!r} exceeds (1 - sqrt(momentum))**2 = "
                f"{(1 - math.sqrt(momentum)) ** 2!r}: the characteristic equation has no "
                "real root, so no exponential schedule is equivalent; "
                "no_weight_decay_schedule gives the exact (non-exponential) one"
            )
        alpha = (1 + momentum - shrink + math.sqrt(discriminant)) / 2
    if alpha <= 0:
        raise ValueError(
            f"weight_decay * lr = {shrink!r} >= 1 flips the weights' sign every step; "
            "no positive rescaling makes the runs equivalent"
        )
    return alpha


def exp_lr_equivalent(lr: float, weight_decay: float, momentum: float = 0.0) -> float:
    """The per-step growth factor ``alpha**-2`` of the ExpLR equivalent to weight decay.

    ``alpha`` is the larger root of ``x**2 - (1 + momentum - weight_decay*lr) x +
    momentum = 0`` (``1 - weight_decay*lr`` without momentum). Raises ``ValueError``
    for a negative or non-finite argument, ``momentum >= 1``, or when there is no
    positive real root (``weight_decay*lr > (1 - sqrt(momentum))**2``).
    """
    return _alpha(lr, weight_decay, momentum) ** -2


def exp_lr_initial_momentum(lr: float, weight_decay: float, momentum: float = 0.0) -> float:
    """``k`` such that run (b)'s momentum buffer must start at ``k * theta_0``.

    With that buffer (``optimizer.state[p]["momentum_buffer"] = k * p``, set before
    the first step) the paper's ``exp_lr_schedule`` is exact from step 0;
    ``k = (alpha - 1) / (alpha * lr)``. Irrelevant (but returned) without momentum.
    """
    alpha = _alpha(lr, weight_decay, momentum)
    return (alpha - 1) / (alpha * lr)


class _ExpFactor:
    """``alpha ** (-2t - 1)``: the ExpLR as a LambdaLR factor."""

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha

    def __call__(self, step: int) -> float:
        return self.alpha ** (-2 * step - 1)

    def __repr__(self) -> str:
        return f"lambda t: {self.alpha!r} ** (-2 * t - 1)"


def exp_lr_schedule(lr: float, weight_decay: float, momentum: float = 0.0) -> Schedule:
    """The paper's ExpLR, ``eta~_t = alpha**(-2t-1) * lr``, as a ``LambdaLR`` Schedule.

    Exact (run (b) = ``alpha**-t`` times run (a)'s weights) when run (b)'s momentum
    buffer starts at :func:`exp_lr_initial_momentum` times ``theta_0``, or without
    momentum; with torch's empty initial buffer use :func:`no_weight_decay_schedule`.
    """
    return build("LambdaLR", lr, lr_lambda=_ExpFactor(_alpha(lr, weight_decay, momentum)))


def no_weight_decay_equivalent(
    lrs: Sequence[float], weight_decay: float, momentum: float = 0.0
) -> list[float]:
    """The exact no-weight-decay LRs for run (a)'s per-step LRs ``lrs`` (see module doc).

    Both runs start from the same weights with empty momentum buffers (torch's
    default); then run (b)'s weights are ``c_t`` times run (a)'s, with ``c_0 = 1`` and
    ``c_{t+1} = result[t] / (lrs[t] * c_t)``. Raises ``ValueError`` when an LR is not
    positive or when no positive rescaling exists (a step whose ``u_t <= 0``).
    """
    return list(_equivalent_lrs(iter(lrs), weight_decay, momentum))


def _equivalent_lrs(lrs: Iterator[float], weight_decay: float, momentum: float) -> Iterator[float]:
    scale, ratio_prev, lr_prev = 1.0, 1.0, None
    for t, lr in enumerate(lrs):
        _check_sgd(lr, weight_decay, momentum)
        # At t = 0 the momentum terms cancel (empty buffers), whatever rho_0 is.
        rho = 0.0 if lr_prev is None else lr / lr_prev
        denominator = 1 + momentum * rho - weight_decay * lr - momentum * rho * ratio_prev
        if denominator <= 0:
            raise ValueError(
                f"step {t}: no positive rescaling keeps the runs equivalent "
                f"(1/u_t = {denominator!r})"
            )
        ratio = 1 / denominator
        yield lr * scale * scale * ratio
        scale, ratio_prev, lr_prev = scale * ratio, ratio, lr


class _EquivalentFactor:
    """LambdaLR factor replaying :func:`no_weight_decay_equivalent` lazily."""

    def __init__(self, source: Schedule, weight_decay: float, momentum: float) -> None:
        self._base = source.base_lrs[0]
        self._lrs = _equivalent_lrs(source.iter(), weight_decay, momentum)
        self._done: list[float] = []
        self.description = (
            f"no_weight_decay({source!r}, weight_decay={weight_decay!r}, momentum={momentum!r})"
        )

    def __call__(self, step: int) -> float:
        while len(self._done) <= step:
            self._done.append(next(self._lrs))
        return self._done[step] / self._base

    def __repr__(self) -> str:
        return self.description


def no_weight_decay_schedule(
    schedule: Schedule, weight_decay: float, momentum: float = 0.0
) -> Schedule:
    """Run (b)'s schedule for a run (a) following ``schedule`` (one param group).

    A ``LambdaLR`` over ``schedule``'s base LR whose values are
    :func:`no_weight_decay_equivalent` of ``schedule``'s values: exact for torch's
    SGD with empty initial momentum buffers.
    """
    if schedule.groups != 1:
        raise ValueError("no_weight_decay_schedule needs a single param group")
    _check_sgd(schedule.base_lrs[0], weight_decay, momentum)
    factor = _EquivalentFactor(schedule, weight_decay, momentum)
    return build("LambdaLR", schedule.base_lrs[0], lr_lambda=factor)


def texp_schedule(
    lr: float,
    weight_decay: float,
    milestones: Sequence[int],
    gamma: float = 0.1,
    momentum: float = 0.0,
) -> Schedule:
    """TEXP (the paper's Theorem 2): the no-weight-decay twin of a step decay.

    Run (a) is ``MultiStepLR(milestones, gamma)`` at ``lr`` with weight decay (the LR
    divided by ``C_I = 1/gamma`` entering each phase). The result is
    :func:`no_weight_decay_schedule` of it: exact for torch's SGD, and, as the
    theorem says, within phase ``I`` its growth per step tends to
    ``exp_lr_equivalent(lr_I, weight_decay, momentum)`` (smaller as ``lr_I`` drops),
    while entering a phase divides the LR by ``C_I`` (times a transient factor when
    there is momentum).
    """
    step_decay = build("MultiStepLR", lr, milestones=list(milestones), gamma=gamma)
    return no_weight_decay_schedule(step_decay, weight_decay, momentum)
