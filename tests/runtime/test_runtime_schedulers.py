"""Every torch scheduler class as ``expect=``: a correct loop passes, and the declared schedule is
rebuilt from the scheduler's constructor arguments, not read from the running object."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from torch.optim import lr_scheduler as S

from lrlint.runtime import LRScheduleError, watch
from lrlint.runtime.errors import CAUSE_DIFFERS, KIND_SCHEDULE
from lrlint.runtime.scheduler_args import (
    UnsupportedSchedulerError,
    distinct_curves,
    scheduler_spec,
)

STEPS = 40

SCHEDULERS = {
    "LambdaLR": lambda o: S.LambdaLR(o, lambda e: 0.95**e),
    "MultiplicativeLR": lambda o: S.MultiplicativeLR(o, lambda e: 0.97),
    "StepLR": lambda o: S.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda o: S.MultiStepLR(o, milestones=[5, 5, 20], gamma=0.3),
    "ConstantLR": lambda o: S.ConstantLR(o, factor=0.25, total_iters=10),
    "LinearLR": lambda o: S.LinearLR(o, start_factor=0.5, total_iters=20),
    "ExponentialLR": lambda o: S.ExponentialLR(o, gamma=0.97),
    "PolynomialLR": lambda o: S.PolynomialLR(o, total_iters=30, power=2.0),
    "CosineAnnealingLR": lambda o: S.CosineAnnealingLR(o, T_max=25, eta_min=0.001),
    "CosineAnnealingWarmRestarts": lambda o: S.CosineAnnealingWarmRestarts(o, 7, 2, 0.001),
    "CyclicLR": lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=5, step_size_down=7),
    "OneCycleLR": lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=STEPS + 1),
    "SequentialLR": lambda o: S.SequentialLR(
        o, [S.LinearLR(o, 0.1, total_iters=5), S.CosineAnnealingLR(o, 30)], milestones=[5]
    ),
    "ChainedScheduler": lambda o: S.ChainedScheduler(
        [S.ConstantLR(o, 0.5, total_iters=10), S.ExponentialLR(o, 0.95)]
    ),
    "ReduceLROnPlateau": lambda o: S.ReduceLROnPlateau(o, patience=2, factor=0.5),
}


def test_every_torch_scheduler_class_is_covered():
    classes = {
        name
        for name, value in vars(S).items()
        if isinstance(value, type)
        and issubclass(value, S.LRScheduler)
        and value not in (S.LRScheduler, S._LRScheduler)
    }
    assert classes <= set(SCHEDULERS), classes - set(SCHEDULERS)


def _optimizer(model, tensor_lr: bool, two_groups: bool):
    lr = torch.tensor(0.1) if tensor_lr else 0.1
    if not two_groups:
        return torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    head_lr = torch.tensor(0.02) if tensor_lr else 0.02
    body, head = list(model[0].parameters()), list(model[2].parameters())
    return torch.optim.SGD([{"params": body}, {"params": head, "lr": head_lr}], lr=lr, momentum=0.9)


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
@pytest.mark.parametrize(
    "tensor_lr,two_groups",
    [(False, False), (False, True), (True, True)],
    ids=["float", "groups", "tensor"],
)
def test_correct_loop_passes(regression, name, tensor_lr, two_groups):
    model, inputs, targets = regression()
    optimizer = _optimizer(model, tensor_lr, two_groups)
    scheduler = SCHEDULERS[name](optimizer)
    # A plateau scheduler needs a metric that stalls, so that it really reduces the LR.
    metrics = [1.0 / (1 + i) if i < 10 else 0.1 for i in range(STEPS)]
    with watch(optimizer, expect=scheduler) as w:
        for step in range(STEPS):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(inputs), targets).backward()
            optimizer.step()
            if name == "ReduceLROnPlateau":
                scheduler.step(metrics[step])
            else:
                scheduler.step()
    history = w.history
    assert [record.step for record in history] == list(range(STEPS))
    assert len(history[0].lrs) == (2 if two_groups else 1)
    first_group = [record.lrs[0] for record in history]
    assert len(set(first_group)) > 1, "the schedule should move the LR"


def test_a_scheduler_changed_mid_run_diverges_from_its_declared_arguments(regression):
    # The declared schedule is read when the watch starts; a later change to the scheduler
    # object (a callback, a bad resume) makes the run diverge from it.
    model, inputs, targets = regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = S.StepLR(optimizer, step_size=5, gamma=0.5)
    with pytest.raises(LRScheduleError) as caught, watch(optimizer, expect=scheduler):
        for step in range(20):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(inputs), targets).backward()
            optimizer.step()
            scheduler.step()
            if step == 7:
                scheduler.gamma = 0.1
    first = caught.value.divergences[0]
    assert (first.kind, first.step, first.cause) == (KIND_SCHEDULE, 10, CAUSE_DIFFERS)
    assert first.expected == pytest.approx(0.025)
    assert first.got == pytest.approx(0.005)


def test_a_watch_started_mid_run_continues_the_schedule(regression):
    model, inputs, targets = regression()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = S.MultiStepLR(optimizer, milestones=[3, 8], gamma=0.1)
    for _ in range(5):
        optimizer.step()
        scheduler.step()
    with watch(optimizer, expect=scheduler) as w:
        for _ in range(6):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(inputs), targets).backward()
            optimizer.step()
            scheduler.step()
    assert [r.lrs[0] for r in w.history] == pytest.approx([0.01] * 3 + [0.001] * 3)


def test_constructor_arguments_are_read_back():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
    spec = scheduler_spec(S.MultiStepLR(optimizer, milestones=[9, 3, 3], gamma=0.5))
    assert spec.kwargs == {"milestones": [3, 3, 9], "gamma": 0.5}
    spec = scheduler_spec(S.CyclicLR(optimizer, 0.01, 0.1, step_size_up=3, step_size_down=8))
    assert (spec.kwargs["step_size_up"], spec.kwargs["step_size_down"]) == (3, 8)
    one_cycle = S.OneCycleLR(optimizer, max_lr=1.0, total_steps=1000, pct_start=0.3)
    pct = scheduler_spec(one_cycle).kwargs["pct_start"]
    assert float(pct * 1000) - 1 == one_cycle._schedule_phases[0]["end_step"]


def test_an_unknown_scheduler_class_is_refused_by_name():
    class Warmup(S.LRScheduler):
        def get_lr(self):
            return [0.1 * min(1.0, (self.last_epoch + 1) / 10) for _ in self.base_lrs]

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.raises(UnsupportedSchedulerError, match="Warmup"):
        watch(optimizer, expect=Warmup(optimizer))


def test_a_subclass_that_keeps_the_lr_rule_is_accepted():
    class NamedStepLR(S.StepLR):
        pass

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    assert scheduler_spec(NamedStepLR(optimizer, step_size=2)).name == "StepLR"


def test_groups_sharing_a_configuration_share_one_declared_curve(regression):
    model, inputs, targets = regression()
    (w1, b1), (w2, b2) = model[0].parameters(), model[2].parameters()
    optimizer = torch.optim.SGD(
        [
            {"params": [w1, w2]},
            {"params": [b1, b2], "weight_decay": 0.0},  # a no-decay group: same LR, same curve
            {"params": [], "lr": 0.01},
        ],
        lr=0.1,
        weight_decay=1e-4,
    )
    decay, hold = (lambda e: 0.9**e), (lambda e: 1.0)
    scheduler = S.LambdaLR(optimizer, [decay, decay, decay])
    spec, curves = distinct_curves(scheduler_spec(scheduler), 3)
    assert curves == [0, 0, 1] and spec.base_lr == [0.1, 0.01]
    same_lr = torch.optim.SGD(
        [{"params": [torch.nn.Parameter(torch.zeros(1))]} for _ in range(2)], lr=0.1
    )
    other_lambdas = S.LambdaLR(same_lr, [decay, hold])
    assert distinct_curves(scheduler_spec(other_lambdas), 2)[1] == [0, 1]
    with watch(optimizer, expect=scheduler) as w:
        for _ in range(5):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(inputs), targets).backward()
            optimizer.step()
            scheduler.step()
    assert w.history[-1].lrs == pytest.approx((0.1 * 0.9**4, 0.1 * 0.9**4, 0.01 * 0.9**4))
