"""SequentialLR and ChainedScheduler as LR006, LR007 and LR017 see them: which schedulers they
compose, which child runs to the end.

``bound_arguments`` corrects one binding of the shared model: ``ChainedScheduler(schedulers,
optimizer=None)`` takes its list first, while the model binds every scheduler's first positional
argument as ``optimizer``.
"""

from __future__ import annotations

import libcst as cst

from lrlint.analysis.model import TrackedObject
from lrlint.analysis.torch_api import COMPOSITE_SCHEDULERS, Kind
from lrlint.checks.base import RuleContext


def bound_arguments(scheduler: TrackedObject) -> dict[str, cst.BaseExpression]:
    """The constructor arguments by parameter name (``ChainedScheduler``'s corrected)."""
    if scheduler.short != "ChainedScheduler" or scheduler.site is None:
        return scheduler.args
    args: dict[str, cst.BaseExpression] = {}
    positional = iter(("schedulers", "optimizer"))
    for arg in scheduler.site.node.args:
        if arg.star:
            return {}
        if arg.keyword is not None:
            args[arg.keyword.value] = arg.value
        else:
            name = next(positional, None)
            if name is None:
                return {}
            args[name] = arg.value
    return args


def listed_children(context: RuleContext, parent: TrackedObject) -> list[list[TrackedObject]]:
    """For each element of a composite's literal ``schedulers`` list, the schedulers it may be."""
    listed = bound_arguments(parent).get("schedulers")
    if parent.torch_class not in COMPOSITE_SCHEDULERS or parent.site is None or not isinstance(
            listed, (cst.List, cst.Tuple)):
        return []
    site = parent.site
    return [
        [ref.obj for ref in context.model.resolve(element.value, site.scope, site.order, site.path)
         if ref.obj.kind is Kind.SCHEDULER]
        for element in listed.elements
    ]


def composed_children(context: RuleContext) -> set[TrackedObject]:
    """Every scheduler listed in a SequentialLR/ChainedScheduler of the module."""
    children = {child for parent in context.model.schedulers
                for element in listed_children(context, parent) for child in element}
    return children | context.model.composed_children()


def last_sequential_children(context: RuleContext) -> set[TrackedObject]:
    """The last child of each SequentialLR: it runs to the end of training."""
    return {child for parent in context.model.schedulers if parent.short == "SequentialLR"
            for child in (listed_children(context, parent) or [[]])[-1]}


def bounded_by_milestone(context: RuleContext) -> set[TrackedObject]:
    """Children of a SequentialLR that a milestone ends (all but the last), and of a
    ChainedScheduler (whose other factors shape the result)."""
    return composed_children(context) - last_sequential_children(context)
