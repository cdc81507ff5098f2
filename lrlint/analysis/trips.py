"""How often a call runs, and how a loop can end early: loop facts LR006 and LR007 share.

``times_run`` is a *lower bound that is also exact*: it answers only when every loop around the
call iterates over a constant (``range(100)``, a literal list), the call is reached on every
iteration (no ``if``/``except`` around it inside its function, nothing that leaves a loop early),
and so on for each caller it was reached through. Anything else is None: "not known".
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from lrlint.analysis.facts import CallSite, Loop
from lrlint.analysis.model import Event, ModuleModel
from lrlint.analysis.walk import child_nodes

_JUMPS = (cst.Break, cst.Continue, cst.Return, cst.Raise)
_NEW_FRAMES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def times_run(model: ModuleModel, event: Event) -> int | None:
    """How many times ``event``'s call runs when its outermost function runs once."""
    total = 1
    for site in event.chain:
        count = _times_in_function(model, site)
        if count is None:
            return None
        total *= count
    return total


def most_times_run(model: ModuleModel, events: list[Event]) -> tuple[int, Event] | None:
    """The largest known ``times_run`` among ``events``, with its event."""
    known = [(count, event) for event in events if (count := times_run(model, event)) is not None]
    return max(known, key=lambda pair: pair[0]) if known else None


def _times_in_function(model: ModuleModel, site: CallSite) -> int | None:
    if any(not (isinstance(node, (cst.For, cst.While)) and branch == "body")
           for node, branch in site.path):
        return None  # under an if, an except or a loop's else: maybe not every time
    total = 1
    for loop in site.loops:
        trips = trip_count(model, loop, site)
        if trips is None or leaves_early(loop):
            return None
        total *= trips
    return total


def trip_count(model: ModuleModel, loop: Loop, site: CallSite) -> int | None:
    """The number of iterations of a ``for`` over a constant iterable."""
    if loop.kind != "for" or loop.iter is None:
        return None
    value = model.fold(loop.iter, site.scope, loop.order_start)
    if isinstance(value, (range, list, tuple)):
        return len(value)
    return None


def leaves_early(loop: Loop) -> bool:
    """True when the loop's body holds a break, continue, return or raise (anywhere in it,
    nested loops included: conservative)."""
    return any(isinstance(node, _JUMPS) for node in _body_nodes(loop.node.body))


def _body_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node of ``node`` that runs in the same frame (nested defs and lambdas skipped)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(child for child in child_nodes(current) if not isinstance(child, _NEW_FRAMES))


def loop_nodes(loop: Loop) -> Iterator[cst.CSTNode]:
    """The nodes of a loop's body that run in its frame."""
    return _body_nodes(loop.node.body)


def unit_of(model: ModuleModel, event: Event) -> str:
    """"epochs" when the innermost loop around the call counts epochs, else "steps"."""
    from lrlint.analysis.chains import frames
    from lrlint.analysis.loops import LoopKind

    found = frames(event.chain)
    if found and model.loop_kinds.kind(found[-1]) is LoopKind.EPOCH:
        return "epochs"
    return "steps"


def is_fast_forward(event: Event) -> bool:
    """``for _ in range(start_epoch): scheduler.step()``: the call is the only statement of the
    loop around it (a resume replaying the schedule's steps)."""
    if not event.site.loops or not event.site.is_statement:
        return False
    body = event.site.loops[-1].node.body
    return isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)) and len(body.body) == 1
