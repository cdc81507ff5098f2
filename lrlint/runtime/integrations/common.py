"""What the framework callbacks share: start watches that never stop the run from starting, and
close them when training ends (raise, or warn)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from lrlint.runtime.errors import LRScheduleError, LRWatchWarning


def start_watch(optimizer: Any, scheduler: Any, options: dict[str, Any]) -> Any:
    """``watch(optimizer, expect=scheduler)``; when the scheduler's schedule cannot be declared
    (a custom class), a watch of the scheduler's order alone; when no watch can be made, a
    warning and None: the training run starts either way."""
    from lrlint.runtime.scheduler_args import UnsupportedSchedulerError
    from lrlint.runtime.watcher import watch

    try:
        if scheduler is None:
            return watch(optimizer, **options)
        try:
            return watch(optimizer, expect=scheduler, **options)
        except UnsupportedSchedulerError as error:
            warnings.warn(
                f"lrlint checks the order of the scheduler's steps only: {error}",
                LRWatchWarning,
                stacklevel=3,
            )
            return watch(optimizer, scheduler=scheduler, **options)
    except Exception as error:  # noqa: BLE001 - a watch must never stop a run from starting
        warnings.warn(f"lrlint could not watch this run: {error}", LRWatchWarning, stacklevel=3)
        return None


def finish(watches: Sequence[Any], raise_on_error: bool) -> LRScheduleError | None:
    """Close ``watches``; the first error is raised, or warned about, and returned."""
    errors: list[LRScheduleError] = []
    for w in watches:
        try:
            w.close()
        except LRScheduleError as error:
            errors.append(error)
    if not errors:
        return None
    if raise_on_error:
        raise errors[0]
    warnings.warn(str(errors[0]), LRWatchWarning, stacklevel=3)
    return errors[0]


def abandon(watches: Sequence[Any]) -> None:
    """The run failed: detach without checking (its own exception says what went wrong)."""
    for w in watches:
        w._detach()


class WatchSession:
    """The watches of one training run, for a framework callback: ``start`` them when training
    starts, ``end`` when it ends (checked), ``abandon`` when it failed (not checked)."""

    def __init__(self, raise_on_error: bool, watch_options: dict[str, Any]) -> None:
        self.raise_on_error = raise_on_error
        self.watch_options = watch_options
        self.watches: list[Any] = []  # those of the latest run, open or closed
        self.error: LRScheduleError | None = None
        self._open: list[Any] = []

    def start(self, pairs: Sequence[tuple[Any, Any, dict[str, Any]]]) -> None:
        """One watch per ``(optimizer, scheduler or None, extra options)``."""
        self.abandon()  # a previous run that ended in an exception
        self.error = None
        started = [
            start_watch(optimizer, scheduler, {**self.watch_options, **extra})
            for optimizer, scheduler, extra in pairs
        ]
        self._open = [w for w in started if w is not None]
        self.watches = list(self._open)

    def end(self) -> None:
        watches, self._open = self._open, []
        self.error = finish(watches, self.raise_on_error)

    def abandon(self) -> None:
        watches, self._open = self._open, []
        abandon(watches)


class SessionCallback:
    """The part of a framework callback that does not depend on the framework: options, the
    session, and what a test reads after training (``watches``, ``error``)."""

    def __init__(self, raise_on_error: bool = True, **watch_options: Any) -> None:
        super().__init__()
        self.session = WatchSession(raise_on_error, watch_options)

    @property
    def watches(self) -> list[Any]:
        return self.session.watches

    @property
    def error(self) -> LRScheduleError | None:
        return self.session.error
