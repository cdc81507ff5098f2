"""The schedule a timm scheduler in the source declares (``model.schedule_of``): built from its
folded constructor arguments, or from a factory's through timm's own mapping, and checked
against timm itself where it is installed."""

from __future__ import annotations

import argparse
from textwrap import dedent

import libcst as cst
import pytest
from timm_reference import timm_scheduler

from lrlint.analysis.model import ModuleModel
from lrlint.analysis.timm import t_in_epochs

HEAD = """
    import argparse
    import torch
    from timm.scheduler import (CosineLRScheduler, StepLRScheduler, create_scheduler,
                                create_scheduler_v2)

    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
"""


def declared(body: str):
    model = ModuleModel(cst.parse_module(dedent(HEAD) + dedent(body)))
    [scheduler] = [s for s in model.schedulers if s.family == "timm"]
    return model, scheduler, model.schedule_of(scheduler)


def test_class_with_folded_arguments_and_warmup():
    _, _, result = declared("""
    WARMUP = 4
    scheduler = CosineLRScheduler(optimizer, t_initial=10, warmup_t=WARMUP, warmup_lr_init=0.02)
    """)
    assert result.ok, result.reason
    schedule = result.schedule
    assert schedule.name == "timm.CosineLRScheduler" and schedule.t_in_epochs
    # Linear warm-up from warmup_lr_init over 4 epochs (timm's train.py: step(epoch + 1)).
    assert schedule.values_by_epoch(4) == pytest.approx([0.02, 0.04, 0.06, 0.08])
    # Stepped only per update, an epoch schedule stays at warmup_lr_init.
    assert schedule.values_by_update(50) == [0.02] * 50


def test_factory_in_updates_multiplies_lengths_by_updates_per_epoch():
    model, scheduler, result = declared("""
    scheduler, num_epochs = create_scheduler_v2(
        optimizer, sched="cosine", num_epochs=3, warmup_epochs=1, warmup_lr=0.0,
        step_on_epochs=False, updates_per_epoch=4)
    """)
    assert result.ok, result.reason
    assert t_in_epochs(model, scheduler) is False
    resolved = result.schedule.resolved()
    assert resolved.name == "timm.CosineLRScheduler"
    assert resolved.arguments["t_initial"] == 12 and resolved.arguments["warmup_t"] == 4
    assert result.schedule.num_epochs == 3
    assert result.schedule.values_by_update(4) == pytest.approx([0.0, 0.025, 0.05, 0.075])


def test_create_scheduler_reads_argparse_defaults_and_timm_defaults_for_absent_options():
    model, scheduler, result = declared("""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sched", default="step")
    parser.add_argument("--epochs", type=int, default=90)
    parser.add_argument("--decay-epochs", type=float, default=30)
    parser.add_argument("--warmup-epochs", type=int, default=0)
    args = parser.parse_args()
    lr_scheduler, _ = create_scheduler(args, optimizer)
    """)
    assert result.ok, result.reason
    # No --sched-on-updates anywhere: timm's getattr default, step_on_epochs=True.
    assert t_in_epochs(model, scheduler) is True
    values = result.schedule.values_by_epoch(91)
    # decay_rate is absent too: timm's default 0.1 every 30 epochs.
    assert values[29] == pytest.approx(0.1) and values[30] == pytest.approx(0.01)
    assert values[90] == pytest.approx(1e-4)


def test_create_scheduler_option_that_is_not_a_constant_is_named():
    model, scheduler, result = declared("""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sched", default="cosine")
    parser.add_argument("--sched-on-updates", default=compute())
    args = parser.parse_args()
    lr_scheduler, _ = create_scheduler(args, optimizer)
    """)
    assert not result.ok
    assert "sched_on_updates" in result.reason
    assert t_in_epochs(model, scheduler) is not True and t_in_epochs(model, scheduler) is not False


def test_an_argument_that_does_not_fold_is_the_reason():
    _, _, result = declared("""
    scheduler = CosineLRScheduler(optimizer, t_initial=len(loader) * 10)
    """)
    assert not result.ok and "`t_initial` is not a constant" in result.reason


def test_what_timm_refuses_is_a_reason_not_a_crash():
    _, _, result = declared("""
    scheduler, _ = create_scheduler_v2(optimizer, sched="cosine", step_on_epochs=False)
    """)
    assert not result.ok and result.error is None
    assert result.reason == ("timm would raise AssertionError: updates_per_epoch must be set to "
                             "number of dataloader batches")


def test_a_project_subclass_is_not_modelled():
    _, _, result = declared("""
    from timm.scheduler.scheduler import Scheduler

    class Linear(Scheduler):
        def _get_lr(self, t):
            return [0.1]

    scheduler = Linear(optimizer, "lr")
    """)
    assert not result.ok and "custom scheduler class" in result.reason


STEP = ("scheduler = StepLRScheduler(optimizer, decay_t=3, decay_rate=0.5, warmup_t=2, "
        "warmup_lr_init=0.01)")
COSINE_UPDATES = ("scheduler = CosineLRScheduler(optimizer, t_initial=40, lr_min=1e-3, "
                  "warmup_t=5, warmup_lr_init=1e-4, t_in_epochs=False)")
MULTISTEP_FACTORY = ("scheduler, _ = create_scheduler_v2(optimizer, sched='multistep', "
                     "num_epochs=8, decay_milestones=[3, 6], decay_rate=0.2, warmup_epochs=1, "
                     "step_on_epochs=False, updates_per_epoch=5)")


@pytest.mark.parametrize(("body", "drive"), [(STEP, "epoch"), (COSINE_UPDATES, "update"),
                                             (MULTISTEP_FACTORY, "update")])
def test_declared_curves_match_timm(body, drive):
    """The declared schedule, driven as timm's train.py drives it, against timm itself."""
    torch = pytest.importorskip("torch")
    timm = timm_scheduler()
    _, scheduler, result = declared(body)
    assert result.ok, result.reason
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
    kwargs = {name: eval(cst.Module([]).code_for_node(expr))  # literals only in these cases
              for name, expr in scheduler.args.items() if name != "optimizer"}
    made = getattr(timm, scheduler.short)(optimizer=optimizer, **kwargs)
    real = made[0] if isinstance(made, tuple) else made
    lrs = []
    for k in range(40):
        lrs.append(optimizer.param_groups[0]["lr"])
        if drive == "epoch":
            real.step(k + 1)
        else:
            real.step_update(k + 1)
    schedule = result.schedule
    ours = schedule.values_by_epoch(40) if drive == "epoch" else schedule.values_by_update(40)
    assert ours == lrs


def test_argparse_namespace_is_what_timm_reads():
    """create_scheduler(args) on timm itself, with the options the source declares."""
    torch = pytest.importorskip("torch")
    timm = timm_scheduler()
    _, _, result = declared("""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sched", default="cosine")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--warmup-epochs", type=int, default=3)
    parser.add_argument("--min-lr", type=float, default=1e-5)
    args = parser.parse_args()
    lr_scheduler, _ = create_scheduler(args, optimizer)
    """)
    args = argparse.Namespace(sched="cosine", epochs=20, warmup_epochs=3, min_lr=1e-5)
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
    real, num_epochs = timm.create_scheduler(args, optimizer)
    lrs = []
    for epoch in range(num_epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        real.step(epoch + 1)
    assert result.schedule.num_epochs == num_epochs
    assert result.schedule.values_by_epoch(num_epochs) == lrs
