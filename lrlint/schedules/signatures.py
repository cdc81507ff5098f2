"""Constructor signatures of the supported schedules, for binding arguments statically.

The static linter binds ``StepLR(opt, 30, 0.1)`` with :func:`signature`; the order,
names and defaults are read from the mirror constructors, which copy torch's,
transformers' and timm's exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from lrlint.schedules.errors import ScheduleError
from lrlint.schedules.hf_mirror import HF_FUNCTIONS
from lrlint.schedules.timm_factory import TIMM_CONSTRUCTORS
from lrlint.schedules.torch_mirror import TORCH_CLASSES


class _Required:
    """Sentinel: the parameter has no default. One instance, ``REQUIRED``."""

    def __repr__(self) -> str:
        return "REQUIRED"

    def __reduce__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


class Param(NamedTuple):
    """One constructor parameter: its name and default (``REQUIRED`` when none)."""

    name: str
    default: Any = REQUIRED

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


def _constructor(name: str) -> Callable[..., Any]:
    if name in TORCH_CLASSES:
        return TORCH_CLASSES[name].__init__
    if name in HF_FUNCTIONS:
        return HF_FUNCTIONS[name]
    if name in TIMM_CONSTRUCTORS:
        return TIMM_CONSTRUCTORS[name]
    raise ScheduleError(f"unknown schedule {name!r}; known: {known_names()}")


def known_names() -> str:
    return ", ".join(sorted(SCHEDULE_NAMES) + sorted(TIMM_NAMES))


def _all_params(name: str) -> tuple[Param, ...]:
    """Every positional-or-keyword parameter, optimizer included, in order."""
    function = _constructor(name)
    code = function.__code__
    names = code.co_varnames[: code.co_argcount]
    if names and names[0] == "self":
        names = names[1:]
    defaults = function.__defaults__ or ()
    first_default = len(names) - len(defaults)
    return tuple(
        Param(param, defaults[i - first_default] if i >= first_default else REQUIRED)
        for i, param in enumerate(names)
    )


# The names the static linter binds by a class's or function's own name: torch's, HF's.
SCHEDULE_NAMES: frozenset[str] = frozenset(TORCH_CLASSES) | frozenset(HF_FUNCTIONS)
# timm's scheduler classes and factories, prefixed "timm." ("timm.CosineLRScheduler").
TIMM_NAMES: frozenset[str] = frozenset(TIMM_CONSTRUCTORS)

_SIGNATURES: dict[str, tuple[Param, ...]] = {}
_OPTIMIZER_POSITIONS: dict[str, int] = {}
for _name in SCHEDULE_NAMES | TIMM_NAMES:
    _params = _all_params(_name)
    _OPTIMIZER_POSITIONS[_name] = [p.name for p in _params].index("optimizer")
    _SIGNATURES[_name] = tuple(p for p in _params if p.name != "optimizer")
del _name, _params


def signature(name: str) -> tuple[Param, ...]:
    """The constructor's parameters in positional order, without ``optimizer``.

    ``signature("StepLR")`` is ``(Param("step_size"), Param("gamma", 0.1),
    Param("last_epoch", -1))``; a ``Param`` whose ``default`` is ``REQUIRED`` has no
    default. Raises ``ScheduleError`` for an unknown name.
    """
    if name not in _SIGNATURES:
        _constructor(name)  # raises the ScheduleError
    return _SIGNATURES[name]


def optimizer_position(name: str) -> int:
    """Index of ``optimizer`` among the positional arguments: 0, but 1 for
    ``ChainedScheduler(schedulers, optimizer=None)``."""
    if name not in _OPTIMIZER_POSITIONS:
        _constructor(name)
    return _OPTIMIZER_POSITIONS[name]
