"""pytest plugin (``pytest11`` entry point): the ``lr_watch`` fixture.

pytest imports this module in every run of every project where lrlint is installed, so it must
not import torch: the fixture imports the watch only when a test asks for it.

The watches a test started are closed right after the test body, inside its call phase: a
diverged LR fails the test itself (with the diagnosis as a short report), not its teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lrlint.runtime.errors import LRScheduleError

_STARTED = pytest.StashKey[list]()


def _close(watches: list[Any]) -> list[LRScheduleError]:
    errors: list[LRScheduleError] = []
    while watches:
        try:
            watches.pop(0).close()
        except LRScheduleError as error:
            errors.append(error)
    return errors


def _report(errors: list[LRScheduleError]) -> str:
    return "\n\n".join(str(error) for error in errors)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    outcome = yield
    watches = item.stash.get(_STARTED, None)
    if not watches:
        return
    errors = _close(watches)
    if not errors:
        return
    if outcome.excinfo is not None:
        # The test failed on its own: keep its failure, and add what the watch found.
        failure = outcome.excinfo[1]
        if hasattr(failure, "add_note"):
            failure.add_note(_report(errors))
        return
    outcome.force_exception(pytest.fail.Exception(_report(errors), pytrace=False))


@pytest.fixture
def lr_watch(request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """``watch`` bound to the test: every watch it starts is closed, and checked, when the test
    body ends; a divergence fails the test.

    def test_smoke(lr_watch):
        model, optimizer, scheduler = build()
        lr_watch(optimizer, expect=scheduler)
        train(model, optimizer, scheduler, steps=20)
    """
    from lrlint.runtime import import_watcher

    watch = import_watcher().watch
    started: list[Any] = []
    request.node.stash[_STARTED] = started

    def bound_watch(*args: Any, **kwargs: Any) -> Any:
        w = watch(*args, **kwargs)
        started.append(w)
        return w

    yield bound_watch

    # Watches left open (the test body never finished its call phase): checked here.
    errors = _close(started)
    if errors:
        raise errors[0]
