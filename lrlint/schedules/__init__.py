"""The exact LR curve of every PyTorch (and Hugging Face) schedule, in pure Python.

>>> s = build("StepLR", 0.1, step_size=2, gamma=0.5)
>>> s.values(5)
[0.1, 0.1, 0.05, 0.05, 0.025]

Importing this package never imports torch. See :func:`build` and :class:`Schedule`.
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
    Param,
    optimizer_position,
    signature,
)

__all__ = [
    "REQUIRED",
    "SCHEDULE_NAMES",
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
