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


def test_a_failing_lr_watch_fails_its_test_with_a_short_report(pytester):
    pytester.makepyfile(test_smoke=SMOKE_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "ignore::UserWarning")
    result.assert_outcomes(passed=2, failed=1)  # a failure of the test, not an ERROR at teardown
    result.stdout.fnmatch_lines(
        [
            "*_ test_bad _*",
            "*learning rate diverged: scheduler stepped before optimizer*",
            "*fix:*",
            "*FAILED test_smoke.py::test_bad*",
        ]
    )
    assert "ERROR at teardown" not in result.stdout.str()
    # short: the report is the diagnosis, not a traceback through lrlint and pytest internals
    assert "pytest_plugin.py" not in result.stdout.str()


def test_a_test_that_fails_on_its_own_keeps_its_failure_and_gets_the_findings(pytester):
    pytester.makepyfile(
        test_both=SMOKE_TESTS.split("def test_good")[0]
        + """
def test_broken(lr_watch):
    model, optimizer, scheduler = make()
    lr_watch(optimizer, expect=scheduler)
    loop(model, optimizer, scheduler, scheduler_first=True)
    assert 1 == 2, "the test's own failure"
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "ignore::UserWarning")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*the test's own failure*", "*learning rate diverged*"])


def test_the_plugin_is_registered_through_the_entry_point(pytester):
    pytester.makepyfile(
        test_fixtures="def test_has_fixture(lr_watch):\n    assert callable(lr_watch)\n"
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
