"""The ``lr_watch`` fixture, run in throwaway pytest sessions (pytester)."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

pytest_plugins = ["pytester"]

SMOKE_TESTS = """
import torch
from torch.optim import lr_scheduler as S


def make():
    model = torch.nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = S.StepLR(optimizer, step_size=2, gamma=0.5)
    return model, optimizer, scheduler


def loop(model, optimizer, scheduler, scheduler_first):
    for _ in range(6):
        if scheduler_first:
            scheduler.step()
        optimizer.zero_grad()
        model(torch.randn(8, 4)).pow(2).mean().backward()
        optimizer.step()
        if not scheduler_first:
            scheduler.step()


def test_good(lr_watch):
    model, optimizer, scheduler = make()
    lr_watch(optimizer, expect=scheduler)
    loop(model, optimizer, scheduler, scheduler_first=False)


def test_bad(lr_watch):
    model, optimizer, scheduler = make()
    lr_watch(optimizer, expect=scheduler)
    loop(model, optimizer, scheduler, scheduler_first=True)


def test_bad_but_checked_inside(lr_watch):
    from lrlint.runtime import LRScheduleError
    import pytest

    model, optimizer, scheduler = make()
    w = lr_watch(optimizer, expect=scheduler)
    loop(model, optimizer, scheduler, scheduler_first=True)
    with pytest.raises(LRScheduleError):
        w.close()  # closed here: teardown has nothing left to report
"""


def test_lr_watch_checks_at_teardown(pytester):
    pytester.makepyfile(test_smoke=SMOKE_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "ignore::UserWarning")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_bad*",
            "*LRScheduleError*",
            "*scheduler stepped before optimizer*",
        ]
    )


def test_the_plugin_is_registered_through_the_entry_point(pytester):
    pytester.makepyfile(
        test_fixtures="def test_has_fixture(lr_watch):\n    assert callable(lr_watch)\n"
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
