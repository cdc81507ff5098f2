"""SequentialLR and ChainedScheduler as LR006, LR007 and LR017 see them: which schedulers they
compose, which child runs to the end."""

from __future__ import annotations

import libcst as cst

from lrlint.analysis.model import TrackedObject
from lrlint.analysis.torch_api import COMPOSITE_SCHEDULERS, Kind
from lrlint.checks.base import RuleContext


def listed_children(context: RuleContext, parent: TrackedObject) -> list[list[TrackedObject]]:
    """For each element of a composite's literal ``schedulers`` list, the schedulers it may be."""
    listed = parent.args.get("schedulers")
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
    return context.model.composed_children()


def last_sequential_children(context: RuleContext) -> set[TrackedObject]:
    """The last child of each SequentialLR: it runs to the end of training."""
    return {child for parent in context.model.schedulers if parent.short == "SequentialLR"
            for child in (listed_children(context, parent) or [[]])[-1]}


def bounded_by_milestone(context: RuleContext) -> set[TrackedObject]:
    """Children of a SequentialLR that a milestone ends (all but the last), and of a
    ChainedScheduler (whose other factors shape the result)."""
    return composed_children(context) - last_sequential_children(context)
