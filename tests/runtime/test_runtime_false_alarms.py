"""Correct loops that raised false alarms: explicit CosineAnnealingWarmRestarts epochs, per-epoch
schedulers without ``unit=``, and the probe on optimizers whose update does not scale with the LR."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from torch.optim import lr_scheduler as S

from lrlint.runtime import LRScheduleError, LRWatchWarning, watch
from lrlint.runtime.errors import KIND_SCHEDULER_STEP


def regression_loop(regression, optimizer_factory):
    model, inputs, targets = regression()
    optimizer = optimizer_factory(model.parameters())

    def iteration():
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(inputs), targets).backward()
        optimizer.step()

    return optimizer, iteration


# -- CosineAnnealingWarmRestarts.step(epoch + i / iters) --------------------------------------


@pytest.mark.parametrize("t_mult", [1, 2])
def test_warm_restarts_stepped_with_fractional_epochs_pass(regression, t_mult):
    optimizer, iteration = regression_loop(regression, lambda p: torch.optim.SGD(p, lr=0.1))
    scheduler = S.CosineAnnealingWarmRestarts(optimizer, T_0=2, T_mult=t_mult, eta_min=0.001)
    iters = 5
    with watch(optimizer, expect=scheduler) as w:
        for epoch in range(7):
            for i in range(iters):
                iteration()
                scheduler.step(epoch + i / iters)  # torch's documented usage
    assert w.optimizer_steps == 35
    assert len({round(r.lrs[0], 9) for r in w.history}) >= 10  # the cosine really moved


def test_warm_restarts_with_fractional_epochs_still_catch_an_outside_write(regression):
    optimizer, iteration = regression_loop(regression, lambda p: torch.optim.SGD(p, lr=0.1))
    scheduler = S.CosineAnnealingWarmRestarts(optimizer, T_0=2)
    with pytest.raises(LRScheduleError), watch(optimizer, expect=scheduler):
        for epoch in range(3):
            for i in range(4):
                iteration()
                scheduler.step(epoch + i / 4)
                if epoch == 2 and i == 1:
                    optimizer.param_groups[0]["lr"] = 1.0


def test_warm_restarts_mixing_plain_and_explicit_steps_pass(regression):
    # torch's second documented usage: step(), then step(26), then step() again.
    optimizer, iteration = regression_loop(regression, lambda p: torch.optim.SGD(p, lr=0.1))
    scheduler = S.CosineAnnealingWarmRestarts(optimizer, T_0=10, T_mult=2)
    with watch(optimizer, expect=scheduler):
        for _ in range(5):
            iteration()
            scheduler.step()
        iteration()
        scheduler.step(26)
        for _ in range(5):
            iteration()
            scheduler.step()


# -- cadence: inferred from what runs; unit= asserts ------------------------------------------


def test_a_per_epoch_scheduler_without_unit_passes(regression):
    optimizer, iteration = regression_loop(regression, lambda p: torch.optim.SGD(p, lr=0.1))
    scheduler = S.StepLR(optimizer, step_size=2, gamma=0.5)
    with watch(optimizer, expect=scheduler) as w:
        for _epoch in range(5):
            for _ in range(6):
                iteration()
            scheduler.step()
    assert w.cadence == 6
    assert [r.lrs[0] for r in w.history][::6] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])


def test_a_plateau_scheduler_stepped_per_epoch_without_unit_passes(regression):
    optimizer, iteration = regression_loop(regression, lambda p: torch.optim.SGD(p, lr=0.1))
    scheduler = S.ReduceLROnPlateau(optimizer, patience=0, factor=0.5)
    with watch(optimizer, expect=scheduler) as w:
        for epoch in range(5):
            for _ in range(4):
                iteration()
            scheduler.step(1.0)  # a metric that never improves
    # the first step sets the best metric; each later one halves the LR for the next epoch
    assert [r.lrs[0] for r in w.history][::4] == pytest.approx([0.1, 0.1, 0.05, 0.025, 0.0125])


def test_a_per_epoch_scheduler_with_unit_step_is_reported(regression):
    optimizer, iteration = regression_loop(regression, lambda p: torch.optim.SGD(p, lr=0.1))
    scheduler = S.StepLR(optimizer, step_size=2, gamma=0.5)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=scheduler, unit="step"):
        for _epoch in range(3):
            for _ in range(4):
                iteration()
            scheduler.step()
    cadence = [d for d in caught.value.divergences if d.kind == KIND_SCHEDULER_STEP]
    assert cadence and "every 4 optimizer steps" in cadence[0].cause


def test_a_per_step_scheduler_with_unit_epoch_is_reported(regression):
    optimizer, iteration = regression_loop(regression, lambda p: torch.optim.SGD(p, lr=0.1))
    scheduler = S.StepLR(optimizer, step_size=2, gamma=0.5)
    options = {"unit": "epoch", "steps_per_epoch": 4}
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=scheduler, **options):
        for _ in range(8):
            iteration()
            scheduler.step()
    assert "every optimizer step" in str(caught.value)


def test_a_per_step_scheduler_infers_per_step(regression):
    optimizer, iteration = regression_loop(regression, lambda p: torch.optim.SGD(p, lr=0.1))
    scheduler = S.ExponentialLR(optimizer, gamma=0.9)
    with watch(optimizer, expect=scheduler) as w:
        for _ in range(5):
            iteration()
            scheduler.step()
    assert w.cadence == 1


# -- the probe: each torch optimizer's dependence on the LR -----------------------------------


@pytest.mark.parametrize(
    "make,reason",
    [
        (lambda p: torch.optim.Rprop(p, lr=0.01), "Rprop"),
        (lambda p: torch.optim.ASGD(p, lr=0.01), "ASGD"),
    ],
    ids=["Rprop", "ASGD"],
)
def test_the_probe_skips_optimizers_whose_update_does_not_scale_with_the_lr(
    regression, make, reason
):
    optimizer, iteration = regression_loop(regression, make)
    with pytest.warns(LRWatchWarning, match=reason):
        w = watch(optimizer, probe_every=1)
    with w:
        for _ in range(6):
            iteration()
    assert reason in w.probe_skipped
    assert w._probe is None


@pytest.mark.parametrize(
    "make",
    [
        lambda p: torch.optim.Adamax(p, lr=1e-2),
        lambda p: torch.optim.NAdam(p, lr=1e-2),
        lambda p: torch.optim.RAdam(p, lr=1e-2),
        lambda p: torch.optim.RAdam(p, lr=1e-2, decoupled_weight_decay=True, weight_decay=0.1),
        lambda p: torch.optim.Adadelta(p, lr=1.0),
        lambda p: torch.optim.Adafactor(p, lr=1e-2),
    ],
    ids=["Adamax", "NAdam", "RAdam", "RAdam-decoupled", "Adadelta", "Adafactor"],
)
def test_the_probe_is_quiet_on_the_other_torch_optimizers(regression, make):
    optimizer, iteration = regression_loop(regression, make)
    with watch(optimizer, probe_every=1) as w:
        for _ in range(6):
            iteration()
    judged = [r for r in w._probe.results if r.ratio is not None]
    assert judged and all(r.ratio == pytest.approx(-0.5, rel=1e-3) for r in judged)


def test_adafactor_is_judged_only_while_its_lr_bounds_the_relative_step(regression):
    # rho_t = min(lr, 1/sqrt(t)): at lr=0.5 the LR stops mattering from step 5 on.
    optimizer, iteration = regression_loop(regression, lambda p: torch.optim.Adafactor(p, lr=0.5))
    with watch(optimizer, probe_every=1) as w:
        for _ in range(8):
            iteration()
    assert [r.step for r in w._probe.results] == [0, 1, 2, 3]


def test_a_loop_passing_the_probe_reports_nothing(regression):
    optimizer, iteration = regression_loop(regression, lambda p: torch.optim.SGD(p, lr=0.1))
    with watch(optimizer, probe_every=2) as w:
        for _ in range(4):
            iteration()
    assert [r.step for r in w._probe.results] == [0, 2]
