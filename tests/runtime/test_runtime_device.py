"""Tensor LRs and devices: readings stay on the device (no ``.item()`` on the hot path), memory
stays bounded, compiled steps work. CPU tests run everywhere; ``gpu`` tests need CUDA."""

from __future__ import annotations

import gc
import math
import tracemalloc

import pytest

torch = pytest.importorskip("torch")

from torch.optim import lr_scheduler as S

from lrlint.runtime import LRScheduleError, watch
from lrlint.runtime.errors import (
    CAUSE_GRADSCALER_SKIP,
    CAUSE_SCHEDULER_FIRST,
    KIND_SCHEDULE,
)
from lrlint.runtime.readings import DeviceReadings, HostReadings

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")

# Python-level ways to pull a tensor's value to the host; on CUDA each one synchronises.
HOST_READS = ("item", "tolist", "__float__", "__int__", "__bool__", "__index__")


@pytest.fixture
def no_host_reads(monkeypatch):
    """A context in which any Python-level host read of a tensor raises."""

    class Forbidden:
        def __enter__(self):
            for name in HOST_READS:
                monkeypatch.setattr(torch.Tensor, name, _forbidden(name))

        def __exit__(self, *exc):
            monkeypatch.undo()

    return Forbidden()


def _forbidden(name):
    def read(self, *args, **kwargs):
        raise AssertionError(f"Tensor.{name} called on the hot path")

    return read


def _mse(model):
    return lambda inputs, targets: torch.nn.functional.mse_loss(model(inputs), targets)


def _cross_entropy(model):
    return lambda images, labels: torch.nn.functional.cross_entropy(model(images), labels)


def sgd_with_tensor_lr(model, lr=0.1):
    # SGD takes a tensor LR without reading it on the host (Adam's non-capturable path reads
    # its step count with .item(), which would blur what this file tests).
    return torch.optim.SGD(model.parameters(), lr=torch.tensor(lr), momentum=0.9)


def test_tensor_lr_is_recorded_on_the_device(regression):
    model, inputs, targets = regression()
    optimizer = sgd_with_tensor_lr(model)
    scheduler = S.StepLR(optimizer, step_size=3, gamma=0.5)
    w = watch(optimizer, expect=scheduler, buffer_rows=4)
    assert isinstance(w._reader, DeviceReadings)
    for _ in range(20):
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(inputs), targets).backward()
        optimizer.step()
        scheduler.step()
    w.close()
    lrs = [r.lrs[0] for r in w.history]
    assert lrs == pytest.approx([0.1 * 0.5 ** (k // 3) for k in range(20)], rel=1e-6)


def test_watched_steps_never_read_a_tensor_on_the_host(regression, no_host_reads):
    model, inputs, targets = regression()
    optimizer = sgd_with_tensor_lr(model)
    scheduler = S.StepLR(optimizer, step_size=3, gamma=0.5)
    w = watch(optimizer, expect=scheduler, buffer_rows=4)  # 3 readings a step: many spills
    with no_host_reads:
        for _ in range(20):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(inputs), targets).backward()
            optimizer.step()
            scheduler.step()
    w.close()
    assert len(w.history) == 20


def test_the_forbidden_reads_fixture_really_forbids(no_host_reads):
    lr = torch.tensor(0.1)
    with no_host_reads, pytest.raises(AssertionError, match="item"):
        lr.item()
    with no_host_reads, pytest.raises(AssertionError, match="__float__"):
        float(lr)


def test_a_tensor_lr_bug_is_found_when_the_watch_is_checked(regression, no_host_reads):
    model, inputs, targets = regression()
    optimizer = sgd_with_tensor_lr(model)
    scheduler = S.StepLR(optimizer, step_size=3, gamma=0.5)
    w = watch(optimizer, expect=scheduler, buffer_rows=8)
    with no_host_reads:
        for _ in range(9):
            scheduler.step()  # before the optimizer: the bug
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(inputs), targets).backward()
            optimizer.step()
    with pytest.raises(LRScheduleError) as caught:
        w.check()
    shifted = [d for d in caught.value.divergences if d.kind == KIND_SCHEDULE]
    assert shifted[0].step == 2
    assert shifted[0].got == pytest.approx(0.05)
    assert shifted[0].cause == CAUSE_SCHEDULER_FIRST
    w._detach()


def test_fused_found_inf_travels_through_the_device_buffer(regression, amp_loop):
    # A tensor LR, a fused Adam and GradScaler: found_inf is a tensor handed to every step.
    model, inputs, targets = regression()
    optimizer = torch.optim.Adam(model.parameters(), lr=torch.tensor(1e-2), fused=True)
    scheduler = S.StepLR(optimizer, step_size=2, gamma=0.5)
    poisoned = inputs.clone()
    poisoned[0, 0] = math.inf
    batches = [(poisoned if i == 5 else inputs, targets) for i in range(8)]
    w = watch(optimizer, expect=scheduler, buffer_rows=4)
    amp_loop(optimizer, scheduler, batches, _mse(model), "cpu", torch.bfloat16)
    with pytest.raises(LRScheduleError) as caught:
        w.close()
    assert caught.value.skipped_scheduler_steps == [5]
    assert caught.value.divergences[0].cause == CAUSE_GRADSCALER_SKIP
    assert w.optimizer_steps == 7


@pytest.mark.parametrize("tensor_lr", [False, True], ids=["host", "device"])
def test_memory_is_bounded_by_the_history(tensor_lr):
    param = torch.nn.Parameter(torch.zeros(2))
    lr = torch.tensor(0.1) if tensor_lr else 0.1
    optimizer = torch.optim.SGD([param], lr=lr)
    scheduler = S.StepLR(optimizer, step_size=1000, gamma=0.5)
    w = watch(optimizer, expect=scheduler, history_size=50, buffer_rows=64, max_report=5)
    assert isinstance(w._reader, DeviceReadings if tensor_lr else HostReadings)

    def run(steps):
        for _ in range(steps):
            param.grad = torch.ones(2)
            optimizer.step()
            scheduler.step()

    run(400)  # fill the history's head, the ring, the buffers and the pools
    w.check()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    run(3000)
    w.check()
    gc.collect()
    growth = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(w.history) == 100  # the first 50 and the last 50
    assert w.history[-1].step == 3399
    assert growth < 64 * 1024, growth
    w.close()


def test_findings_are_bounded_but_counted():
    param = torch.nn.Parameter(torch.zeros(2))
    optimizer = torch.optim.SGD([param], lr=0.1)
    w = watch(optimizer, expect=[0.2] * 500, max_report=5)
    for _ in range(500):
        param.grad = torch.ones(2)
        optimizer.step()
    with pytest.raises(LRScheduleError) as caught:
        w.close()
    assert caught.value.total == 500
    assert [d.step for d in caught.value.divergences] == [0, 1, 2, 3, 4]


@pytest.mark.slow
def test_a_compiled_optimizer_step_is_watched_without_recompiling(regression):
    from torch._dynamo.utils import counters

    torch._dynamo.reset()
    counters.clear()
    model, inputs, targets = regression()
    optimizer = torch.optim.Adam(model.parameters(), lr=torch.tensor(1e-2))
    scheduler = S.StepLR(optimizer, step_size=3, gamma=0.5)

    @torch.compile
    def optimizer_step():
        optimizer.step()

    with watch(optimizer, expect=scheduler) as w:
        for _ in range(10):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(inputs), targets).backward()
            optimizer_step()
            scheduler.step()
    assert len(w.history) == 10
    assert w.history[-1].lrs[0] == pytest.approx(1e-2 * 0.5**3)
    assert counters["stats"]["unique_graphs"] <= 2  # the step, compiled once


# -- GPU: skipped without CUDA --------------------------------------------------------------


def _convnet(device):
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 16, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(16, 10),
    ).to(device)


def _batch(device, poisoned=False):
    images = torch.randn(8, 3, 16, 16, device=device)
    if poisoned:
        images[0, 0, 0, 0] = math.inf
    return images, torch.randint(0, 10, (8,), device=device)


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("flavour", ["fused", "capturable"])
def test_gpu_adam_with_a_tensor_lr_passes_without_syncs(flavour):
    model = _convnet("cuda")
    lr = torch.tensor(1e-3, device="cuda")
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, **{flavour: True})
    scheduler = S.StepLR(optimizer, step_size=4, gamma=0.5)
    w = watch(optimizer, expect=scheduler, buffer_rows=8)
    batches = [_batch("cuda") for _ in range(20)]
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for images, labels in batches:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(images), labels).backward()
            optimizer.step()
            scheduler.step()
    finally:
        torch.cuda.set_sync_debug_mode("default")
    w.close()
    assert [r.lrs[0] for r in w.history] == pytest.approx(
        [1e-3 * 0.5 ** (k // 4) for k in range(20)], rel=1e-5
    )


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("fused", [False, True], ids=["adamw", "adamw-fused"])
def test_gpu_amp_with_gradscaler_skips_are_reported(amp_loop, dtype, fused):
    model = _convnet("cuda")
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, fused=fused)
    scheduler = S.StepLR(optimizer, step_size=2, gamma=0.5)
    batches = [_batch("cuda", poisoned=i == 3) for i in range(8)]
    w = watch(optimizer, expect=scheduler)
    amp_loop(optimizer, scheduler, batches, _cross_entropy(model), "cuda", getattr(torch, dtype))
    with pytest.raises(LRScheduleError) as caught:
        w.close()
    assert 3 in caught.value.skipped_scheduler_steps
    assert caught.value.divergences[0].cause == CAUSE_GRADSCALER_SKIP


@pytest.mark.gpu
@needs_cuda
def test_gpu_amp_with_a_guarded_scheduler_passes(amp_loop):
    model = _convnet("cuda")
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, fused=True)
    scheduler = S.StepLR(optimizer, step_size=2, gamma=0.5)
    batches = [_batch("cuda", poisoned=i == 3) for i in range(8)]
    with watch(optimizer, expect=scheduler) as w:
        loss_fn = _cross_entropy(model)
        amp_loop(optimizer, scheduler, batches, loss_fn, "cuda", torch.float16, guard=True)
    assert w.optimizer_steps >= 4  # fp16 may overflow (and skip) more than the poisoned batch


@pytest.mark.gpu
@pytest.mark.slow
@needs_cuda
def test_gpu_compiled_capturable_step_without_syncs():
    model = _convnet("cuda")
    lr = torch.tensor(1e-3, device="cuda")
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, capturable=True)
    scheduler = S.CosineAnnealingLR(optimizer, T_max=30)

    @torch.compile
    def optimizer_step():
        optimizer.step()

    w = watch(optimizer, expect=scheduler, buffer_rows=8)
    batches = [_batch("cuda") for _ in range(12)]
    for images, labels in batches[:2]:  # compile outside the sync check
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(images), labels).backward()
        optimizer_step()
        scheduler.step()
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for images, labels in batches[2:]:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(images), labels).backward()
            optimizer_step()
            scheduler.step()
    finally:
        torch.cuda.set_sync_debug_mode("default")
    w.close()
    assert len(w.history) == 12


@pytest.mark.gpu
@needs_cuda
def test_gpu_probe_on_cuda_parameters():
    model = _convnet("cuda")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    with watch(optimizer, probe_every=2) as w:
        for _ in range(6):
            images, labels = _batch("cuda")
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(images), labels).backward()
            optimizer.step()
    assert [r.ratio for r in w._probe.results] == pytest.approx([-0.5] * 3, rel=1e-2)
