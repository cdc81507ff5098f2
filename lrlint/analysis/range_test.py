"""Is a growing schedule an LR range test (the "LR finder")? LR006 stays silent on those.

A range test grows the LR on purpose, step after step, until the loss blows up, and stops there.
lrlint takes a scheduler to be one when either:

* a name says so: the scheduler's variable, or a function or class around its construction or a
  ``step()`` of it, contains ``lr_find``/``lrfind``/``find_lr``/``range_test``/``lr_range``
  (case and underscores aside); or
* a loop that steps it can stop on a diverging loss: its body holds an ``if`` whose test reads a
  name containing ``loss`` with ``>``/``>=``, or calls ``isnan``/``isinf``/``isfinite``, and whose
  body ``break``s, ``return``s or ``raise``s.
"""

from __future__ import annotations

import re

import libcst as cst

from lrlint.analysis.facts import Loop, Scope
from lrlint.analysis.model import ModuleModel, TrackedObject
from lrlint.analysis.trips import loop_nodes
from lrlint.analysis.walk import iter_tree

_FINDER = re.compile(r"lr_?find|find_?lr|range_?test|lr_?range", re.IGNORECASE)
_NAN_CHECKS = frozenset({"isnan", "isinf", "isfinite"})
_STOPS = (cst.Break, cst.Return, cst.Raise)


def is_range_test(model: ModuleModel, scheduler: TrackedObject) -> bool:
    sites = [scheduler.site] if scheduler.site is not None else []
    for event in scheduler.events_named("step"):
        sites.extend(event.chain)
    names = model.binding_names(scheduler) + [
        name for site in sites for name in _enclosing_names(site.scope)]
    if any(_FINDER.search(name) for name in names):
        return True
    return any(_stops_on_divergence(loop) for event in scheduler.events_named("step")
               for site in event.chain for loop in site.loops)


def _enclosing_names(scope: Scope | None) -> list[str]:
    names: list[str] = []
    while scope is not None:
        if scope.function is not None:
            names.append(scope.function.name)
        if scope.class_info is not None:
            names.append(scope.class_info.name)
        scope = scope.parent
    return names


def _stops_on_divergence(loop: Loop) -> bool:
    for node in loop_nodes(loop):
        if isinstance(node, cst.If) and _diverging(node.test) and any(
                isinstance(inner, _STOPS) for inner in iter_tree(node.body)):
            return True
    return False


def _diverging(test: cst.BaseExpression) -> bool:
    """``loss > 4 * best_loss``, ``math.isnan(loss)``, ``not torch.isfinite(loss)``..."""
    compares_up = False
    reads_loss = False
    for node in iter_tree(test):
        if isinstance(node, cst.Call):
            func = node.func
            name = func.attr.value if isinstance(func, cst.Attribute) else (
                func.value if isinstance(func, cst.Name) else None)
            if name in _NAN_CHECKS:
                return True
        elif isinstance(node, cst.ComparisonTarget) and isinstance(
                node.operator, (cst.GreaterThan, cst.GreaterThanEqual)):
            compares_up = True
        elif isinstance(node, cst.Name) and "loss" in node.value.lower():
            reads_loss = True
    return compares_up and reads_loss



