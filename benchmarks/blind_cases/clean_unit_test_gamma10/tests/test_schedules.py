import pytest
import torch

from mylib.schedules import build_scheduler


def make_optimizer(lr):
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=lr)


def test_exponential_multiplies_by_gamma_each_step():
    lr, gamma = 0.01, 10.0  # a large gamma makes every step visible
    optimizer = make_optimizer(lr)
    scheduler = build_scheduler(optimizer, "exponential", gamma=gamma)
    for n in range(1, 3):
        optimizer.step()
        scheduler.step()
        assert optimizer.param_groups[0]["lr"] == pytest.approx(lr * gamma**n)


def test_lambda_scales_the_initial_lr():
    optimizer = make_optimizer(2.0)
    scheduler = build_scheduler(optimizer, "lambda", lr_lambda=lambda step: 0.1)
    assert scheduler.get_last_lr() == [pytest.approx(0.2)]


def test_unknown_name_raises():
    with pytest.raises(KeyError):
        build_scheduler(make_optimizer(0.1), "nope")
