"""The one exception type that is lrlint's own, not torch's."""

from __future__ import annotations


class ScheduleError(Exception):
    """A schedule lrlint cannot model (unknown name, resumed run, missing metrics, ...).

    Errors torch itself would raise are raised as torch raises them (``ValueError``,
    ``TypeError``, ``ZeroDivisionError``, ...), never as ``ScheduleError``.
    """


class ResumeNotModelled(ScheduleError):
    """A scheduler built with ``last_epoch != -1`` on an optimizer without ``initial_lr``.

    ``build`` lets it pass (the schedule may still be a child of a SequentialLR or
    ChainedScheduler whose earlier children set ``initial_lr``); evaluating it alone
    raises it.
    """
