"""Small, fast training set-ups shared by the runtime tests."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _quiet_torch_warnings():
    # torch warns about the very orderings some tests provoke on purpose.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


@pytest.fixture
def regression():
    """``make(seed=0) -> (model, inputs, targets)``: a two-layer net on a noisy linear target."""

    def make(seed: int = 0, features: int = 8):
        generator = torch.Generator().manual_seed(seed)
        torch.manual_seed(seed)
        model = torch.nn.Sequential(
            torch.nn.Linear(features, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)
        )
        inputs = torch.randn(64, features, generator=generator)
        targets = inputs[:, :1] * 2 - inputs[:, 1:2] + 0.1 * torch.randn(64, 1, generator=generator)
        return model, inputs, targets

    return make


@pytest.fixture
def amp_loop():
    """``run(optimizer, scheduler, batches, loss_fn, device_type, dtype, guard=False)``: an AMP
    loop with a GradScaler. ``guard``: step the scheduler only when GradScaler really stepped the
    optimizer (its scale did not drop) — the fix for skipped steps."""

    def run(optimizer, scheduler, batches, loss_fn, device_type, dtype, guard=False):
        scaler = torch.amp.GradScaler(device_type)
        for inputs, targets in batches:
            optimizer.zero_grad()
            with torch.autocast(device_type, dtype=dtype):
                loss = loss_fn(inputs, targets)
            scaler.scale(loss).backward()
            scale = scaler.get_scale()
            scaler.step(optimizer)
            scaler.update()
            if not guard or scaler.get_scale() >= scale:
                scheduler.step()

    return run
