"""accelerate: which calls are ``accelerator.prepare(...)``, which objects went through one, and
the ``Accelerator`` settings that decide how a prepared scheduler steps.

``prepare`` returns its arguments in order, each wrapped (accelerate 1.x,
``Accelerator.prepare``/``_prepare_one``): the model resolves ``opt, sched =
accelerator.prepare(opt, sched)`` back to the objects passed (``passed_through``). A scheduler
that went through it is an ``AcceleratedScheduler`` whose ``step()`` does nothing unless
gradients are synchronised, then steps the wrapped scheduler ``num_processes`` times unless
``split_batches`` (``accelerate/scheduler.py``); the rules of issue 10 ask ``prepared_objects``
and ``accelerator_settings`` about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from lrlint.analysis.frameworks import (
    ACCELERATOR_NAME,
    ACCELERATORS,
    PREPARE_ALL,
    PREPARE_ONE,
    keyword,
)
from lrlint.analysis.walk import iter_tree

if TYPE_CHECKING:
    from lrlint.analysis.facts import CallSite, Scope
    from lrlint.analysis.model import ModuleModel, TrackedObject

_MAX_DEPTH = 6


@dataclass(frozen=True)
class AcceleratorCall:
    """An ``Accelerator(...)`` constructor call and the module it is in."""

    call: cst.Call
    model: ModuleModel
    scope: Scope
    order: int

    def argument(self, name: str) -> cst.BaseExpression | None:
        return keyword(self.call, name)

    def fold(self, name: str, default: object) -> object:
        expr = self.argument(name)
        return default if expr is None else self.model.fold(expr, self.scope, self.order)


def accelerators_of(model: ModuleModel, expr: cst.BaseExpression, scope: Scope, order: int,
                    depth: int = 0) -> tuple[list[AcceleratorCall], bool]:
    """The ``Accelerator(...)`` calls ``expr`` (``accelerator``, ``self.accelerator``, a
    parameter) may have been built by, and whether some binding of it could not be followed."""
    owner = scope.module_model or model
    if depth > _MAX_DEPTH:
        return [], True
    if isinstance(expr, cst.Call):
        if owner.qualified_name(expr.func) in ACCELERATORS:
            return [AcceleratorCall(expr, owner, scope, order)], False
        return [], True
    values: list[tuple[cst.BaseExpression | None, Scope, int]] = []
    unknown = False
    if isinstance(expr, cst.Name):
        name_scope = owner.scope_of(expr) or scope
        name_order = owner.facts.name_orders.get(expr, order)
        bindings = owner.assignments_reaching(expr.value, name_scope, name_order)
        if not bindings:
            return [], True
        for binding in bindings:
            if binding.kind == "param" and binding.scope.function is not None:
                passed = list(owner.arguments_for(binding.scope.function, binding.param))
                if not passed:
                    unknown = True
                values.extend((argument, site.scope, site.order) for site, argument in passed)
            elif binding.kind in ("assign", "annassign") and not binding.unpack:
                values.append((binding.value, binding.scope, binding.order))
            else:
                unknown = True
    elif isinstance(expr, cst.Attribute):
        cls = owner.instance_class(expr.value, scope)
        if cls is None:
            return [], True
        bindings = owner.class_attribute_assignments(cls, expr.attr.value)
        if not bindings:
            return [], True
        for binding in bindings:
            if binding.kind in ("assign", "annassign") and not binding.unpack:
                values.append((binding.value, binding.scope, binding.order))
            else:
                unknown = True
    else:
        return [], True
    found: list[AcceleratorCall] = []
    for value, value_scope, value_order in values:
        if value is None:
            unknown = True
            continue
        calls, missed = accelerators_of(owner, value, value_scope, value_order, depth + 1)
        found.extend(calls)
        unknown |= missed
    return found, unknown


def is_accelerator(model: ModuleModel, expr: cst.BaseExpression, scope: Scope,
                   order: int) -> bool:
    """``expr`` is an ``Accelerator``: built by one, or (when its bindings cannot be followed,
    e.g. a parameter of a function called from outside the project) named like one."""
    calls, unknown = accelerators_of(model, expr, scope, order)
    if calls:
        return True
    return unknown and _named_like_accelerator(expr)


def _named_like_accelerator(expr: cst.BaseExpression) -> bool:
    name = expr.attr.value if isinstance(expr, cst.Attribute) else \
        expr.value if isinstance(expr, cst.Name) else None
    return name is not None and ACCELERATOR_NAME.fullmatch(name) is not None


def prepare_receiver(call: cst.Call) -> tuple[cst.BaseExpression, str] | None:
    """(receiver, method) of ``<x>.prepare(...)`` / ``<x>.prepare_scheduler(...)``."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in (PREPARE_ALL, *PREPARE_ONE):
        return func.value, func.attr.value
    return None


def is_prepare_call(model: ModuleModel, call: cst.Call, scope: Scope, order: int) -> bool:
    found = prepare_receiver(call)
    return found is not None and is_accelerator(model, found[0], scope, order)


def passed_through(model: ModuleModel, call: cst.Call, scope: Scope,
                   index: int | None) -> cst.BaseExpression | None:
    """The argument ``accelerator.prepare(...)`` hands back as element ``index`` of its result
    (``index`` None: the whole result, when one object was passed)."""
    found = prepare_receiver(call)
    if found is None or any(arg.star or arg.keyword is not None for arg in call.args):
        return None
    if index is None and len(call.args) != 1:
        return None
    position = 0 if index is None else index
    if position >= len(call.args):
        return None
    order = model.facts.calls_by_node[call].order if call in model.facts.calls_by_node else 0
    if not is_accelerator(model, found[0], scope, order):
        return None
    return call.args[position].value


# -- what went through prepare -------------------------------------------------------------


@dataclass
class Prepared:
    """The objects some ``prepare`` call of the project received, and whether a call passed
    arguments lrlint could not follow (``prepare(*components)`` from unknown callers)."""

    objects: dict[TrackedObject, CallSite] = field(repr=False)
    unknown: bool


def prepared_objects(model: ModuleModel) -> Prepared:
    """Every tracked object passed to ``accelerator.prepare``/``prepare_scheduler`` anywhere in
    the project (memoised on the project)."""
    memo = model.project.memo
    found = memo.get("accelerate.prepared")
    if found is not None:
        return found
    found = Prepared({}, False)
    memo["accelerate.prepared"] = found
    for member in model.project.members or [model]:
        for site in member.calls:
            if is_prepare_call(member, site.node, site.scope, site.order):
                arguments = list(_prepared_arguments(member, site))
            else:  # a helper (maybe in a module outside the run) that prepares its parameters
                arguments = list(_through_helpers(member, site))
            for expr, scope, order in arguments:
                if expr is None:
                    found.unknown = True
                    continue
                for ref in member.resolve(expr, scope, order):
                    found.objects.setdefault(ref.obj, site)
    return found


def _through_helpers(model: ModuleModel, site: CallSite):
    """The arguments ``site`` passes to a function that hands its parameters (or ``*args``) to
    ``prepare``."""
    for function in model.called_functions(site.node, site.scope):
        prepared = _prepared_parameters(function)
        if not prepared:
            continue
        positional = [a for a in site.node.args if a.keyword is None]
        offset = 1 if function.is_method and isinstance(site.node.func, cst.Attribute) else 0
        for param in prepared:
            if param.star == "*":
                start = param.index if param.index is not None else \
                    sum(1 for p in function.params if p.index is not None and not p.star)
                for arg in positional[max(0, start - offset):]:
                    yield (None if arg.star else arg.value), site.scope, site.order
            else:
                for caller, argument in model.arguments_for(function, param):
                    if caller is site:
                        yield argument, site.scope, site.order


def _prepared_parameters(function):
    """The parameters of ``function`` that one of its prepare calls receives (memoised)."""
    owner = function.scope.module_model
    if owner is None:
        return []
    key = ("accelerate.prepared_parameters", function)
    if key in owner.fold_cache:
        return owner.fold_cache[key]
    owner.fold_cache[key] = []
    found = []
    for site in owner.calls:
        if site.function is not function or not is_prepare_call(owner, site.node, site.scope,
                                                                 site.order):
            continue
        for arg in site.node.args:
            if arg.keyword is not None or not isinstance(arg.value, cst.Name):
                continue
            bindings = owner.assignments_reaching(arg.value.value, site.scope, site.order)
            if len(bindings) == 1 and bindings[0].kind == "param" \
                    and bindings[0].scope is function.scope:
                found.append(bindings[0].param)
    owner.fold_cache[key] = found
    return found


def _prepared_arguments(model: ModuleModel, site: CallSite):
    """(expression, scope, order) of each object a prepare call receives; a ``*param`` is
    followed to what the function's callers pass there (None when it cannot be)."""
    for arg in site.node.args:
        if arg.keyword is not None and arg.star != "**":
            continue
        if arg.star == "*" and isinstance(arg.value, cst.Name):
            passed = _star_parameter_arguments(model, arg.value, site)
            if passed is None:
                yield None, site.scope, site.order
            else:
                yield from passed
        elif arg.star:
            yield None, site.scope, site.order
        else:
            yield arg.value, site.scope, site.order


def _star_parameter_arguments(model: ModuleModel, name: cst.Name, site: CallSite):
    bindings = model.assignments_reaching(name.value, site.scope, site.order)
    if len(bindings) != 1 or bindings[0].kind != "param" or bindings[0].param.star != "*":
        return None
    function = bindings[0].scope.function
    if function is None:
        return None
    first = sum(1 for p in function.params if p.index is not None)
    if function.is_method:
        first -= 1
    callers = model.callers(function)
    if not callers:
        return None
    found = []
    for caller in callers:
        positional = [a for a in caller.node.args if a.keyword is None]
        if any(a.star for a in positional):
            return None
        found.extend((a.value, caller.scope, caller.order) for a in positional[first:])
    return found


# -- where a step runs -----------------------------------------------------------------------


def accumulate_blocks(model: ModuleModel) -> dict[int, cst.With]:
    """id(node) -> the ``with <accelerator>.accumulate(...):`` statement whose body holds it,
    for every node inside such a body in this module (memoised)."""
    key = ("accelerate.accumulate",)
    found = model.fold_cache.get(key)
    if found is not None:
        return found
    found = {}
    model.fold_cache[key] = found
    for node in iter_tree(model.module):
        if isinstance(node, cst.With) and any(_is_accumulate(model, item.item)
                                                for item in node.items):
            for inner in iter_tree(node.body):
                found.setdefault(id(inner), node)
    return found


def _is_accumulate(model: ModuleModel, expr: cst.BaseExpression) -> bool:
    if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute)
            and expr.func.attr.value == "accumulate"):
        return False
    site = model.facts.calls_by_node.get(expr)
    if site is None:
        return False
    return is_accelerator(model, expr.func.value, site.scope, site.order)


def accumulate_receiver(statement: cst.With) -> cst.BaseExpression:
    """The accelerator of ``with <accelerator>.accumulate(...)``."""
    for item in statement.items:
        call = item.item
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) \
                and call.func.attr.value == "accumulate":
            return call.func.value
    raise ValueError("not an accumulate block")


def is_sync_test(expr: cst.BaseExpression) -> bool:
    """``<accelerator>.sync_gradients`` (alone, or and-ed with other conditions)."""
    if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.And):
        return is_sync_test(expr.left) or is_sync_test(expr.right)
    return isinstance(expr, cst.Attribute) and expr.attr.value == "sync_gradients"


# -- how a prepared scheduler steps --------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """What the ``Accelerator`` says about how a prepared scheduler steps: True/False, or None
    when it is not known."""

    steps_per_process: bool | None  # not split_batches: num_processes steps per update
    with_optimizer: bool | None  # step_scheduler_with_optimizer
    accumulation: object  # gradient_accumulation_steps: folded value, Unknown, or None (absent)
    plugin: bool  # a gradient-accumulation or DeepSpeed plugin may set the accumulation


def accelerator_settings(calls: list[AcceleratorCall]) -> Settings | None:
    """The settings every one of ``calls`` agrees on (None when there is no call)."""
    if not calls:
        return None
    per_process, with_optimizer, accumulation, plugin = set(), set(), [], False
    for found in calls:
        split = found.fold("split_batches", False)
        config = found.argument("dataloader_config")
        if config is not None:
            split = _split_in_config(found, config)
        per_process.add(None if not isinstance(split, bool) else not split)
        value = found.fold("step_scheduler_with_optimizer", True)
        with_optimizer.add(value if isinstance(value, bool) else None)
        accumulation.append(found.fold("gradient_accumulation_steps", None))
        plugin |= any(found.argument(name) is not None
                      for name in ("gradient_accumulation_plugin", "deepspeed_plugin"))
    first = accumulation[0]
    same = all(a == first and type(a) is type(first) for a in accumulation)
    return Settings(
        per_process.pop() if len(per_process) == 1 else None,
        with_optimizer.pop() if len(with_optimizer) == 1 else None,
        first if same else _UNAGREED,
        plugin,
    )


class _Unagreed:
    def __repr__(self) -> str:
        return "<accumulation differs between Accelerator calls>"


_UNAGREED = _Unagreed()


def _split_in_config(found: AcceleratorCall, config: cst.BaseExpression) -> object:
    """``split_batches`` of ``DataLoaderConfiguration(split_batches=...)`` passed inline."""
    if isinstance(config, cst.Call):
        value = keyword(config, "split_batches")
        if value is None:
            return False
        return found.model.fold(value, found.scope, found.order)
    return None


def sync_gate(model: ModuleModel, block):  # -> accumulation.Gate | None
    """``if <accelerator>.sync_gradients:`` as an accumulation gate (the body runs once per
    optimizer update); its divisor is the Accelerator's ``gradient_accumulation_steps=``
    argument when one is found, else ``<accelerator>.gradient_accumulation_steps``."""
    from lrlint.analysis.accumulation import Gate  # accumulation imports the model

    node, branch = block
    if not isinstance(node, cst.If) or branch != "body" or not is_sync_test(node.test):
        return None
    receiver = _sync_receiver(node.test)
    site_order = model.facts.name_orders.get(_leftmost(receiver), 0)
    scope = model.facts.name_scopes.get(_leftmost(receiver))
    divisor: cst.BaseExpression | None = None
    if scope is not None:
        calls, _ = accelerators_of(model, receiver, scope, site_order)
        arguments = {id(c.argument("gradient_accumulation_steps")): c for c in calls}
        if len(arguments) == 1 and calls[0].argument("gradient_accumulation_steps") is not None:
            divisor = calls[0].argument("gradient_accumulation_steps")
    if divisor is None:
        divisor = cst.Attribute(value=receiver, attr=cst.Name("gradient_accumulation_steps"))
    return Gate(block, None, divisor)  # type: ignore[arg-type]


def _sync_receiver(test: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(test, cst.BooleanOperation):
        return _sync_receiver(test.left if is_sync_test(test.left) else test.right)
    assert isinstance(test, cst.Attribute)
    return test.value


def _leftmost(expr: cst.BaseExpression) -> cst.Name | None:
    while isinstance(expr, cst.Attribute):
        expr = expr.value
    return expr if isinstance(expr, cst.Name) else None
