"""Shared helpers for the timm schedule tests: timm's own modules, the driving loops, and
hypothesis strategies of scheduler arguments.

``import timm`` imports torchvision, which fails beside the CPU torch wheel, so timm's
scheduler modules are loaded from its installed source under stub ``timm`` and
``timm.scheduler`` packages (they need only torch and numpy); without timm the tests that
need it skip.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import logging
import os
import re
import sys
import types
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from lrlint.schedules import Schedule, build
from lrlint.schedules.timm_mirror import TIMM_VERSION

# Raise for a deeper run: LRLINT_SCHEDULE_EXAMPLES=500 pytest tests/schedules
SETTINGS = settings(
    max_examples=int(os.environ.get("LRLINT_SCHEDULE_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- timm's scheduler modules, without timm's __init__ ---------------------------------------

TIMM_MODULES = (
    "cosine_lr",
    "multistep_lr",
    "plateau_lr",
    "poly_lr",
    "step_lr",
    "tanh_lr",
    "wsd_lr",
    "scheduler_factory",
)


@functools.cache  # once per session: the stub packages stay in sys.modules
def timm_scheduler() -> Any:
    """``timm.scheduler``'s classes and factories as a namespace, or skip the test."""
    pytest.importorskip("torch")  # timm's scheduler modules import it
    # A stub registered before (this module imported under another name) has no spec.
    stub = sys.modules.get("timm")
    spec = None if stub is not None else importlib.util.find_spec("timm")  # found, not imported
    locations = getattr(stub, "__path__", None) if stub is not None else (
        spec.submodule_search_locations if spec is not None else None)
    if not locations:
        pytest.skip("timm is not installed (pip install --no-deps timm==" + TIMM_VERSION + ")")
    root = Path(next(iter(locations)))
    version = re.search(r"__version__\s*=\s*['\"]([^'\"]+)", (root / "version.py").read_text())
    if version is None or version.group(1) != TIMM_VERSION:
        found = version.group(1) if version else "unknown"
        pytest.skip(f"lrlint mirrors timm {TIMM_VERSION}; timm {found} is installed")
    for name, path in (("timm", root), ("timm.scheduler", root / "scheduler")):
        if name not in sys.modules:
            stub = types.ModuleType(name)
            stub.__path__ = [str(path)]
            sys.modules[name] = stub
    logging.getLogger("timm").setLevel(logging.ERROR)  # cosine's "no effect" warning
    modules = [importlib.import_module(f"timm.scheduler.{module}") for module in TIMM_MODULES]
    namespace = types.SimpleNamespace()
    for module in modules:
        for attr, value in vars(module).items():
            if attr.endswith("Scheduler") or attr.startswith(("create_scheduler", "scheduler_")):
                setattr(namespace, attr, value)
    return namespace


# -- the driving loops, written once for timm's objects and for lrlint's mirror ------------


@dataclass(frozen=True)
class Drive:
    """How the training loop calls the scheduler; see lrlint.schedules.timm_schedule."""

    kind: str  # "epoch", "update" or "torch"
    offset: int = 1
    updates_per_epoch: int | None = None

    def values(self, schedule: Schedule, n: int, metrics: list[float] | None) -> list[Any]:
        """What lrlint says the loop gives."""
        if self.kind == "epoch":
            return schedule.values_by_epoch(n, offset=self.offset, metrics=metrics)
        if self.kind == "update":
            return schedule.values_by_update(
                n, updates_per_epoch=self.updates_per_epoch, offset=self.offset, metrics=metrics
            )
        return schedule.values(n, metrics=metrics)

    def run(self, scheduler: Any, groups: list[dict[str, Any]], n: int, metrics: Any) -> list[Any]:
        """The loop itself, on a real (or mirror) scheduler: the LR of each step, per group."""

        def metric(e: int) -> Any:
            return metrics[e] if metrics is not None and e < len(metrics) else None

        rows = []
        for k in range(n):
            rows.append([float(group["lr"]) for group in groups])
            if self.kind == "epoch":
                scheduler.step(k + self.offset, metric(k))
            elif self.kind == "update":
                scheduler.step_update(k + self.offset)
                per_epoch = self.updates_per_epoch
                if per_epoch is not None and (k + 1) % per_epoch == 0:
                    epoch = (k + 1) // per_epoch - 1
                    scheduler.step(epoch + self.offset, metric(epoch))
            elif metrics is None:
                scheduler.step()
            elif k < len(metrics):
                scheduler.step(metrics[k])
        return rows


@st.composite
def drives(draw: st.DrawFn, torch_style: bool = True) -> Drive:
    kinds = ["epoch", "update", "torch"] if torch_style else ["epoch", "update"]
    kind = draw(st.sampled_from(kinds))
    offset = draw(st.sampled_from([1, 0, 1, 3]))
    per_epoch = draw(st.none() | st.integers(1, 40)) if kind == "update" else None
    return Drive(kind, offset, per_epoch)


@dataclass
class Case:
    """One run: a timm scheduler (name without the "timm." prefix) on an optimizer with
    ``base_lrs``, driven by ``drive`` for ``n`` steps."""

    name: str
    base_lrs: list[float]
    kwargs: dict[str, Any]
    drive: Drive
    n: int
    metrics: list[float] | None = None
    lr_scale: float | None = None

    def lrlint(self) -> list[list[float]]:
        """What lrlint says, one row per step."""
        defaults: dict[str, Any] = {"momentum": 0.0}
        if self.lr_scale is not None:
            defaults["lr_scale"] = self.lr_scale
        nested = len(self.base_lrs) > 1
        base_lr = self.base_lrs if nested else self.base_lrs[0]
        schedule = build("timm." + self.name, base_lr, optimizer_defaults=defaults, **self.kwargs)
        values = self.drive.values(schedule, self.n, self.metrics)
        return values if nested else [[v] for v in values]

    def run(self, make: Any, optimizer: Any) -> list[list[float]]:
        """The loop on ``make(optimizer=optimizer, **kwargs)``, a scheduler or a factory."""
        scheduler = make(optimizer=optimizer, **self.kwargs)
        if isinstance(scheduler, tuple):  # a factory: (scheduler, num_epochs)
            scheduler = scheduler[0]
        return self.drive.run(scheduler, optimizer.param_groups, self.n, self.metrics)

    def with_kwargs(self, **changes: Any) -> Case:
        return replace(self, kwargs={**self.kwargs, **changes})


def outcome_of(run: Any) -> tuple[str, Any]:
    """("ok", repr of the value) or ("raise", (type name, message)); repr compares floats
    bit for bit and nan equal to itself."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "ok", repr(run())
    except Exception as error:  # noqa: BLE001 - the point is to compare any error
        return "raise", (type(error).__name__, str(error))


# -- hypothesis strategies of scheduler arguments ------------------------------------------

lrs = st.floats(1e-4, 1.0)
base_lr_lists = st.lists(lrs, min_size=1, max_size=3)
lengths = st.integers(1, 300)
warmups = st.sampled_from([0, 0, 1, 2, 5, 17, 40])


def warmup_args(draw: st.DrawFn, prefix: bool = True) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "warmup_t": draw(warmups),
        "warmup_lr_init": draw(st.sampled_from([0.0, 1e-5, 1e-3, 0.02])),
    }
    if prefix:
        kwargs["warmup_prefix"] = draw(st.booleans())
    return kwargs


def cycle_args(draw: st.DrawFn) -> dict[str, Any]:
    return {
        # float lengths and cycle_mul != 1 take the mirror's path, not the fast tables
        "t_initial": draw(lengths | st.sampled_from([2.5, 10.0, 37.75])),
        "lr_min": draw(st.sampled_from([0.0, 0.0, 1e-5, 1e-3])),
        "cycle_mul": draw(st.sampled_from([1.0, 1.0, 1, 2.0, 1.5])),
        "cycle_decay": draw(st.sampled_from([1.0, 0.5, 0.1])),
        "cycle_limit": draw(st.integers(0, 4)),
        "t_in_epochs": draw(st.booleans()),
        **warmup_args(draw),
    }


def cosine(draw: st.DrawFn) -> dict[str, Any]:
    return {**cycle_args(draw), "k_decay": draw(st.sampled_from([1.0, 1.0, 0.5, 2.0]))}


def poly(draw: st.DrawFn) -> dict[str, Any]:
    return {
        **cycle_args(draw),
        "power": draw(st.sampled_from([0.5, 1.0, 2.0, 0.9])),
        "k_decay": draw(st.sampled_from([1.0, 1.0, 0.5, 2.0])),
    }


def tanh(draw: st.DrawFn) -> dict[str, Any]:
    return {
        **cycle_args(draw),
        "lb": draw(st.sampled_from([-7.0, -3.0, -1.0])),
        "ub": draw(st.sampled_from([3.0, 1.0, 5.0])),
    }


def step(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "decay_t": draw(st.integers(1, 120) | st.sampled_from([2.5, 30.0])),
        "decay_rate": draw(st.sampled_from([0.1, 0.5, 0.97, 1.0])),
        "t_in_epochs": draw(st.booleans()),
        **warmup_args(draw),
    }


def multistep(draw: st.DrawFn) -> dict[str, Any]:
    milestones = draw(st.lists(st.integers(0, 400), max_size=5))
    return {
        "decay_t": milestones if draw(st.integers(0, 4)) == 0 else sorted(milestones),
        "decay_rate": draw(st.sampled_from([0.1, 0.5, 0.97])),
        "t_in_epochs": draw(st.booleans()),
        **warmup_args(draw),
    }


def plateau(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "decay_rate": draw(st.sampled_from([0.1, 0.5, 0.9])),
        "patience_t": draw(st.integers(0, 8)),
        "threshold": draw(st.sampled_from([1e-4, 0.0, 0.05])),
        "cooldown_t": draw(st.integers(0, 4)),
        "lr_min": draw(st.sampled_from([0.0, 1e-4])),
        "mode": draw(st.sampled_from(["min", "max"])),
        **warmup_args(draw, prefix=False),
    }


def wsd(draw: st.DrawFn) -> dict[str, Any]:
    t_initial = draw(lengths)
    kwargs: dict[str, Any] = {
        "t_initial": t_initial,
        "decay_t": draw(st.integers(1, t_initial)),
        "lr_min": draw(st.sampled_from([0.0, 1e-5, 1e-3])),
        "stable_fn": draw(st.sampled_from(["constant", "constant", "rsqrt", "power"])),
        "decay_fn": draw(st.sampled_from(["1-sqrt", "linear", "cosine", "power", "exp"])),
        "decay_power": draw(st.sampled_from([0.5, 2.0])),
        "decay_ratio": draw(st.sampled_from([0.1, 0.5])),
        "t_in_epochs": draw(st.booleans()),
        **warmup_args(draw, prefix=False),
    }
    if kwargs["stable_fn"] != "constant":
        kwargs["stable_timescale"] = draw(st.sampled_from([10, 50.0]))
    if draw(st.integers(0, 5)) == 0:
        kwargs["decay_fn"] = lambda frac: (1.0 - frac) ** 3
    return kwargs


CLASS_ARGUMENTS = {
    "CosineLRScheduler": cosine,
    "PolyLRScheduler": poly,
    "TanhLRScheduler": tanh,
    "StepLRScheduler": step,
    "MultiStepLRScheduler": multistep,
    "PlateauLRScheduler": plateau,
    "WSDLRScheduler": wsd,
}


def plateau_metrics(draw: st.DrawFn, n: int) -> list[float]:
    """A noisy loss that flattens out, with repeated values."""
    steps = st.sampled_from([-1.0, -0.3, 0.0, 0.0, 0.5, 1.0])
    noise = draw(st.lists(steps, min_size=n, max_size=n))
    return [1.0 / (1 + k) + 0.01 * e for k, e in enumerate(noise)]
