"""accelerate: ``watch`` takes the ``AcceleratedOptimizer`` and ``AcceleratedScheduler`` that
``Accelerator.prepare`` returns (the README's recipe), gradient accumulation included."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
accelerate = pytest.importorskip("accelerate")

from torch.optim import lr_scheduler as S

from lrlint.runtime import LRScheduleError, watch
from lrlint.runtime.errors import CAUSE_SCHEDULER_FIRST


@pytest.fixture
def prepared():
    """``make(accumulation=1) -> (accelerator, model, optimizer, scheduler, batches)``."""

    def make(accumulation: int = 1):
        reset()
        accelerator = accelerate.Accelerator(cpu=True, gradient_accumulation_steps=accumulation)
        torch.manual_seed(0)
        model = torch.nn.Linear(4, 1)
        optimizer = torch.optim.AdamW(model.parameters(), lr=0.01)
        scheduler = S.StepLR(optimizer, step_size=2, gamma=0.5)
        batches = [(torch.randn(8, 4), torch.randn(8, 1)) for _ in range(12)]
        model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
        return accelerator, model, optimizer, scheduler, batches

    yield make
    reset()


def reset():
    """accelerate's state objects are process-wide singletons: start each test afresh."""
    accelerate.state.AcceleratorState._reset_state(reset_partial_state=True)
    accelerate.state.GradientState._reset_state()


def loop(accelerator, model, optimizer, scheduler, batches, scheduler_first=False):
    for inputs, targets in batches:
        with accelerator.accumulate(model):
            if scheduler_first:
                scheduler.step()
            loss = torch.nn.functional.mse_loss(model(inputs), targets)
            accelerator.backward(loss)
            optimizer.step()
            if not scheduler_first:
                scheduler.step()
            optimizer.zero_grad()


def test_the_recipe_passes_a_correct_loop(prepared):
    accelerator, model, optimizer, scheduler, batches = prepared()
    assert type(optimizer).__name__ == "AcceleratedOptimizer"
    assert type(scheduler).__name__ == "AcceleratedScheduler"
    with watch(optimizer, expect=scheduler) as w:
        loop(accelerator, model, optimizer, scheduler, batches)
    assert w.optimizer_steps == 12
    assert [r.lrs[0] for r in w.history][:5] == pytest.approx([0.01, 0.01, 0.005, 0.005, 0.0025])


def test_gradient_accumulation_counts_real_optimizer_steps(prepared):
    accelerator, model, optimizer, scheduler, batches = prepared(accumulation=3)
    with watch(optimizer, expect=scheduler) as w:
        loop(accelerator, model, optimizer, scheduler, batches)
    assert w.optimizer_steps == 4
    assert [r.lrs[0] for r in w.history] == pytest.approx([0.01, 0.01, 0.005, 0.005])


def test_the_recipe_catches_a_scheduler_stepped_first(prepared):
    accelerator, model, optimizer, scheduler, batches = prepared()
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=scheduler):
        loop(accelerator, model, optimizer, scheduler, batches, scheduler_first=True)
    assert caught.value.divergences[0].cause == CAUSE_SCHEDULER_FIRST


def test_a_scheduler_stepped_once_per_process_is_one_step(prepared, monkeypatch):
    # Without split_batches, accelerate steps the scheduler once per process for each optimizer
    # step, by design: on 2 processes that is 2 scheduler steps per optimizer step, not a bug.
    accelerator, model, optimizer, scheduler, batches = prepared()
    for state in (accelerate.state.AcceleratorState, accelerate.state.PartialState):
        monkeypatch.setitem(state._shared_state, "num_processes", 2)
    assert accelerate.state.AcceleratorState().num_processes == 2
    with watch(optimizer, expect=scheduler) as w:
        loop(accelerator, model, optimizer, scheduler, batches[:4])
    assert [r.lrs[0] for r in w.history] == pytest.approx([0.01, 0.005, 0.0025, 0.00125])
