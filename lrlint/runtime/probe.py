"""Detection 5, the opt-in effective-LR probe: does the optimizer really honour ``group["lr"]``?

On a sampled step the probe lets the real step run, then replays it as a *shadow step* from the
same starting point (parameters, gradients, optimizer state and group settings restored from
snapshots) with every watched group's LR multiplied by ``SCALE`` (-0.5), and finally puts back
exactly what the real step produced. The training trajectory is untouched.

For most torch optimizers the update is linear in the LR given the state (SGD with or without
momentum, Adam, AdamW, Adamax, NAdam, RAdam, RMSprop, Adagrad, Adadelta, Muon, SparseAdam: the
state they update does not depend on the LR), so the shadow update must be ``SCALE`` times the
real one. ``lr_dependence`` names the exceptions: Rprop and ASGD are not probed (their update does
not scale with this step's LR, by design), LBFGS steps always take a closure, and Adafactor is
linear only while ``lr <= 1/sqrt(step)`` (its relative step size is ``min(lr, 1/sqrt(step))``). A scale of -0.5 tests magnitude and sign
at once. The measured ratio ``r = <shadow, real> / <real, real>`` names the fault:

- ``r ≈ 1``: the update did not change with the LR — the optimizer ignores ``group["lr"]``;
- ``r ≈ 0.5 = |SCALE|``: the update follows ``|lr|`` — the sign of the LR is lost (the seed
  article's "explicit negative LR handling" negates the gradient for ``lr < 0``, so its update is
  ``+|lr| * grad`` at every LR: gradient *ascent* at a positive LR, and no different at a
  negative one);
- anything else: the update does not scale with the LR.

Direction: at a positive LR (``maximize`` off) a correct optimizer's update points downhill,
``<update, grad> < 0``, on most steps (momentum may overshoot on a few). The probe reports uphill
updates only when they are the majority of the probed steps.

Comparisons allow for float rounding: an update is measured as ``after - before``, which carries
an error of about ``eps * |param|``; steps whose update is lost in that noise are skipped.
Probe steps clone parameters, gradients and optimizer state (about three copies of the model) and
read a few numbers back from the device: they synchronise. Steps called with a closure are not
probed (replaying the closure would run the model again); a shadow step that raises (an
optimizer that refuses a negative LR) leaves its step without a verdict.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from lrlint.runtime.errors import (
    CAUSE_IGNORES_LR,
    CAUSE_IGNORES_SIGN,
    CAUSE_NOT_PROPORTIONAL,
    CAUSE_UPHILL,
    KIND_PROBE,
    Divergence,
)

SCALE = -0.5
RATIO_TOLERANCE = 0.05  # relative; the shadow replays the same arithmetic, so this is generous
NOISE_MARGIN = 10.0  # an update must exceed the rounding noise this many times to be judged


@dataclass(frozen=True, slots=True)
class ProbeResult:
    step: int
    group: int
    lr: float
    ratio: float | None  # measured shadow/real update ratio; None when too small to judge
    downhill_lr: float | None  # -<update, grad>/<grad, grad>: the plain-SGD LR it amounts to
    uphill: bool


# Why a torch optimizer's update does not scale with this step's LR: it is not probed.
_NOT_PROBED = {
    "Rprop": "Rprop uses group['lr'] only as the initial step size; later steps adapt the step "
    "size from the signs of the gradients, so the update does not scale with the LR",
    "ASGD": "ASGD applies the step size it derived from the LR at the previous step "
    "(state['eta']), so this step's update does not scale with this step's LR",
    "LBFGS": "LBFGS steps always take a closure, and the probe never replays a closure",
}


def lr_dependence(optimizer: torch.optim.Optimizer) -> str | None:
    """Why the probe cannot judge this optimizer (a torch class whose update does not scale
    with the LR), or None when the update is linear in the LR."""
    for cls in type(optimizer).__mro__:
        if cls.__module__.startswith("torch.optim") and cls.__name__ in _NOT_PROBED:
            return _NOT_PROBED[cls.__name__]
    return None


def _adafactor_linear(optimizer: torch.optim.Optimizer, group: dict[str, Any], lr: float) -> bool:
    """Adafactor's relative step is ``min(lr, 1/sqrt(t))``: linear in the LR while lr bounds it.
    Asked after the real step, whose state counts this step: ``t`` is its step count."""
    for p in group["params"]:
        state = optimizer.state.get(p)
        if state and "step" in state:
            step = state["step"]
            t = float(step.item() if isinstance(step, torch.Tensor) else step)
            return abs(lr) <= 1 / math.sqrt(t)
    return abs(lr) <= 1.0  # the first step: t = 1


def _is_adafactor(optimizer: torch.optim.Optimizer) -> bool:
    return any(
        cls.__name__ == "Adafactor" and cls.__module__.startswith("torch.optim")
        for cls in type(optimizer).__mro__
    )


def _clone_state(state: dict[str, Any] | None) -> dict[str, Any] | None:
    if state is None:
        return None
    return {k: v.clone() if isinstance(v, torch.Tensor) else v for k, v in state.items()}


class _GroupSettings:
    """A param group's settings (everything but ``params``), restorable in place: tensors such
    as a tensor LR keep their identity, which compiled steps and CUDA graphs rely on."""

    def __init__(self, group: dict[str, Any]) -> None:
        self._group = group
        self._saved = {
            k: v.clone() if isinstance(v, torch.Tensor) else v
            for k, v in group.items()
            if k != "params"
        }
        self._objects = {k: v for k, v in group.items() if k != "params"}

    def restore(self) -> None:
        group = self._group
        for key, value in self._saved.items():
            original = self._objects[key]
            if isinstance(value, torch.Tensor) and isinstance(original, torch.Tensor):
                original.copy_(value)
                group[key] = original
            else:
                group[key] = value


class _Snapshot:
    """Parameters, gradients, optimizer state and group settings at one moment."""

    def __init__(self, optimizer: torch.optim.Optimizer, params: list[torch.Tensor]) -> None:
        self.params = [p.detach().clone() for p in params]
        self.grads = [None if p.grad is None else p.grad.detach().clone() for p in params]
        self.groups = [_GroupSettings(g) for g in optimizer.param_groups]


class EffectiveLRProbe:
    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        groups: Sequence[int],
        every: int,
        run_shadow_step: Callable[[tuple, dict], None],
        max_report: int,
    ) -> None:
        if every < 1:
            raise ValueError("probe_every must be a positive number of steps")
        self._optimizer = optimizer
        self._groups = list(groups)
        self._every = every
        self._run_shadow_step = run_shadow_step  # calls optimizer.step with the hooks muted
        self._max_report = max_report
        self._before: _Snapshot | None = None
        self._state_before: dict[torch.Tensor, dict[str, Any] | None] = {}
        self.results: list[ProbeResult] = []  # the first max_report
        self._failures: list[tuple[tuple[int, ...], Divergence]] = []
        self.failure_count = 0
        self.judged_positive = 0
        self.uphill_count = 0
        self._uphill: list[ProbeResult] = []
        self.shadow_failures = 0  # shadow steps that raised: those steps have no verdict
        self._adafactor = _is_adafactor(optimizer)

    def _all_params(self) -> list[torch.Tensor]:
        return [p for g in self._optimizer.param_groups for p in g["params"]]

    def due(self, call: int, args: tuple, kwargs: dict) -> bool:
        closure = args[0] if args else kwargs.get("closure")
        return call % self._every == 0 and closure is None

    def before_step(self) -> None:
        params = self._all_params()
        self._before = _Snapshot(self._optimizer, params)
        state = self._optimizer.state
        self._state_before = {p: _clone_state(state.get(p)) for p in params}
        self._lrs_before = [self._lr(self._optimizer.param_groups[g]) for g in self._groups]

    @torch.no_grad()
    def after_step(self, step: int, args: tuple, kwargs: dict) -> None:
        before, self._before = self._before, None
        if before is None:
            return
        optimizer = self._optimizer
        params = self._all_params()
        after = _Snapshot(optimizer, params)
        real_state = {p: optimizer.state.get(p) for p in params}
        lrs = [self._lr(optimizer.param_groups[g]) for g in self._groups]
        judged = [
            not self._adafactor or _adafactor_linear(optimizer, optimizer.param_groups[g], lr)
            for g, lr in zip(self._groups, self._lrs_before)
        ]
        try:
            self._restore(params, before, self._state_before)
            for g in self._groups:
                self._scale_lr(optimizer.param_groups[g])
            self._run_shadow_step(args, kwargs)
            shadow = [p.detach().clone() for p in params]
        except Exception:  # noqa: BLE001 - e.g. an optimizer that refuses a negative LR
            self.shadow_failures += 1  # no verdict for this step; training goes on untouched
            return
        finally:
            self._restore(params, after, real_state)
            self._state_before = {}
        self._judge(step, params, before, after, shadow, lrs, judged)

    # -- shadow step plumbing -------------------------------------------------------------

    @staticmethod
    def _lr(group: dict[str, Any]) -> float:
        lr = group["lr"]
        return float(lr.item()) if isinstance(lr, torch.Tensor) else float(lr)

    @staticmethod
    def _scale_lr(group: dict[str, Any]) -> None:
        lr = group["lr"]
        if isinstance(lr, torch.Tensor):
            lr.mul_(SCALE)  # in place: the tensor's identity matters to compiled steps
        else:
            group["lr"] = lr * SCALE

    def _restore(
        self,
        params: list[torch.Tensor],
        snapshot: _Snapshot,
        states: dict[torch.Tensor, dict[str, Any] | None],
    ) -> None:
        state = self._optimizer.state
        for p, value, grad in zip(params, snapshot.params, snapshot.grads):
            p.copy_(value)
            if grad is not None and p.grad is not None:
                p.grad.copy_(grad)
            saved = states.get(p)
            if saved is None:
                state.pop(p, None)  # no state yet: the step initialises it lazily
            else:
                state[p] = saved
        for settings in snapshot.groups:
            settings.restore()

    # -- judging --------------------------------------------------------------------------

    def _judge(
        self,
        step: int,
        params: list[torch.Tensor],
        before: _Snapshot,
        after: _Snapshot,
        shadow: list[torch.Tensor],
        lrs: list[float],
        judged: list[bool],
    ) -> None:
        index = {id(p): i for i, p in enumerate(params)}
        for position, g in enumerate(self._groups):
            if not judged[position]:
                continue
            group = self._optimizer.param_groups[g]
            members = [index[id(p)] for p in group["params"]]
            stats = self._group_stats(members, before, after, shadow)
            if stats is None:
                continue
            real_sq, cross, residual_sq, grad_dot, grad_sq, noise = stats
            lr = lrs[position]
            if lr == 0 or math.sqrt(real_sq) <= NOISE_MARGIN * noise:
                continue
            ratio = cross / real_sq
            allowed = RATIO_TOLERANCE * abs(SCALE) * math.sqrt(real_sq) + noise * (1 + abs(SCALE))
            uphill = False
            downhill_lr = -grad_dot / grad_sq if grad_sq > 0 else None
            if lr > 0 and grad_sq > 0:
                maximize = bool(group.get("maximize", False))
                uphill = (grad_dot > 0) != maximize
                self.judged_positive += 1
            result = ProbeResult(step, g, lr, ratio, downhill_lr, uphill)
            if len(self.results) < self._max_report:
                self.results.append(result)
            if uphill:
                self.uphill_count += 1
                if len(self._uphill) < self._max_report:
                    self._uphill.append(result)
            if math.sqrt(residual_sq) > allowed:
                self._fail(step, g, lr, ratio)

    @staticmethod
    def _group_stats(
        members: list[int], before: _Snapshot, after: _Snapshot, shadow: list[torch.Tensor]
    ) -> tuple[float, ...] | None:
        """Sums over the group's parameters, in float64: |real|², <shadow, real>,
        |shadow - SCALE·real|², <real, grad>, |grad|², and the rounding noise of a measured
        update (about eps·|param| per element)."""
        per_device: dict[torch.device, torch.Tensor] = {}
        for i in members:
            grad = before.grads[i]
            if grad is None:
                continue
            start = before.params[i].double()
            end = after.params[i].double()
            real = end - start
            mirrored = shadow[i].double() - start
            grad = grad.double()
            eps = torch.finfo(before.params[i].dtype).eps
            sums = torch.stack(
                [
                    (real * real).sum(),
                    (mirrored * real).sum(),
                    (mirrored - SCALE * real).pow(2).sum(),
                    (real * grad).sum(),
                    (grad * grad).sum(),
                    ((end.abs() + start.abs()) * eps).pow(2).sum(),
                ]
            )
            device = sums.device
            per_device[device] = per_device[device] + sums if device in per_device else sums
        if not per_device:
            return None
        total = torch.stack([sums.cpu() for sums in per_device.values()]).sum(0).tolist()
        real_sq, cross, residual_sq, grad_dot, grad_sq, noise_sq = total
        return real_sq, cross, residual_sq, grad_dot, grad_sq, math.sqrt(noise_sq)

    def _fail(self, step: int, group: int, lr: float, ratio: float) -> None:
        self.failure_count += 1
        if len(self._failures) >= self._max_report:
            return
        if abs(ratio - 1) <= RATIO_TOLERANCE:
            cause = CAUSE_IGNORES_LR
        elif abs(ratio - abs(SCALE)) <= RATIO_TOLERANCE * abs(SCALE):
            cause = CAUSE_IGNORES_SIGN
        else:
            cause = CAUSE_NOT_PROPORTIONAL
        # expected: the LR the shadow step was given; got: the LR its update amounted to.
        row = Divergence(KIND_PROBE, step, group, SCALE * lr, ratio * lr, cause)
        self._failures.append(((step, 2, group), row))

    def findings(self) -> list[tuple[tuple[int, ...], Divergence]]:
        """Scale/sign failures, plus uphill steps when they are the majority of judged steps."""
        rows = list(self._failures)
        if self.uphill_count and 2 * self.uphill_count > self.judged_positive:
            for r in self._uphill:
                got = r.downhill_lr
                row = Divergence(KIND_PROBE, r.step, r.group, r.lr, got, CAUSE_UPHILL)
                rows.append(((r.step, 3, r.group), row))
        return rows

    @property
    def total(self) -> int:
        uphill = self.uphill_count if 2 * self.uphill_count > self.judged_positive else 0
        return self.failure_count + uphill
