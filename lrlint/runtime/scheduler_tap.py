"""Observe every ``scheduler.step()`` (and ``load_state_dict``) of one scheduler instance, and
undo it afterwards.

The obvious tap, an instance attribute ``scheduler.step = wrapper``, would leak into
``scheduler.state_dict()`` (torch returns the whole ``__dict__``), and the first checkpoint saved
during a watched run would fail to pickle. So the instance's class is swapped for a subclass
that overrides ``step`` and ``load_state_dict`` — made once per class, with the same name, and
pickled as the original class — and swapped back on ``remove()``. An instance that already
carries its own ``step`` attribute (wrapped by some framework) is tapped by wrapping that
attribute instead (its loads are then not observed).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

# (original step, args, kwargs) -> result
StepObserver = Callable[[Callable[..., Any], tuple, dict], Any]
LoadObserver = Callable[[], None]  # called after the scheduler's state was loaded

_OBSERVERS: weakref.WeakKeyDictionary[Any, tuple[StepObserver, LoadObserver | None]] = (
    weakref.WeakKeyDictionary()
)
_TAP_CLASSES: dict[type, type] = {}


def _new_instance(cls: type) -> Any:
    return cls.__new__(cls)


def _tap_class(cls: type) -> type:
    if cls in _TAP_CLASSES:
        return _TAP_CLASSES[cls]

    def step(self: Any, *args: Any, **kwargs: Any) -> Any:
        original = super(tapped, self).step  # type: ignore[misc]
        observers = _OBSERVERS.get(self)
        if observers is None:
            return original(*args, **kwargs)
        return observers[0](original, args, kwargs)

    def load_state_dict(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = super(tapped, self).load_state_dict(*args, **kwargs)  # type: ignore[misc]
        observers = _OBSERVERS.get(self)
        if observers is not None and observers[1] is not None:
            observers[1]()
        return result

    def __reduce_ex__(self: Any, protocol: Any) -> Any:
        # Pickle and copy as the original class: the copy is not watched.
        return (_new_instance, (cls,), self.__dict__.copy())

    namespace = {
        "step": step,
        "load_state_dict": load_state_dict,
        "__reduce_ex__": __reduce_ex__,
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "_lrlint_original": cls,
    }
    tapped = type(cls.__name__, (cls,), namespace)
    _TAP_CLASSES[cls] = tapped
    return tapped


def is_tapped(scheduler: Any) -> bool:
    """Whether some watch taps ``scheduler`` already."""
    return scheduler in _OBSERVERS or getattr(scheduler.__dict__.get("step"), "_lrlint_tap", False)


class SchedulerTap:
    """Routes ``scheduler.step(...)`` through ``observer(original_step, args, kwargs)``, and
    calls ``on_load()`` after ``scheduler.load_state_dict(...)``."""

    def __init__(
        self, scheduler: Any, observer: StepObserver, on_load: LoadObserver | None = None
    ) -> None:
        self._scheduler = scheduler
        self._own_step = scheduler.__dict__.get("step")
        if self._own_step is not None:
            own = self._own_step

            def step(*args: Any, **kwargs: Any) -> Any:
                return observer(own, args, kwargs)

            step._lrlint_tap = True  # type: ignore[attr-defined]
            self._wrapper: Any = step
            scheduler.step = step
            return
        if scheduler in _OBSERVERS:
            raise RuntimeError(
                "this scheduler is already watched by another lrlint watch: close that one first"
            )
        original = type(scheduler)
        self._original_class = getattr(original, "_lrlint_original", original)
        _OBSERVERS[scheduler] = (observer, on_load)
        scheduler.__class__ = _tap_class(self._original_class)

    def remove(self) -> None:
        scheduler = self._scheduler
        if self._own_step is not None:
            if scheduler.__dict__.get("step") is self._wrapper:
                scheduler.step = self._own_step
            return
        _OBSERVERS.pop(scheduler, None)
        if type(scheduler) is _TAP_CLASSES.get(self._original_class):
            scheduler.__class__ = self._original_class
