"""Shared helpers for the schedule tests: run the same schedule in torch and in lrlint.

A schedule is described once as a ``Spec`` (name, kwargs, children) and turned into a
real torch scheduler or an ``lrlint.schedules.Schedule``. Importing this module does not import
torch: the helpers that run torch ask ``pytest.importorskip`` for it, so a test that uses them
is skipped without torch.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import pytest

from lrlint.schedules import Schedule, build

COMPOSITES = ("SequentialLR", "ChainedScheduler")


@dataclass
class Spec:
    name: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    children: list[Spec] = field(default_factory=list)


def torch_optimizer(base_lrs: list[float], kind: str = "SGD") -> Any:
    torch = pytest.importorskip("torch")
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in base_lrs]
    if kind == "SGD":
        return torch.optim.SGD(groups, lr=base_lrs[0], momentum=0.9)
    if kind == "Adam":
        return torch.optim.Adam(groups, lr=base_lrs[0])
    return getattr(torch.optim, kind)(groups, lr=base_lrs[0])


def torch_class(name: str) -> Any:
    """torch's scheduler class of that name (SWALR lives in torch.optim.swa_utils)."""
    pytest.importorskip("torch")
    from torch.optim import lr_scheduler as torch_lr
    from torch.optim.swa_utils import SWALR

    return SWALR if name == "SWALR" else getattr(torch_lr, name)


def torch_scheduler(spec: Spec, optimizer: Any) -> Any:
    cls = torch_class(spec.name)
    if spec.name in COMPOSITES:
        children = [torch_scheduler(child, optimizer) for child in spec.children]
        if spec.name == "ChainedScheduler":
            return cls(children, **spec.kwargs)
        return cls(optimizer, children, **spec.kwargs)
    return cls(optimizer, **spec.kwargs)


def lrlint_schedule(spec: Spec, base_lr: Any, **extra: Any) -> Schedule:
    kwargs = dict(spec.kwargs)
    if spec.name in COMPOSITES:
        kwargs["schedulers"] = [lrlint_schedule(c, base_lr, **extra) for c in spec.children]
    return build(spec.name, base_lr, **kwargs, **extra)


def torch_values(
    spec: Spec, base_lrs: list[float], n: int, kind: str = "SGD", metrics: Any = None
) -> list[list[float]]:
    """LR per step and group of the loop `optimizer.step(); scheduler.step()`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimizer = torch_optimizer(base_lrs, kind)
        scheduler = torch_scheduler(spec, optimizer)
        rows = []
        for k in range(n):
            rows.append([float(g["lr"]) for g in optimizer.param_groups])
            optimizer.step()
            if metrics is None:
                scheduler.step()
            else:
                scheduler.step(metrics[k])
    return rows


def outcome(run: Any) -> tuple[str, Any]:
    """("ok", value) or ("raise", (type name, message)) of calling ``run``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "ok", run()
    except Exception as error:  # noqa: BLE001 - the point is to compare any error
        return "raise", (type(error).__name__, str(error))


def assert_close_rows(actual: list[list[float]], expected: list[list[float]]) -> None:
    assert len(actual) == len(expected)
    for k, (row, want) in enumerate(zip(actual, expected)):
        for g, (a, e) in enumerate(zip(row, want, strict=True)):
            assert math.isclose(a, e, rel_tol=1e-9, abs_tol=1e-15) or (
                math.isnan(a) and math.isnan(e)
            ), f"step {k} group {g}: lrlint {a!r} != torch {e!r}"
