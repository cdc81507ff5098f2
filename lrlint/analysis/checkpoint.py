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

from lrlint.analysis.collect import string_value, subscript_key
from lrlint.analysis.facts import CallSite, FunctionInfo
from lrlint.analysis.model import ModuleModel, TrackedObject
from lrlint.analysis.queries import argument

_TORCH_SAVES = frozenset({"torch.save", "torch_xla.core.xla_model.save"})
_TORCH_LOADS = frozenset({"torch.load", "torch_xla.core.xla_model.load"})
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
    """Every save of this module: a recognised save call, or a call of a project function that
    saves one of its parameters (``save_checkpoint({"optimizer": ...}, path)`` with
    ``torch.save(state, path)`` inside ``save_checkpoint``)."""
    saves: list[Save] = []
    for site in model.calls:
        stored = _stored_object(model, site) or _stored_through_helper(model, site)
        if stored is not None:
            saves.append(Save(site, stored))
    return saves


def _stored_through_helper(model: ModuleModel, site: CallSite) -> cst.BaseExpression | None:
    for function in model.called_functions(site.node, site.scope):
        param = saved_parameter(function)
        if param is None:
            continue
        if param.star == "*":  # save_on_master(*args, **kwargs): torch.save(*args, **kwargs)
            positional = [arg.value for arg in site.node.args if arg.keyword is None]
            if positional and not site.node.args[0].star:
                return positional[0]
            continue
        for caller, value in model.arguments_for(function, param):
            if caller is site:
                return value
    return None


def saved_parameter(function: FunctionInfo):  # -> Param | None
    """The parameter of ``function`` that a save call in its body writes, if any."""
    owner = function.scope.module_model
    if owner is None:
        return None
    key = ("saved parameter", function)
    if key in owner.fold_cache:
        return owner.fold_cache[key]
    owner.fold_cache[key] = None
    found = None
    for site in owner.calls:
        if site.function is not function:
            continue
        stored = _stored_object(owner, site)
        if stored is None and site.node.args and site.node.args[0].star == "*" and \
                owner.qualified_name(site.node.func) in _TORCH_SAVES:
            stored = site.node.args[0].value  # torch.save(*args, **kwargs)
        if not isinstance(stored, cst.Name):
            continue
        bindings = owner.assignments_reaching(stored.value, site.scope, site.order, site.path)
        if len(bindings) == 1 and bindings[0].kind == "param" and bindings[0].scope is function.scope:
            found = bindings[0].param
            break
    owner.fold_cache[key] = found
    return found


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


def stored_keys(model: ModuleModel, save: Save) -> dict[str, cst.BaseExpression] | None:
    """The top-level keys of the dict a checkpoint stores, with their values (None when the
    stored object is not a dict lrlint can read to its end)."""
    found: dict[str, cst.BaseExpression] = {}
    if not _dict_keys(model, save.stored, save.site, found, 0):
        return None
    return found


def _dict_keys(model, expr, site: CallSite, found: dict, depth: int) -> bool:
    if depth > _MAX_DEPTH:
        return False
    if isinstance(expr, cst.Dict):
        for element in expr.elements:
            if isinstance(element, cst.StarredDictElement):
                if not _dict_keys(model, element.value, site, found, depth + 1):
                    return False
                continue
            key = string_value(element.key)
            if key is None:
                return False
            found[key] = element.value
        return True
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "dict":
        for arg in expr.args:
            if arg.keyword is None:
                return False
            found[arg.keyword.value] = arg.value
        return True
    if isinstance(expr, cst.Name) and _is_local_dict(model, expr, site):
        values = [a.value for a in model.assignments_reaching(expr.value, site.scope, site.order)
                  if a.value is not None and not a.unpack]
        if not all(_dict_keys(model, value, site, found, depth + 1) for value in values):
            return False
        for write in model.item_writes:
            if write.scope is site.scope and isinstance(write.container, cst.Name) \
                    and write.container.value == expr.value:
                found[write.key] = write.value
        return all(_update_keys(model, other, found) for other in model.calls
                   if other.method == "update" and other.scope is site.scope
                   and isinstance(other.receiver, cst.Name)
                   and other.receiver.value == expr.value)
    return False


def _update_keys(model, site: CallSite, found: dict) -> bool:
    """The keys ``ckpt.update(...)`` adds: its keywords, a dict literal, or a ``**extra``
    parameter's keys (the keywords its callers pass); False when they cannot be known."""
    for arg in site.node.args:
        if arg.keyword is not None:
            found[arg.keyword.value] = arg.value
        elif arg.star == "**" or not _dict_keys(model, arg.value, site, found, _MAX_DEPTH - 1):
            if not _keyword_parameter_keys(model, arg.value, site, found):
                return False
    return True


def _keyword_parameter_keys(model, expr, site: CallSite, found: dict) -> bool:
    if not isinstance(expr, cst.Name):
        return False
    bindings = model.assignments_reaching(expr.value, site.scope, site.order, site.path)
    if len(bindings) != 1 or bindings[0].kind != "param" or bindings[0].param.star != "**":
        return False
    function = bindings[0].scope.function
    callers = model.callers(function) if function is not None else []
    if not callers:
        return False
    for caller in callers:
        for arg in caller.node.args:
            if arg.star == "**":
                return False
            if arg.keyword is not None:
                found[arg.keyword.value] = arg.value
    return True


def loaded_key(model: ModuleModel, expr: cst.BaseExpression, site: CallSite) -> str | None:
    """``"lr_scheduler"`` for ``checkpoint["lr_scheduler"]`` where ``checkpoint`` comes from
    ``torch.load(...)``: the key a resume reads."""
    if not isinstance(expr, cst.Subscript):
        return None
    key = subscript_key(expr)
    container = expr.value
    if key is None or not isinstance(container, cst.Name):
        return None
    bindings = model.assignments_reaching(container.value, site.scope, site.order, site.path)
    if bindings and all(isinstance(b.value, cst.Call) and not b.unpack
                        and model.qualified_name(b.value.func) in _TORCH_LOADS for b in bindings):
        return key
    return None


def project_saves(model: ModuleModel) -> list[tuple[ModuleModel, Save]]:
    """Every save in the modules of the project's run."""
    memo = model.project.memo
    if "saves" not in memo:
        memo["saves"] = [(member, save) for member in model.project.members
                         for save in save_calls(member)]
    return memo["saves"]
