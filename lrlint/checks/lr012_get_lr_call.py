"""LR012 get-lr-call: ``scheduler.get_lr()`` is not the current learning rate."""

from __future__ import annotations

import re

import libcst as cst

from lrlint.analysis.model import Event, ModuleModel, TrackedObject
from lrlint.analysis.stepping import first_get_lr_difference
from lrlint.analysis.torch_api import Kind, is_abstract_base
from lrlint.checks.base import FixPlan, ReplaceNode, Rule, RuleContext
from lrlint.checks.common import fmt
from lrlint.prefilter import SCHEDULER, Vocabulary

# torch's own get_lr() of these raises NotImplementedError: only get_last_lr() exists.
_NO_GET_LR = frozenset({"SequentialLR", "ChainedScheduler", "ReduceLROnPlateau"})
# Closed-form get_lr(): it recomputes the current LR from last_epoch (and torch warns).
_CLOSED_FORM = frozenset({"LambdaLR", "CyclicLR", "OneCycleLR", "CosineAnnealingWarmRestarts"})


class GetLrCall(Rule):
    code = "LR012"
    name = "get-lr-call"
    summary = "`scheduler.get_lr()` computes the next chainable value; read `get_last_lr()`"
    fixable = True
    vocabulary = (SCHEDULER.also(
        Vocabulary(gates=(b"get_lr",), pattern=re.compile(rb"\.\s*get_lr\s*\("))),)

    def check(self, context: RuleContext) -> None:
        model = context.model
        # One finding per call, whichever of its possible schedulers it reads.
        calls: dict[cst.Call, list[tuple[TrackedObject, Event]]] = {}
        for scheduler in model.schedulers:
            for event in scheduler.events_named("get_lr"):
                calls.setdefault(event.node, []).append((scheduler, event))
        for candidates in calls.values():
            # A timm scheduler has no get_lr at all: the call is judged on the torch ones.
            candidates = [(s, e) for s, e in candidates if s.family != "timm"]
            if not candidates or not all(_uses_torch_get_lr(model, s) for s, _ in candidates):
                continue  # one of them may be a subclass with a get_lr of its own
            event = candidates[0][1]
            if model.inside_scheduler_class(event.site.scope):
                continue  # a subclass computing its own schedule: get_lr is its API
            # The claim that holds for every scheduler it may be: a wrong value if any gives one.
            scheduler = max((s for s, _ in candidates), key=_severity)
            context.report(event.node, _message(context, scheduler, event), _rename(model, event))


def _uses_torch_get_lr(model: ModuleModel, scheduler: TrackedObject) -> bool:
    """True when ``get_lr`` is torch's: not a local override, not an unknown subclass (nor
    a timm scheduler, which has none)."""
    if scheduler.family == "timm":
        return False
    if scheduler.custom is not None:
        return not any("get_lr" in cls.methods for cls in model.class_lineage(scheduler.custom))
    # A parameter annotated with the abstract base may be any subclass, with any get_lr.
    return not is_abstract_base(scheduler.short)


def _message(context: RuleContext, scheduler: TrackedObject, event: Event) -> str:
    call = context.code_for(event.node)
    name = scheduler.torch_class
    if name in _NO_GET_LR:
        return (f"`{call}`: {name} has no get_lr() of its own (torch raises "
                "NotImplementedError); the current LRs are `get_last_lr()`")
    if name in _CLOSED_FORM or scheduler.kind is Kind.SCHEDULER and name.startswith("get_"):
        return (f"`{call}` happens to return the current LR here ({scheduler.short} recomputes "
                "it from its closed form), but it is torch's internal computation and torch "
                "warns \"please use `get_last_lr()`\" on every call; read `get_last_lr()`")
    difference = first_get_lr_difference(context.model, scheduler)
    detail = ""
    if difference is not None:
        step, computed, current = difference
        detail = (f": at step {step} it returns {fmt(computed)} while the optimizer's LR is "
                  f"{fmt(current)}")
    return (f"`{call}` returns the value {name}'s next chainable step would compute, not the "
            f"current LR{detail}; read `get_last_lr()`")


def _severity(scheduler: TrackedObject) -> int:
    """How wrong get_lr() is for this scheduler: raises (2), a wrong value (1), a warning (0)."""
    name = scheduler.torch_class
    if name in _NO_GET_LR:
        return 2
    if name in _CLOSED_FORM or name.startswith("get_"):
        return 0
    return 1


def _rename(model: ModuleModel, event: Event) -> FixPlan | None:
    func = event.node.func
    if event.node.args or not isinstance(func, cst.Attribute):
        return None
    safe = not event.via and _always_a_scheduler(model, func.value, event)
    return FixPlan(
        "Call `get_last_lr()` instead",
        (ReplaceNode(func.attr, "get_last_lr"),),
        "safe" if safe else "unsafe",
    )


def _always_a_scheduler(model: ModuleModel, receiver: cst.BaseExpression, event: Event) -> bool:
    """Every binding the receiver may hold is a tracked scheduler (so renaming cannot break a
    non-torch object whose ``get_lr`` is its real API)."""
    site = event.site
    if isinstance(receiver, cst.Name):
        assignments = model.assignments_reaching(receiver.value, site.scope, site.order, site.path)
    elif isinstance(receiver, cst.Attribute):
        owner = model.instance_class(receiver.value, site.scope)
        if owner is None:
            return False
        assignments = model.class_attribute_assignments(owner, receiver.attr.value)
    else:
        return False
    if not assignments:
        return False
    for assignment in assignments:
        if assignment.kind not in ("assign", "annassign") or assignment.value is None:
            return False
        if assignment.unpack:
            return False
        refs = model.resolve(assignment.value, assignment.scope, assignment.order, assignment.path)
        if not refs or any(ref.obj.kind is not Kind.SCHEDULER or ref.obj.family == "timm"
                           for ref in refs):
            return False
    return True
