"""Li & Arora's equivalence, proved on a real torch network.

A tiny scale-invariant network (two linear layers, each followed by a normalisation
without affine parameters and eps, then a FIXED random last layer) is trained in
float64 for 50 steps, (a) with SGD, momentum, weight decay and the LR schedule of run
(a), and (b) with the same momentum, no weight decay, and the equivalent schedule. The
network's outputs on a probe batch must agree at every step; run (b)'s weights are a
positive multiple of run (a)'s.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from lrlint.schedules import (
    build,
    exp_lr_initial_momentum,
    exp_lr_schedule,
    no_weight_decay_equivalent,
    texp_schedule,
)

torch = pytest.importorskip("torch")  # every test here trains a torch network

STEPS = 50
IN, HIDDEN, CLASSES, BATCH = 8, 16, 4, 32


def normalise(z: torch.Tensor) -> torch.Tensor:
    """Batch normalisation with eps = 0: exactly invariant to rescaling the layer."""
    return (z - z.mean(0)) / z.var(0, unbiased=False).sqrt()


class ScaleInvariantNet(torch.nn.Module):
    def __init__(self, head: torch.Tensor) -> None:
        super().__init__()
        self.first = torch.nn.Linear(IN, HIDDEN, dtype=torch.float64)
        self.second = torch.nn.Linear(HIDDEN, HIDDEN, dtype=torch.float64)
        self.head = head  # a fixed tensor, not a parameter: never trained

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = torch.relu(normalise(self.first(x)))
        z = torch.relu(normalise(self.second(z)))
        return z @ self.head


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """Tiny float64 matmuls: threads only add contention (and spin on a busy machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def task() -> dict[str, object]:
    generator = torch.Generator().manual_seed(0)

    def randn(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=generator, dtype=torch.float64)

    return {
        "head": randn(HIDDEN, CLASSES),
        "batches": [
            (randn(BATCH, IN), torch.randint(0, CLASSES, (BATCH,), generator=generator))
            for _ in range(STEPS)
        ],
        "probe": randn(64, IN),
    }


def train(
    task: dict[str, object],
    lrs: Sequence[float],
    weight_decay: float,
    momentum: float,
    buffer_scale: float | None = None,
) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Probe outputs and flattened weights after each of STEPS steps at LRs ``lrs``."""
    torch.manual_seed(1)  # the same initial weights in every run
    net = ScaleInvariantNet(task["head"])  # type: ignore[arg-type]
    optimizer = torch.optim.SGD(
        net.parameters(), lr=lrs[0], momentum=momentum, weight_decay=weight_decay
    )
    if buffer_scale is not None:
        for param in net.parameters():
            optimizer.state[param]["momentum_buffer"] = buffer_scale * param.detach().clone()
    outputs, weights = [], []
    for step, (x, y) in enumerate(task["batches"]):  # type: ignore[arg-type]
        for group in optimizer.param_groups:
            group["lr"] = lrs[step]
        loss = torch.nn.functional.cross_entropy(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            outputs.append(net(task["probe"]))
            weights.append(torch.cat([p.flatten() for p in net.parameters()]))
    return outputs, weights


def worst_relative_gap(a: list[torch.Tensor], b: list[torch.Tensor]) -> float:
    return max(((x - y).abs().max() / x.abs().max()).item() for x, y in zip(a, b, strict=True))


def test_without_momentum_the_papers_schedule_is_exact(task: dict[str, object]) -> None:
    lr, weight_decay = 0.1, 0.05
    outputs_a, _ = train(task, [lr] * STEPS, weight_decay, 0.0)
    outputs_b, _ = train(task, exp_lr_schedule(lr, weight_decay).values(STEPS), 0.0, 0.0)
    assert worst_relative_gap(outputs_a, outputs_b) < 1e-10


def test_with_momentum_the_paper_needs_a_primed_momentum_buffer(task: dict[str, object]) -> None:
    lr, weight_decay, momentum = 0.1, 0.02, 0.9
    outputs_a, weights_a = train(task, [lr] * STEPS, weight_decay, momentum)
    paper = exp_lr_schedule(lr, weight_decay, momentum).values(STEPS)
    # torch's default, empty momentum buffers: the paper's schedule is NOT equivalent.
    outputs_naive, _ = train(task, paper, 0.0, momentum)
    assert worst_relative_gap(outputs_a, outputs_naive) > 1e-2
    # With run (b)'s buffer primed to k * theta_0 it is, and weights scale by alpha**-t.
    primed = exp_lr_initial_momentum(lr, weight_decay, momentum)
    outputs_b, weights_b = train(task, paper, 0.0, momentum, buffer_scale=primed)
    assert worst_relative_gap(outputs_a, outputs_b) < 1e-10
    alpha = (paper[0] / lr) ** -1  # eta~_0 = eta / alpha
    for t, (wa, wb) in enumerate(zip(weights_a, weights_b)):
        assert torch.allclose(wb, wa * alpha ** -(t + 1), rtol=1e-9, atol=0)


def test_with_empty_buffers_the_exact_recursion_is_equivalent(task: dict[str, object]) -> None:
    lr, weight_decay, momentum = 0.1, 0.02, 0.9
    outputs_a, weights_a = train(task, [lr] * STEPS, weight_decay, momentum)
    exact = no_weight_decay_equivalent([lr] * STEPS, weight_decay, momentum)
    outputs_b, weights_b = train(task, exact, 0.0, momentum)
    assert worst_relative_gap(outputs_a, outputs_b) < 1e-10
    scale = 1.0  # c_{t+1} = eta~_t / (eta_t * c_t)
    for t, (wa, wb) in enumerate(zip(weights_a, weights_b)):
        scale = exact[t] / (lr * scale)
        assert torch.allclose(wb, wa * scale, rtol=1e-9, atol=0)


def test_texp_is_equivalent_to_step_decay_with_weight_decay(task: dict[str, object]) -> None:
    lr, weight_decay, momentum, milestones = 0.1, 0.02, 0.9, [15, 30]
    step_decay = build("MultiStepLR", lr, milestones=milestones, gamma=0.1).values(STEPS)
    outputs_a, _ = train(task, step_decay, weight_decay, momentum)
    texp = texp_schedule(lr, weight_decay, milestones, gamma=0.1, momentum=momentum)
    outputs_b, _ = train(task, texp.values(STEPS), 0.0, momentum)
    assert worst_relative_gap(outputs_a, outputs_b) < 1e-10
