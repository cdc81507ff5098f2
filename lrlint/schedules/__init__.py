"""The exact LR curve of every PyTorch (and Hugging Face) schedule, in pure Python.

>>> s = build("StepLR", 0.1, step_size=2, gamma=0.5)
>>> s.values(5)
[0.1, 0.1, 0.05, 0.05, 0.025]

timm's schedulers are named ``"timm.CosineLRScheduler"`` etc. (``TIMM_NAMES``); their
curve depends on how the loop drives them (``step(epoch)`` or ``step_update(n)``):

>>> s = build("timm.StepLRScheduler", 0.1, decay_t=2, decay_rate=0.5)
>>> s.values_by_epoch(5)
[0.1, 0.1, 0.05, 0.05, 0.025]
>>> s.values_by_update(3)  # t_in_epochs=True: step_update never moves it
[0.1, 0.1, 0.1]

Importing this package never imports torch. See :func:`build`, :class:`Schedule` and
:mod:`lrlint.schedules.timm_schedule`.
"""

from lrlint.schedules.calculators import (
    StepDecayPlan,
    exp_lr_equivalent,
    exp_lr_initial_momentum,
    exp_lr_schedule,
    no_weight_decay_equivalent,
    no_weight_decay_schedule,
    step_decay_to,
    texp_schedule,
)
from lrlint.schedules.errors import ScheduleError
from lrlint.schedules.schedule import Schedule, build
from lrlint.schedules.signatures import (
    REQUIRED,
    SCHEDULE_NAMES,
    TIMM_NAMES,
    Param,
    optimizer_position,
    signature,
)
from lrlint.schedules.timm_mirror import NoiseNotModelled

__all__ = [
    "REQUIRED",
    "SCHEDULE_NAMES",
    "TIMM_NAMES",
    "NoiseNotModelled",
    "Param",
    "Schedule",
    "ScheduleError",
    "StepDecayPlan",
    "build",
    "exp_lr_equivalent",
    "exp_lr_initial_momentum",
    "exp_lr_schedule",
    "no_weight_decay_equivalent",
    "no_weight_decay_schedule",
    "optimizer_position",
    "signature",
    "step_decay_to",
    "texp_schedule",
]
