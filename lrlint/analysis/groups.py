"""What an optimizer's param groups provably are (LR005, LR007).

``param_groups`` answers only when the ``params`` argument shows it: ``model.parameters()`` (and
``filter``/``list``/comprehensions over it) is one group at the optimizer's ``lr``; a literal list
of dicts is one group per dict, each with its own ``"lr"`` entry or none. Anything else (a helper
that builds the groups, a variable filled elsewhere, ``add_param_group`` later) is None: unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.facts import Scope
from lrlint.analysis.model import ModuleModel, TrackedObject

_PARAMETER_METHODS = frozenset({"parameters", "named_parameters"})
_PASS_THROUGH = frozenset({"list", "tuple", "filter", "iter", "sorted", "chain"})
_MAX_DEPTH = 6


@dataclass(frozen=True)
class Group:
    """One param group: its ``"lr"`` entry (None when it takes the optimizer's ``lr``)."""

    lr: cst.BaseExpression | None


def param_groups(model: ModuleModel, optimizer: TrackedObject) -> list[Group] | None:
    """The optimizer's param groups, when the source proves them."""
    if optimizer.site is None or optimizer.has_star_args or optimizer.custom is not None:
        return None
    if optimizer.events_named("add_param_group"):
        return None
    params = optimizer.args.get("params")
    if params is None:
        return None
    site = optimizer.site
    return _groups(model, params, site.scope, site.order, 0)


def _groups(model: ModuleModel, expr: cst.BaseExpression, scope: Scope, order: int,
            depth: int) -> list[Group] | None:
    if depth > _MAX_DEPTH:
        return None
    if _plain_parameters(model, expr, scope, order, depth):
        return [Group(None)]
    if isinstance(expr, (cst.List, cst.Tuple)) and expr.elements:
        if all(isinstance(e, cst.Element) and isinstance(e.value, cst.Dict) for e in expr.elements):
            return [_group(e.value) for e in expr.elements]
        return None
    if isinstance(expr, cst.Name):
        found = None
        for assignment in model.assignments_reaching(expr.value, scope, order):
            if assignment.kind != "assign" or assignment.value is None or assignment.unpack:
                return None
            groups = _groups(model, assignment.value, assignment.scope, assignment.order,
                             depth + 1)
            if groups is None or (found is not None and len(found) != len(groups)):
                return None
            found = groups
        return found
    return None


def _group(entry: cst.Dict) -> Group:
    for element in entry.elements:
        if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString) \
                and element.key.evaluated_value == "lr":
            return Group(element.value)
    return Group(None)


def _plain_parameters(model: ModuleModel, expr: cst.BaseExpression, scope: Scope, order: int,
                      depth: int) -> bool:
    """``model.parameters()`` and what only filters or copies it: tensors, not dicts."""
    if isinstance(expr, cst.Call):
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value in _PARAMETER_METHODS:
            return True
        name = func.attr.value if isinstance(func, cst.Attribute) else (
            func.value if isinstance(func, cst.Name) else None)
        if name not in _PASS_THROUGH or not expr.args:
            return False
        if name == "chain":
            sources = [arg.value for arg in expr.args]
        else:
            sources = [expr.args[-1].value if name == "filter" else expr.args[0].value]
        return all(_plain_parameters(model, source, scope, order, depth + 1)
                   for source in sources)
    if isinstance(expr, (cst.ListComp, cst.GeneratorExp)):
        if isinstance(expr.elt, cst.Dict):
            return False
        return _plain_parameters(model, expr.for_in.iter, scope, order, depth + 1)
    if isinstance(expr, cst.Name) and depth < _MAX_DEPTH:
        assignments = model.assignments_reaching(expr.value, scope, order)
        return bool(assignments) and all(
            a.kind == "assign" and a.value is not None and not a.unpack
            and _plain_parameters(model, a.value, a.scope, a.order, depth + 1)
            for a in assignments
        )
    return False
