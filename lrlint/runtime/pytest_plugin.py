"""pytest plugin (``pytest11`` entry point): the ``lr_watch`` fixture.

pytest imports this module in every run of every project where lrlint is installed, so it must
not import torch: the fixture imports the watch only when a test asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lrlint.runtime.errors import LRScheduleError


@pytest.fixture
def lr_watch() -> Iterator[Callable[..., Any]]:
    """``watch`` bound to the test: every watch it starts is closed, and checked, at teardown.

    def test_smoke(lr_watch):
        model, optimizer, scheduler = build()
        lr_watch(optimizer, expect=scheduler)
        train(model, optimizer, scheduler, steps=20)
    """
    from lrlint.runtime.watcher import watch

    started: list[Any] = []

    def bound_watch(*args: Any, **kwargs: Any) -> Any:
        w = watch(*args, **kwargs)
        started.append(w)
        return w

    yield bound_watch

    errors: list[LRScheduleError] = []
    for w in started:
        try:
            w.close()
        except LRScheduleError as error:
            errors.append(error)
    if errors:
        # One watch per test is the common case; with several, the first error speaks for them.
        raise errors[0]
