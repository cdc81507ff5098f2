"""Detection 5, the effective-LR probe: silent on torch's optimizers, loud on optimizers that do
not honour ``group["lr"]``, and invisible to the training trajectory."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from lrlint.runtime import LRScheduleError, watch
from lrlint.runtime.errors import (
    CAUSE_IGNORES_LR,
    CAUSE_IGNORES_SIGN,
    CAUSE_UPHILL,
    KIND_PROBE,
)


class SeedSignFlipOptimizer(torch.optim.Optimizer):
    """Example 3 of the seed article, verbatim in its update rule ("explicit negative learning
    rate handling")."""

    def __init__(self, params, lr):
        super().__init__(params, {"lr": lr})

    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                d_p = p.grad.data
                if group["lr"] < 0:
                    d_p = -d_p  # Explicitly reverse the gradient.
                p.data.add_(d_p, alpha=group["lr"])


class FixedStepOptimizer(torch.optim.Optimizer):
    """Ignores group["lr"]: a hard-coded step size (a copy-paste bug in a custom optimizer)."""

    def __init__(self, params, lr):
        super().__init__(params, {"lr": lr})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.add_(p.grad, alpha=-1e-2)


def train(model, inputs, targets, optimizer, steps: int, probe_every: int | None = 2, **options):
    with watch(optimizer, probe_every=probe_every, **options) as w:
        for _ in range(steps):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(inputs), targets).backward()
            optimizer.step()
    return w


TORCH_OPTIMIZERS = {
    "SGD": lambda p: torch.optim.SGD(p, lr=0.05),
    "SGD-momentum": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
    "SGD-nesterov-wd": lambda p: torch.optim.SGD(
        p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2
    ),
    "Adam": lambda p: torch.optim.Adam(p, lr=1e-2),
    "Adam-fused": lambda p: torch.optim.Adam(p, lr=1e-2, fused=True),
    "Adam-tensor-lr": lambda p: torch.optim.Adam(p, lr=torch.tensor(1e-2)),
    "AdamW": lambda p: torch.optim.AdamW(p, lr=1e-2, weight_decay=0.1),
    "RMSprop": lambda p: torch.optim.RMSprop(p, lr=1e-3),
    "RMSprop-momentum-centered": lambda p: torch.optim.RMSprop(
        p, lr=1e-3, momentum=0.9, centered=True
    ),
    "Adagrad": lambda p: torch.optim.Adagrad(p, lr=1e-2, lr_decay=1e-3),
}


@pytest.mark.parametrize("name", sorted(TORCH_OPTIMIZERS))
def test_torch_optimizers_honour_their_lr(regression, name):
    model, inputs, targets = regression()
    w = train(model, inputs, targets, TORCH_OPTIMIZERS[name](model.parameters()), steps=20)
    judged = [r for r in w._probe.results if r.ratio is not None]
    assert len(judged) == 10
    assert all(r.ratio == pytest.approx(-0.5, rel=1e-3) for r in judged)


def test_sgd_at_a_negative_lr_ascends_and_is_honoured(regression):
    # Gradient ascent on purpose (e.g. an adversarial player): the sign is the LR's, not a bug.
    model, inputs, targets = regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)  # torch refuses lr < 0 here,
    optimizer.param_groups[0]["lr"] = -0.01  # but not later, as a scheduler may set it
    w = train(model, inputs, targets, optimizer, steps=6)
    assert [r.ratio for r in w._probe.results] == pytest.approx([-0.5] * 3, rel=1e-3)
    assert w._probe.judged_positive == 0


def test_an_optimizer_that_ignores_its_lr(regression):
    model, inputs, targets = regression()
    with pytest.raises(LRScheduleError) as caught:
        train(model, inputs, targets, FixedStepOptimizer(model.parameters(), lr=0.1), steps=6)
    rows = caught.value.divergences
    assert [(d.kind, d.step) for d in rows] == [(KIND_PROBE, 0), (KIND_PROBE, 2), (KIND_PROBE, 4)]
    assert {d.cause for d in rows} == {CAUSE_IGNORES_LR}
    # expected: the LR of the shadow step; got: the LR its update amounted to (unchanged: 0.1)
    assert (rows[0].expected, rows[0].got) == pytest.approx((-0.05, 0.1))


def _one_update(optimizer_class, lr, regression):
    model, inputs, targets = regression()
    start = [p.detach().clone() for p in model.parameters()]
    optimizer = optimizer_class(model.parameters(), lr=abs(lr))
    optimizer.param_groups[0]["lr"] = lr
    torch.nn.functional.mse_loss(model(inputs), targets).backward()
    grads = [p.grad.clone() for p in model.parameters()]
    optimizer.step()
    updates = [p.detach() - s for p, s in zip(model.parameters(), start)]
    return updates, grads


def test_what_the_seed_optimizer_really_does(regression):
    """The article says negating the gradient makes a negative LR "work". It does not make the
    LR's sign matter: the update is +|lr|·grad at every LR — gradient ascent at lr=+0.01 and
    at lr=-0.01 alike, exactly what SGD does only at lr=-0.01."""
    ascent, _ = _one_update(torch.optim.SGD, -0.01, regression)
    for lr in (0.01, -0.01):
        updates, grads = _one_update(SeedSignFlipOptimizer, lr, regression)
        for update, reference, grad in zip(updates, ascent, grads):
            assert torch.allclose(update, reference, atol=1e-7)
            assert torch.allclose(update, 0.01 * grad, atol=1e-7)  # uphill


@pytest.mark.parametrize("lr", [0.01, -0.01])
def test_the_probe_flags_the_seed_optimizer_at_either_sign(regression, lr):
    model, inputs, targets = regression()
    with pytest.raises(LRScheduleError) as caught:
        train(model, inputs, targets, SeedSignFlipOptimizer(model.parameters(), lr=lr), steps=6)
    causes = {d.cause for d in caught.value.divergences}
    # At -0.5·lr the shadow update was +0.5·(the real one): |lr| counts, its sign does not.
    first = caught.value.divergences[0]
    assert (first.expected, first.got) == pytest.approx((-0.5 * lr, 0.5 * lr))
    if lr > 0:
        assert causes == {CAUSE_IGNORES_SIGN, CAUSE_UPHILL}
    else:
        assert causes == {CAUSE_IGNORES_SIGN}


def test_the_probe_leaves_the_trajectory_bit_for_bit(regression):
    def run(probe_every):
        model, inputs, targets = regression()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-3)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
        with watch(optimizer, expect=scheduler, probe_every=probe_every):
            for _ in range(8):
                optimizer.zero_grad()
                torch.nn.functional.mse_loss(model(inputs), targets).backward()
                optimizer.step()
                scheduler.step()
        return list(model.parameters()), optimizer.state_dict()["state"]

    plain_params, plain_state = run(None)
    probed_params, probed_state = run(1)
    assert all(torch.equal(a, b) for a, b in zip(plain_params, probed_params))
    for key, state in plain_state.items():
        assert all(torch.equal(state[name], probed_state[key][name]) for name in state)


def test_steps_with_a_closure_are_not_probed(regression):
    model, inputs, targets = regression()
    optimizer = FixedStepOptimizer(model.parameters(), lr=0.1)

    def closure():
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(inputs), targets)
        loss.backward()
        return loss

    with watch(optimizer, probe_every=1) as w:
        for _ in range(3):
            closure()
            optimizer.step(closure)
    assert w._probe.results == []


def test_probe_every_must_be_positive():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.raises(ValueError, match="probe_every"):
        watch(optimizer, probe_every=0)


class RefusesNegativeLR(torch.optim.SGD):
    def step(self, closure=None):
        if any(group["lr"] < 0 for group in self.param_groups):
            raise ValueError("negative learning rate")
        return super().step(closure)


def test_a_shadow_step_that_raises_leaves_training_alone(regression):
    model, inputs, targets = regression()
    w = train(model, inputs, targets, RefusesNegativeLR(model.parameters(), lr=0.05), steps=4)
    assert w._probe.shadow_failures == 2
    assert w.optimizer_steps == 4
