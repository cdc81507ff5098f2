"""SequentialLR and ChainedScheduler as LR006, LR007 and LR017 see them: which schedulers they
compose, which child runs to the end."""

from __future__ import annotations

import libcst as cst

from lrlint.analysis.model import ModuleModel, TrackedObject
from lrlint.analysis.torch_api import COMPOSITE_SCHEDULERS, Kind


def listed_children(model: ModuleModel, parent: TrackedObject) -> list[list[TrackedObject]]:
    """For each element of a composite's literal ``schedulers`` list, the schedulers it may be."""
    listed = parent.args.get("schedulers")
    if parent.torch_class not in COMPOSITE_SCHEDULERS or parent.site is None or not isinstance(
            listed, (cst.List, cst.Tuple)):
        return []
    site = parent.site
    return [
        [ref.obj for ref in model.resolve(element.value, site.scope, site.order, site.path)
         if ref.obj.kind is Kind.SCHEDULER]
        for element in listed.elements
    ]


def last_sequential_children(model: ModuleModel) -> set[TrackedObject]:
    """The last child of each SequentialLR: it runs to the end of training."""
    return {child for parent in model.schedulers if parent.short == "SequentialLR"
            for child in (listed_children(model, parent) or [[]])[-1]}


def bounded_by_milestone(model: ModuleModel) -> set[TrackedObject]:
    """Children of a SequentialLR that a milestone ends (all but the last), and of a
    ChainedScheduler (whose other factors shape the result)."""
    return model.composed_children() - last_sequential_children(model)
