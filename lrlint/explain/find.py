"""Which optimizer/scheduler pairs a file declares, named as the code writes them.

Children of a ``SequentialLR``/``ChainedScheduler`` are explained as part of their parent, and
a scheduler that only appears as an annotated parameter has no construction to explain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.declared import Declared, optimizer_base_lrs
from lrlint.analysis.evaluate import Unknown
from lrlint.analysis.model import ModuleModel, TrackedObject

_SPACE_AFTER_OPEN = re.compile(r"([(\[{])\s+")
_SPACE_BEFORE_CLOSE = re.compile(r",?\s+([)\]}])")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Construction:
    """An object's constructor call as written (``optimizer = SGD(...)``) and its line."""

    code: str
    line: int
    class_name: str


@dataclass(frozen=True)
class Pair:
    scheduler_object: TrackedObject
    optimizer_object: TrackedObject | None
    scheduler: Construction
    optimizer: Construction | None
    declared: Declared
    base_lr: object  # a float, one float per group, or Unknown


def one_line(code: str) -> str:
    """Source text on one line: a call split over several lines reads as it would on one."""
    code = _SPACE_AFTER_OPEN.sub(r"\1", _without_comments(code).strip())
    code = _SPACE_BEFORE_CLOSE.sub(r"\1", code)
    return _SPACES.sub(" ", code)


def _without_comments(code: str) -> str:
    """``code`` with its comments removed (they would land mid-line once lines are joined)."""
    import io
    import tokenize

    try:
        comments = [token.start for token in tokenize.generate_tokens(io.StringIO(code).readline)
                    if token.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return code
    lines = code.splitlines(keepends=True)
    for row, column in comments:
        line = lines[row - 1]
        ending = line[len(line.rstrip("\r\n")):]
        lines[row - 1] = line[:column].rstrip() + ending
    return "".join(lines)


def construction(module: cst.Module, obj: TrackedObject, positions) -> Construction:
    site = obj.site
    assert site is not None
    call = module.code_for_node(site.node)
    targets = [module.code_for_node(target) for target in site.assigned_to]
    code = " = ".join([*targets, call])
    return Construction(one_line(code), positions[site.node].start.line, obj.short)


def find_pairs(module: cst.Module, model: ModuleModel, positions) -> list[Pair]:
    """Every top-level scheduler built in the module, in source order."""
    children = model.composed_children()
    pairs: list[Pair] = []
    for scheduler in model.schedulers:
        if scheduler.site is None or scheduler in children:
            continue
        optimizers = model.optimizers_of(scheduler)
        optimizer = optimizers[0] if len(optimizers) == 1 else None
        if optimizer is not None and optimizer.site is not None:
            base_lr = optimizer_base_lrs(model, optimizer)
            optimizer_code: Construction | None = construction(module, optimizer, positions)
        else:
            base_lr, optimizer_code = Unknown("the optimizer is not known"), None
        pairs.append(Pair(
            scheduler_object=scheduler,
            optimizer_object=optimizer,
            scheduler=construction(module, scheduler, positions),
            optimizer=optimizer_code,
            declared=model.schedule_of(scheduler),
            base_lr=base_lr,
        ))
    pairs.sort(key=lambda pair: pair.scheduler.line)
    return pairs
