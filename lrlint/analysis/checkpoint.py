"""Checkpoints in the source: the save calls lrlint recognises, and what each one stores.

Recognised saves (the object that is written):

- ``torch.save(obj, f)`` and ``torch_xla.core.xla_model.save(obj, f)``: ``obj``;
- ``accelerator.save(obj, f)`` on an ``accelerate.Accelerator``: ``obj``;
- ``fabric.save(path, state)`` on a Lightning ``Fabric``: ``state`` (Fabric calls
  ``state_dict()`` on the objects in it itself).

What a checkpoint stores is read through dict literals, ``dict(k=v)``, ``{**other}``, lists and
tuples, and a dict variable built earlier in the function (its literal, later
``ckpt["key"] = value`` writes and ``ckpt.update(...)`` calls). The leaves are the stored
expressions: ``optimizer.state_dict()``, a whole ``scheduler`` object, ``model``...
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.facts import CallSite, FunctionInfo
from lrlint.analysis.model import ModuleModel, TrackedObject
from lrlint.analysis.queries import argument

_TORCH_SAVES = frozenset({"torch.save", "torch_xla.core.xla_model.save"})
_ACCELERATORS = frozenset({"accelerate.Accelerator", "accelerate.accelerator.Accelerator"})
_FABRICS = frozenset({
    "lightning.Fabric", "lightning.fabric.Fabric", "lightning_fabric.Fabric",
    "lightning.fabric.fabric.Fabric",
})
_MAX_DEPTH = 6


@dataclass(frozen=True)
class Save:
    site: CallSite
    stored: cst.BaseExpression  # the object written to disk

    @property
    def function(self) -> FunctionInfo | None:
        return self.site.function


def save_calls(model: ModuleModel) -> list[Save]:
    saves: list[Save] = []
    for site in model.calls:
        stored = _stored_object(model, site)
        if stored is not None:
            saves.append(Save(site, stored))
    return saves


def _stored_object(model: ModuleModel, site: CallSite) -> cst.BaseExpression | None:
    call = site.node
    func = call.func
    if model.qualified_name(func) in _TORCH_SAVES:
        arg = argument(call, "obj", 0)
        return arg.value if arg is not None else None
    if not isinstance(func, cst.Attribute) or func.attr.value != "save":
        return None
    maker = _constructor_of(model, func.value, site)
    if maker in _ACCELERATORS:
        arg = argument(call, "obj", 0)
    elif maker in _FABRICS:
        arg = argument(call, "state", 1)
    else:
        return None
    return arg.value if arg is not None else None


def _constructor_of(model: ModuleModel, expr: cst.BaseExpression, site: CallSite) -> str | None:
    """The qualified class an ``accelerator``/``self.fabric`` receiver was built from."""
    values: list[cst.BaseExpression] = []
    if isinstance(expr, cst.Name):
        values = [a.value for a in model.assignments_reaching(expr.value, site.scope, site.order)
                  if a.value is not None and not a.unpack]
    elif isinstance(expr, cst.Attribute):
        owner = model.instance_class(expr.value, site.scope)
        if owner is not None:
            values = [a.value for a in model.class_attribute_assignments(owner, expr.attr.value)
                      if a.value is not None and not a.unpack]
    for value in values:
        if isinstance(value, cst.Call):
            name = model.qualified_name(value.func)
            if name is not None:
                return name
    return None


def stored_leaves(model: ModuleModel, save: Save) -> list[cst.BaseExpression]:
    """The expressions a checkpoint stores (see the module docstring)."""
    leaves: list[cst.BaseExpression] = []
    _collect(model, save.stored, save.site, leaves, 0)
    return leaves


def _collect(model, expr, site: CallSite, leaves: list, depth: int) -> None:
    if depth > _MAX_DEPTH:
        return
    if isinstance(expr, (cst.Dict, cst.List, cst.Tuple, cst.Set)):
        for element in expr.elements:  # ``**other`` and ``*rest`` elements included
            _collect(model, element.value, site, leaves, depth + 1)
    elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "dict":
        for arg in expr.args:
            _collect(model, arg.value, site, leaves, depth + 1)
    elif isinstance(expr, cst.Name) and _is_local_dict(model, expr, site):
        for value in _dict_variable_values(model, expr.value, site):
            _collect(model, value, site, leaves, depth + 1)
    else:
        leaves.append(expr)


def _is_local_dict(model, name: cst.Name, site: CallSite) -> bool:
    return any(
        isinstance(a.value, cst.Dict) or (
            isinstance(a.value, cst.Call) and isinstance(a.value.func, cst.Name)
            and a.value.func.value == "dict"
        )
        for a in model.assignments_reaching(name.value, site.scope, site.order)
    )


def _dict_variable_values(model, name: str, site: CallSite) -> list[cst.BaseExpression]:
    """What a dict variable holds: its literals, then ``name[k] = v`` and ``name.update(...)``."""
    values: list[cst.BaseExpression] = [
        a.value for a in model.assignments_reaching(name, site.scope, site.order)
        if a.value is not None and not a.unpack
    ]
    for write in model.item_writes:
        if write.scope is site.scope and isinstance(write.container, cst.Name) \
                and write.container.value == name:
            values.append(write.value)
    for other in model.calls:
        receiver = other.receiver
        if other.method == "update" and other.scope is site.scope \
                and isinstance(receiver, cst.Name) and receiver.value == name:
            values.extend(arg.value for arg in other.node.args)
    return values


def stored_objects(model: ModuleModel, save: Save) -> tuple[set[TrackedObject], set[TrackedObject]]:
    """(objects whose ``state_dict()`` is stored, objects stored whole)."""
    states: set[TrackedObject] = set()
    whole: set[TrackedObject] = set()
    scope, order = save.site.scope, save.site.order
    for leaf in stored_leaves(model, save):
        target = leaf
        is_state = False
        if isinstance(leaf, cst.Call) and isinstance(leaf.func, cst.Attribute) \
                and leaf.func.attr.value == "state_dict":
            target = leaf.func.value
            is_state = True
        refs = model.resolve(target, scope, order, save.site.path)
        (states if is_state else whole).update(ref.obj for ref in refs)
    return states, whole
