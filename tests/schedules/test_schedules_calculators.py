"""The seeds' calculators: step decay to a target LR, and the ExpLR growth factor."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlint.schedules import (
    build,
    exp_lr_equivalent,
    exp_lr_initial_momentum,
    exp_lr_schedule,
    no_weight_decay_equivalent,
    step_decay_to,
    texp_schedule,
)


def decays_by_last_step(step_size: int, total_steps: int) -> int:
    """How often StepLR has decayed when the last of total_steps steps runs."""
    return (total_steps - 1) // step_size


@settings(max_examples=200, deadline=None)
@given(
    initial=st.floats(1e-5, 10.0),
    final=st.floats(1e-7, 10.0),
    total_steps=st.integers(2, 5000),
    data=st.data(),
)
def test_the_last_step_runs_at_the_final_lr(
    initial: float, final: float, total_steps: int, data: st.DataObject
) -> None:
    n_decays = data.draw(st.integers(1, total_steps - 1))
    plan = step_decay_to(initial, final, total_steps, n_decays)
    multi = plan.multi_step_lr().values(total_steps)
    assert math.isclose(multi[-1], final, rel_tol=1e-9)
    assert len(set(plan.milestones)) == n_decays and max(plan.milestones) < total_steps
    valid_periods = [
        s for s in range(1, total_steps) if decays_by_last_step(s, total_steps) == n_decays
    ]
    if plan.step_size is None:
        assert valid_periods == []
        step_size, decays, gamma = plan.nearest_step_lr
        assert decays_by_last_step(step_size, total_steps) == decays
        nearest = build("StepLR", initial, step_size=step_size, gamma=gamma).values(total_steps)
        assert math.isclose(nearest[-1], final, rel_tol=1e-9)
    else:
        assert plan.step_size in valid_periods
        steps = plan.step_lr().values(total_steps)
        assert math.isclose(steps[-1], final, rel_tol=1e-9)
        assert steps == multi  # StepLR and the milestones describe the same curve


def test_the_articles_numbers_miss_the_target_and_ours_hit_it() -> None:
    """Seed 003: M = 10**6 steps, m = 10**4 updates, 0.1 -> 0.0001."""
    total, updates, initial, final = 10**6, 10**4, 0.1, 0.0001
    step_size = total // updates  # the article's n = M / m = 100
    gamma = (final / initial) ** (1 / updates)
    articles = [
        build("StepLR", initial, step_size=step_size, gamma=gamma),
        build(
            "MultiStepLR", initial, milestones=list(range(step_size, total, step_size)), gamma=gamma
        ),
        build("ExponentialLR", initial, gamma=(final / initial) ** (1 / total)),
    ]
    for schedule in articles:
        last = schedule.values(total)[-1]
        assert not math.isclose(last, final, rel_tol=1e-6), (schedule.name, last)
    # StepLR(100) and those milestones decay 9,999 times by step 999,999: 0.1% too high.
    assert articles[0].values(total)[-1] == pytest.approx(final * gamma**-1, rel=1e-9)

    plan = step_decay_to(initial, final, total, updates)
    assert plan.step_size is None  # 100 decays 9,999 times, 99 decays 10,101 times
    assert plan.multi_step_lr().values(total)[-1] == pytest.approx(final, rel=1e-9)
    assert plan.nearest_step_lr[:2] == (100, 9_999)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ((0.1, 0.001, 100, 100), ValueError),
        ((0.1, 0.001, 100, 0), ValueError),
        ((0.1, 0.001, 1, 1), ValueError),
        ((-0.1, 0.001, 100, 3), ValueError),
        ((0.1, 0.0, 100, 3), ValueError),
        ((0.1, math.inf, 100, 3), ValueError),
        ((0.1, math.nan, 100, 3), ValueError),
        (("0.1", 0.001, 100, 3), TypeError),
        ((0.1, 0.001, 100.0, 3), TypeError),
        ((0.1, 0.001, 100, True), TypeError),
    ],
)
def test_impossible_plans_raise(args: tuple[object, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        step_decay_to(*args)  # type: ignore[arg-type]


def test_the_blogs_growth_constant() -> None:
    """Seed 004: lr 0.1, momentum 0.9, wd 5e-4 on CIFAR-10 (391 steps per epoch): 1.481."""
    per_epoch = exp_lr_equivalent(0.1, 5e-4, 0.9) ** 391
    assert round(per_epoch, 3) == 1.481


@settings(max_examples=200, deadline=None)
@given(lr=st.floats(1e-4, 1.0), momentum=st.floats(0.0, 0.99), share=st.floats(0.0, 0.999))
def test_alpha_is_the_larger_root(lr: float, momentum: float, share: float) -> None:
    # Real roots need wd * lr <= (1 - sqrt(momentum))**2: take a share of that bound.
    wd = share * (1 - math.sqrt(momentum)) ** 2 / lr
    growth = exp_lr_equivalent(lr, wd, momentum)
    alpha = growth**-0.5
    b = 1 + momentum - wd * lr
    assert alpha**2 - b * alpha + momentum == pytest.approx(0.0, abs=1e-12)
    assert alpha >= b / 2  # the larger root
    if momentum == 0:
        assert growth == (1 - wd * lr) ** -2
    values = exp_lr_schedule(lr, wd, momentum).values(30)
    assert values == pytest.approx([lr * alpha ** (-2 * t - 1) for t in range(30)], rel=1e-9)
    buffer_scale = exp_lr_initial_momentum(lr, wd, momentum)
    assert buffer_scale == pytest.approx((alpha - 1) / (alpha * lr), rel=1e-9)


@pytest.mark.parametrize(
    ("lr", "wd", "momentum"),
    [(0.1, 0.05, 0.9), (0.1, 20.0, 0.0), (0.0, 0.1, 0.9), (0.1, -0.1, 0.9), (0.1, 0.1, 1.0)],
)
def test_no_exponential_equivalent_raises(lr: float, wd: float, momentum: float) -> None:
    with pytest.raises(ValueError):
        exp_lr_equivalent(lr, wd, momentum)


def test_exact_recursion_tends_to_the_paper_growth() -> None:
    lr, wd, momentum = 0.1, 0.02, 0.9
    exact = no_weight_decay_equivalent([lr] * 400, wd, momentum)
    assert exact[-1] / exact[-2] == pytest.approx(exp_lr_equivalent(lr, wd, momentum), rel=1e-9)
    assert exact[1] / exact[0] != pytest.approx(exp_lr_equivalent(lr, wd, momentum), rel=1e-3)
    # Without momentum the recursion is the paper's schedule from the first step.
    plain = no_weight_decay_equivalent([lr] * 50, wd, 0.0)
    assert plain == pytest.approx(exp_lr_schedule(lr, wd).values(50), rel=1e-12)


def test_texp_tapers_the_growth_and_divides_at_each_phase() -> None:
    lr, wd, momentum = 0.1, 0.02, 0.9
    texp = texp_schedule(lr, wd, milestones=[300, 600], gamma=0.1, momentum=momentum).values(900)
    assert texp[299] / texp[298] == pytest.approx(exp_lr_equivalent(lr, wd, momentum), rel=1e-6)
    assert texp[599] / texp[598] == pytest.approx(
        exp_lr_equivalent(lr / 10, wd, momentum), rel=1e-6
    )
    assert texp[899] / texp[898] == pytest.approx(
        exp_lr_equivalent(lr / 100, wd, momentum), rel=1e-6
    )
    # Entering a phase divides by C = 10, up to the momentum transient.
    assert texp[300] / texp[299] == pytest.approx(0.1, rel=0.1)
    assert texp[600] / texp[599] == pytest.approx(0.1, rel=0.1)


def test_equivalent_needs_positive_lrs() -> None:
    with pytest.raises(ValueError):
        no_weight_decay_equivalent([0.1, 0.0, 0.1], 0.01, 0.9)
    with pytest.raises(ValueError, match="no positive rescaling"):
        no_weight_decay_equivalent([0.1] * 100, 0.05, 0.9)  # complex roots: oscillates
