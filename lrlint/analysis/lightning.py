"""What Lightning does with the schedulers a LightningModule hands it, read from the code.

``configure_optimizers`` returns its optimizers and schedulers in one of the shapes Lightning
accepts (lightning/pytorch/core/optimizer.py, ``_configure_optimizers``): an optimizer, a list of
them, ``([optimizers], [schedulers])``, ``{"optimizer": ..., "lr_scheduler": ...}`` or a list of
such dicts, where each scheduler is bare or an ``{"scheduler": ..., "interval": ...}`` dict. This
module reads every scheduler out of that structure (``SchedulerEntry``), following names, dicts
completed by item writes and helper methods or functions that build the structure, and answers
what the rules ask about a LightningModule (``LightningModuleInfo``): automatic or manual
optimization, whether ``lr_scheduler_step`` is overridden, the interval of each scheduler, and
where user code steps a scheduler itself (``scheduler.step()``, ``self.lr_schedulers().step()``).

Anything lrlint cannot read (a ``**`` in a dict, an interval that does not fold) answers None:
the rules stay silent on it.
"""

from __future__ import annotations

import os
import weakref
from dataclasses import dataclass, field
from functools import cached_property

import libcst as cst

from lrlint.analysis.collect import string_value
from lrlint.analysis.facts import CallSite, ClassInfo, FunctionInfo, Scope
from lrlint.analysis.frameworks import (
    LIGHTNING_AUTOMATIC_FLAG,
    LIGHTNING_CONFIGURE,
    LIGHTNING_DEFAULT_INTERVAL,
    LIGHTNING_INTERVALS,
    LIGHTNING_LOG_METHODS,
    LIGHTNING_MODULES,
    LIGHTNING_PACKAGES,
    LIGHTNING_RECURRING_HOOKS,
    LIGHTNING_SCHEDULER_HOOK,
    LIGHTNING_SCHEDULERS_ACCESSOR,
    LIGHTNING_TRAINER_COUNTS,
    LIGHTNING_TRAINERS,
    TIMM_STEP_METHODS,
    calls_of,
    derives_from,
    keyword,
)
from lrlint.analysis.model import ModuleModel, TrackedObject
from lrlint.analysis.torch_api import Kind
from lrlint.analysis.units import Unit, UnitReader

_MAX_DEPTH = 6
WHOLE = -1  # self.lr_schedulers() itself: the one scheduler, or the list of all of them
ANY = -2  # one of the configured schedulers, which one is not known


@dataclass(eq=False)
class ConfigDict:
    """A dict of the configuration (a literal or a ``dict(...)`` call) and the keys it sets."""

    node: cst.Dict | cst.Call
    values: dict[str, cst.BaseExpression]
    complete: bool  # every key it ends up with is known (no ``**``, no ``.update()``)
    scope: Scope
    order: int

    def has(self, key: str) -> bool:
        return key in self.values


@dataclass(eq=False)
class SchedulerEntry:
    """One scheduler of ``configure_optimizers``' return value."""

    expr: cst.BaseExpression  # the scheduler: bare, or its dict's "scheduler" value
    scope: Scope
    order: int
    config: ConfigDict | None  # its lr_scheduler dict; None for a bare scheduler
    outer: ConfigDict | None  # the {"optimizer": ..., "lr_scheduler": ...} dict around it
    slot: cst.BaseExpression | None  # what stands for it in the returned structure (a fix
    #   may rewrite it); None when it stands for several alternatives
    group: object  # the returned structure it belongs to
    index: int  # its position among that structure's schedulers
    shape: str = "lists"  # "dict" ({"optimizer", "lr_scheduler"}), "dicts" (a list of them)
    #   or "lists" (([optimizers], [schedulers]))

    @property
    def monitor(self) -> tuple[cst.BaseExpression, ConfigDict] | None:
        """The "monitor" Lightning reads for it: its dict's, or for a bare scheduler in the
        single-dict shape the top-level one (a list of dicts drops that one)."""
        if self.config is not None:
            value = self.config.values.get("monitor")
            return (value, self.config) if value is not None else None
        if self.outer is not None and self.shape == "dict" and "monitor" in self.outer.values:
            return self.outer.values["monitor"], self.outer
        return None

    @property
    def node(self) -> cst.CSTNode:
        return self.slot if self.slot is not None else self.expr


# -- reading configure_optimizers' return value -------------------------------------------------


class _ConfigReader:
    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self.entries: list[SchedulerEntry] = []
        self._seen: set[tuple[int, int]] = set()

    def returned_by(self, function: FunctionInfo, depth: int = 0) -> None:
        for value, order in function.returns:
            self.configuration(value, function.scope, order, depth)

    def configuration(self, expr, scope: Scope, order: int, depth: int) -> None:
        """An optimizer configuration: ``([opts], scheds)``, a dict, a list of dicts."""
        if depth > _MAX_DEPTH or (id(expr), id(scope)) in self._seen:
            return
        self._seen.add((id(expr), id(scope)))
        if isinstance(expr, (cst.Tuple, cst.List)):
            elements = _elements(expr)
            if elements is None:
                return
            if len(elements) == 2 and self._is_list(elements[0], scope, order):
                self.schedulers(elements[1], scope, order, depth, group=expr)
                return
            for element in elements:
                found = self.dict_of(element, scope, order)
                if found is not None:
                    self.optimizer_dict(found, depth, "dicts")
            return
        found = self.dict_of(expr, scope, order)
        if found is not None:
            self.optimizer_dict(found, depth, "dict")
        elif isinstance(expr, cst.Name):
            for value, value_scope, value_order in self._values(expr, scope, order):
                self.configuration(value, value_scope, value_order, depth + 1)
        elif isinstance(expr, cst.Call):
            for function in self.model.called_functions(expr, scope):
                if not _in_lightning_package(function.scope):
                    self.returned_by(function, depth + 1)

    def optimizer_dict(self, found: ConfigDict, depth: int, shape: str) -> None:
        value = found.values.get("lr_scheduler")
        if value is not None:
            self.entry(value, found.scope, found.order, depth, group=found.node, index=0,
                       outer=found, shape=shape)

    def schedulers(self, expr, scope: Scope, order: int, depth: int, group) -> None:
        """The second element of ``(optimizers, schedulers)``: a list, or one scheduler."""
        if isinstance(expr, (cst.Tuple, cst.List)):
            elements = _elements(expr)
            for index, element in enumerate(elements or ()):
                self.entry(element, scope, order, depth, group=expr, index=index)
            return
        if isinstance(expr, cst.Name):
            direct = self._values(expr, scope, order)
            values = self._resolved(expr, scope, order)
            if values and all(isinstance(v, (cst.List, cst.Tuple)) for v, _, _ in values):
                if len(direct) == 1 and direct[0][0] is values[0][0]:
                    # `schedulers = [...]`, maybe `.append`ed to
                    elements = self.model.container_elements(expr, scope, order)
                else:
                    elements = [(e, s, o) for v, s, o in values for e in _elements(v) or ()]
                alone = len(values) == 1 and len(elements) == len(_elements(values[0][0]) or ())
                for index, (element, e_scope, e_order) in enumerate(elements):
                    self.entry(element, e_scope, e_order, depth, group=values[0][0] if alone
                               else object(), index=index if alone else ANY)
                return
        self.entry(expr, scope, order, depth, group=group, index=0)

    def entry(self, expr, scope: Scope, order: int, depth: int, group, index: int,
              outer: ConfigDict | None = None, shape: str = "lists") -> None:
        found = self.dict_of(expr, scope, order)
        if found is not None:
            self._dict_entry(found, expr, group, index, outer, shape)
            return
        if isinstance(expr, cst.Name):
            values = self._values(expr, scope, order)
            dicts = [(self.dict_of(v, s, o), v) for v, s, o in values]
            if values and any(d is not None for d, _ in dicts):
                for (found, value), (_, v_scope, v_order) in zip(dicts, values):
                    if found is not None:
                        self._dict_entry(found, value, group, index, outer, shape)
                    else:
                        self.entries.append(SchedulerEntry(value, v_scope, v_order, None, outer,
                                                           None, group, index, shape))
                return
        self.entries.append(SchedulerEntry(expr, scope, order, None, outer, expr, group, index,
                                           shape))

    def _dict_entry(self, found: ConfigDict, slot, group, index: int,
                    outer: ConfigDict | None, shape: str) -> None:
        scheduler = found.values.get("scheduler")
        if scheduler is not None:  # without it Lightning raises MisconfigurationException
            self.entries.append(SchedulerEntry(scheduler, found.scope, found.order, found, outer,
                                               slot, group, index, shape))

    def dict_of(self, expr, scope: Scope, order: int, depth: int = 0) -> ConfigDict | None:
        """The dict ``expr`` is: a literal, ``dict(...)``, or a name bound once to one (with
        the ``name["key"] = ...`` writes that follow)."""
        if isinstance(expr, cst.Dict):
            values: dict[str, cst.BaseExpression] = {}
            complete = True
            for element in expr.elements:
                key = string_value(element.key) if isinstance(element, cst.DictElement) else None
                if key is None:
                    complete = False
                else:
                    values[key] = element.value
            return ConfigDict(expr, values, complete, scope, order)
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) \
                and expr.func.value == "dict" and scope.lookup_scope("dict") is None:
            values = {a.keyword.value: a.value for a in expr.args if a.keyword is not None}
            complete = all(a.keyword is not None for a in expr.args)
            return ConfigDict(expr, values, complete, scope, order)
        if isinstance(expr, cst.Name) and depth < 2:
            values_found = self._values(expr, scope, order)
            if len(values_found) != 1:
                return None
            value, v_scope, v_order = values_found[0]
            found = self.dict_of(value, v_scope, v_order, depth + 1)
            if found is not None:
                self._writes(found, expr.value, v_scope, v_order)
            return found
        return None

    def _writes(self, found: ConfigDict, name: str, scope: Scope, after: int) -> None:
        """``name["interval"] = "step"`` after the binding adds a key; ``name.update(...)``
        adds keys lrlint does not know."""
        owner = scope.module_model or self.model
        for write in owner.item_writes:
            if isinstance(write.container, cst.Name) and write.container.value == name \
                    and write.scope is scope and write.order > after and write.operator is None:
                found.values[write.key] = write.value
        for site in owner.calls:
            if site.method in ("update", "setdefault", "pop", "__setitem__") \
                    and isinstance(site.receiver, cst.Name) and site.receiver.value == name \
                    and site.scope is scope:
                found.complete = False

    def _is_list(self, expr, scope: Scope, order: int) -> bool:
        if isinstance(expr, cst.Name):
            values = self._resolved(expr, scope, order)
            return bool(values) and all(isinstance(v, (cst.List, cst.Tuple, cst.ListComp))
                                        for v, _, _ in values)
        return isinstance(expr, (cst.List, cst.Tuple, cst.ListComp))

    def _resolved(self, name: cst.Name, scope: Scope, order: int, depth: int = 0):
        """``_values``, following names to what they hold in turn."""
        found = []
        for value, v_scope, v_order in self._values(name, scope, order):
            if isinstance(value, cst.Name) and depth < _MAX_DEPTH:
                found.extend(self._resolved(value, v_scope, v_order, depth + 1))
            else:
                found.append((value, v_scope, v_order))
        return found

    def _values(self, name: cst.Name, scope: Scope, order: int):
        """What a name may hold: (value, scope, order) of each assignment reaching it (an
        element of a tuple it is unpacked from), or what the callers pass for a parameter."""
        found = []
        for assignment in self.model.assignments_reaching(name.value, scope, order):
            value = assignment.value
            if assignment.kind == "param" and assignment.scope.function is not None:
                owner = assignment.scope.module_model or self.model
                found.extend((argument, site.scope, site.order) for site, argument
                             in owner.arguments_for(assignment.scope.function, assignment.param))
                continue
            if assignment.kind not in ("assign", "annassign") or value is None:
                continue
            for index in assignment.unpack:
                elements = _elements(value) if isinstance(value, (cst.Tuple, cst.List)) else None
                value = elements[index] if elements and index < len(elements) else None
                if value is None:
                    break
            if value is not None:
                found.append((value, assignment.scope, assignment.order))
        return found


def _elements(expr: cst.Tuple | cst.List) -> list[cst.BaseExpression] | None:
    if any(isinstance(e, cst.StarredElement) for e in expr.elements):
        return None
    return [e.value for e in expr.elements]


def _in_lightning_package(scope: Scope) -> bool:
    model = scope.module_model
    name = getattr(getattr(model, "module_name", None), "name", None)
    return name is not None and name.split(".")[0] in LIGHTNING_PACKAGES


# -- the module ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManualStep:
    """A step of a configured scheduler in user code, and the Lightning hook it runs in."""

    site: CallSite
    hook: str | None  # "training_step", "on_train_epoch_end", ...; None when not known

    @property
    def cadence(self) -> str | None:
        """How often Lightning runs the hook: "every training batch", "every epoch"..."""
        return LIGHTNING_RECURRING_HOOKS.get(self.hook) if self.hook else None


class LightningModuleInfo:
    """A class that defines ``configure_optimizers`` for a LightningModule, and what Lightning
    does with what it returns."""

    def __init__(self, model: ModuleModel, cls: ClassInfo, configure: FunctionInfo) -> None:
        self.model = model
        self.cls = cls
        self.configure = configure  # its configure_optimizers (maybe a base class's)

    @cached_property
    def family(self) -> list[ClassInfo]:
        """The class, its bases and its subclasses in the project (not Lightning's own)."""
        return [c for c in self.model.class_family(self.cls) if not _in_lightning_package(c.outer)]

    @cached_property
    def entries(self) -> list[SchedulerEntry]:
        reader = _ConfigReader(self.model)
        reader.returned_by(self.configure)
        return reader.entries

    @cached_property
    def optimization(self) -> str | None:
        """"automatic", "manual", or None when the code does not settle it."""
        values: list[object] = []
        for cls in self.family:
            bindings = list(cls.attributes.get(LIGHTNING_AUTOMATIC_FLAG, ()))
            bindings += cls.scope.assignments.get(LIGHTNING_AUTOMATIC_FLAG, ())
            for binding in bindings:
                if binding.kind in ("assign", "annassign") and not binding.unpack:
                    values.append(self.model.fold(binding.value, binding.scope, binding.order))
                elif binding.kind == "def" and binding.function is not None:
                    values.extend(self.model.fold(value, binding.function.scope, order)
                                  for value, order in binding.function.returns)
                    if not binding.function.returns:
                        values.append(None)
                else:
                    values.append(None)
        if all(v is True for v in values):
            return "automatic"
        if all(v is False for v in values):
            return "manual"
        return None

    @cached_property
    def hook(self) -> str:
        """What the ``lr_scheduler_step`` hook does with a scheduler: "default" (not
        overridden), "forwards" (``scheduler.step()`` / ``scheduler.step(metric)``), "silent"
        (never steps it) or "custom" (anything else: timm's ``step(epoch=...)``...)."""
        function = None
        for cls in self.model.class_lineage(self.cls):
            if _in_lightning_package(cls.outer):
                break
            if LIGHTNING_SCHEDULER_HOOK in cls.methods:
                function = cls.methods[LIGHTNING_SCHEDULER_HOOK]
                break
        if function is None:
            return "default"
        params = [p.name for p in function.params[1:] if not p.star]
        if not params:
            return "custom"
        scheduler, metric = params[0], params[1] if len(params) > 1 else None
        owner = function.scope.module_model or self.model
        verdicts = []
        for site in owner.calls:
            if site.function is not function:
                continue
            mentions = any(isinstance(n, cst.Name) and n.value == scheduler
                           for a in site.node.args for n in _names(a.value))
            if isinstance(site.receiver, cst.Name) and site.receiver.value == scheduler:
                args = site.node.args
                plain = site.method == "step" and (not args or (
                    len(args) == 1 and args[0].keyword is None and not args[0].star
                    and isinstance(args[0].value, cst.Name) and args[0].value.value == metric))
                verdicts.append("forwards" if plain else "custom")
            elif site.method == LIGHTNING_SCHEDULER_HOOK and mentions:
                verdicts.append("forwards")  # super().lr_scheduler_step(scheduler, metric)
            elif mentions:
                verdicts.append("custom")  # handed to something else
        if not verdicts:
            return "silent"
        return "forwards" if all(v == "forwards" for v in verdicts) else "custom"

    def of_another_module(self, site: CallSite) -> bool:
        """``site`` is in a method of a LightningModule outside this family."""
        function = site.function
        cls = function.class_info if function is not None else None
        if cls is None or cls in self.family:
            return False
        model = cls.outer.module_model or self.model
        return derives_from(model, cls, LIGHTNING_MODULES)

    @property
    def trains(self) -> bool:
        """The family defines ``training_step``: a module that runs, not an abstract base."""
        return any("training_step" in cls.methods for cls in self.family)

    @property
    def lightning_steps(self) -> bool:
        """Lightning steps the returned schedulers itself, the ordinary way."""
        return self.optimization == "automatic" and self.hook in ("default", "forwards")

    def interval(self, entry: SchedulerEntry) -> str | None:
        """"step" or "epoch": when Lightning steps the entry's scheduler; None if unknown."""
        config = entry.config
        if config is None:
            return LIGHTNING_DEFAULT_INTERVAL
        if "interval" in config.values:
            value = self.model.fold(config.values["interval"], config.scope, config.order)
            return value if value in LIGHTNING_INTERVALS else None
        return LIGHTNING_DEFAULT_INTERVAL if config.complete else None

    def schedulers(self, entry: SchedulerEntry) -> list[TrackedObject]:
        refs = self.model.resolve(entry.expr, entry.scope, entry.order)
        return list(dict.fromkeys(r.obj for r in refs if r.obj.kind is Kind.SCHEDULER))

    def alone(self, entry: SchedulerEntry) -> bool:
        """The only scheduler of its structure: ``self.lr_schedulers()`` returns it."""
        return entry.index != ANY and sum(e.group is entry.group for e in self.entries) == 1

    def manual_steps(self, entry: SchedulerEntry, scheduler: TrackedObject) -> list[ManualStep]:
        """Where user code steps this configured scheduler itself (not through the
        ``lr_scheduler_step`` hook Lightning calls)."""
        methods = TIMM_STEP_METHODS if scheduler.family == "timm" else ("step",)
        sites = [event.site for event in scheduler.events if event.method in methods]
        for site, index in self._accessor_steps(methods):
            if (index == WHOLE and self.alone(entry)) or index == entry.index != ANY:
                sites.append(site)
        found = []
        for site in dict.fromkeys(sites):
            hook = self._hook_of(site)
            if hook != LIGHTNING_SCHEDULER_HOOK:
                found.append(ManualStep(site, hook))
        return found

    def _accessor_steps(self, methods) -> list[tuple[CallSite, int]]:
        """``.step()`` calls of this class family on what ``self.lr_schedulers()`` returns."""
        found = []
        for cls in self.family:
            owner = cls.outer.module_model or self.model
            for site in owner.calls:
                function = site.function
                if site.method not in methods or function is None or function.class_info is not cls:
                    continue
                index = accessor_index(owner, site.receiver, site.scope, site.order, self.family)
                if index is not None:
                    found.append((site, index))
        return found

    def _hook_of(self, site: CallSite) -> str | None:
        """The method of this class family that (through local calls) runs ``site``."""
        hooks = set()
        for chain in self.model.contexts(site.function):
            outer = chain[0].function if chain else site.function
            if outer is not None and outer.class_info in self.family:
                hooks.add(outer.name)
        if LIGHTNING_SCHEDULER_HOOK in hooks:
            return LIGHTNING_SCHEDULER_HOOK
        recurring = sorted(h for h in hooks if h in LIGHTNING_RECURRING_HOOKS)
        return recurring[0] if recurring else (hooks.pop() if len(hooks) == 1 else None)

    def logged(self, key: str) -> list[tuple[cst.BaseExpression, Scope, int]]:
        """The values this class family logs under ``key``: ``self.log(key, value)``,
        ``self.log_dict({key: value})``."""
        found = []
        for cls in self.family:
            owner = cls.outer.module_model or self.model
            for site in owner.calls:
                function = site.function
                if site.method not in LIGHTNING_LOG_METHODS or function is None \
                        or function.class_info is not cls \
                        or owner.instance_class(site.receiver, site.scope) not in self.family:
                    continue
                args = [a for a in site.node.args if not a.star]
                if site.method == "log" and len(args) >= 2 and args[0].keyword is None:
                    name = owner.fold(args[0].value, site.scope, site.order)
                    if name == key:
                        found.append((args[1].value, site.scope, site.order))
                elif site.method == "log_dict" and args and args[0].keyword is None:
                    logged = _ConfigReader(owner).dict_of(args[0].value, site.scope, site.order)
                    if logged is not None and key in logged.values:
                        found.append((logged.values[key], site.scope, site.order))
        return found


def _names(expr: cst.CSTNode):
    from lrlint.analysis.walk import iter_tree

    return (node for node in iter_tree(expr) if isinstance(node, cst.Name))


def accessor_index(model: ModuleModel, expr, scope: Scope, order: int,
                   family: list[ClassInfo] | None, depth: int = 0) -> int | None:
    """Which configured scheduler ``expr`` is, when it comes from ``self.lr_schedulers()``
    (or ``self.trainer.lr_scheduler_configs[i].scheduler``): WHOLE, an index, ANY; None when
    it does not. With ``family`` None, ``X.lr_schedulers()`` of any receiver counts."""
    if expr is None or depth > _MAX_DEPTH:
        return None
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) \
            and expr.func.attr.value == LIGHTNING_SCHEDULERS_ACCESSOR and not expr.args:
        if family is None or model.instance_class(expr.func.value, scope) in family:
            return WHOLE
        return None
    if isinstance(expr, cst.Subscript):
        inner = accessor_index(model, expr.value, scope, order, family, depth + 1)
        if inner is None:
            return None
        return _subscript_index(model, expr, scope, order) if inner == WHOLE else ANY
    if isinstance(expr, cst.Attribute) and expr.attr.value == "scheduler" \
            and isinstance(expr.value, cst.Subscript) \
            and isinstance(expr.value.value, cst.Attribute) \
            and expr.value.value.attr.value == "lr_scheduler_configs":
        return _subscript_index(model, expr.value, scope, order)
    if not isinstance(expr, cst.Name):
        return None
    found = set()
    for assignment in model.assignments_reaching(expr.value, scope, order):
        owner = assignment.scope.module_model or model
        index = None
        if assignment.kind in ("assign", "annassign", "walrus") and assignment.value is not None:
            index = accessor_index(owner, assignment.value, assignment.scope, assignment.order,
                                   family, depth + 1)
            if index is not None and assignment.unpack:
                index = assignment.unpack[0] if index == WHOLE and len(assignment.unpack) == 1 \
                    else ANY
        elif assignment.kind == "for" and assignment.loops:
            loop = assignment.loops[-1]
            if accessor_index(owner, loop.iter, assignment.scope, loop.order_start, family,
                              depth + 1) is not None:
                index = ANY
        elif assignment.kind == "param" and assignment.scope.function is not None:
            for site, argument in owner.arguments_for(assignment.scope.function, assignment.param):
                found_here = accessor_index(owner, argument, site.scope, site.order, family,
                                            depth + 1)
                if found_here is not None:
                    index = found_here if index in (None, found_here) else ANY
        if index is not None:
            found.add(index)
    if not found:
        return None
    return found.pop() if len(found) == 1 else ANY


def _subscript_index(model: ModuleModel, expr: cst.Subscript, scope: Scope, order: int) -> int:
    if len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
        value = model.fold(expr.slice[0].slice.value, scope, order)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return ANY


_MODULES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def lightning_modules(model: ModuleModel) -> list[LightningModuleInfo]:
    """The classes of this module that define ``configure_optimizers`` for a LightningModule
    (the class itself derives from one, or a subclass of it in the project does), and the
    LightningModules of this module that inherit it from a base class in another module."""
    found = _MODULES.get(model)
    if found is None:
        found = []
        for cls in model.classes:
            configure = cls.methods.get(LIGHTNING_CONFIGURE)
            if configure is not None:
                if derives_from(model, cls, LIGHTNING_MODULES) or any(
                        derives_from(model, sub, LIGHTNING_MODULES)
                        for sub in model.project.subclasses(cls)):
                    found.append(LightningModuleInfo(model, cls, configure))
                continue
            inherited = _inherited_configure(model, cls)
            if inherited is not None and derives_from(model, cls, LIGHTNING_MODULES):
                found.append(LightningModuleInfo(model, cls, inherited))
        _MODULES[model] = found
    return found


def _inherited_configure(model: ModuleModel, cls: ClassInfo) -> FunctionInfo | None:
    """The ``configure_optimizers`` a class inherits from a base of another module."""
    for base in model.class_lineage(cls)[1:]:
        if _in_lightning_package(base.outer):
            return None
        if LIGHTNING_CONFIGURE in base.methods:
            other_module = base.outer.module_model not in (None, model)
            return base.methods[LIGHTNING_CONFIGURE] if other_module else None
    return None


def configured(model: ModuleModel, scheduler: TrackedObject) -> list[tuple[LightningModuleInfo,
                                                                          SchedulerEntry]]:
    """The LightningModules of this module that return ``scheduler``, with its entry."""
    return [(module, entry) for module in lightning_modules(model) for entry in module.entries
            if scheduler in module.schedulers(entry)]


def trainer_max_epochs(model: ModuleModel) -> int | None:
    """``max_epochs`` of the project's ``Trainer(...)`` calls, when they all pass the same
    constant."""
    values = set()
    for member in model.project.members or [model]:
        for site in calls_of(member, LIGHTNING_TRAINERS):
            argument = keyword(site.node, "max_epochs")
            value = member.fold(argument, site.scope, site.order) if argument is not None else None
            values.add(value if isinstance(value, int) and not isinstance(value, bool) else None)
    return values.pop() if len(values) == 1 else None


# -- units --------------------------------------------------------------------------------------


class LightningUnits(UnitReader):
    """Units as ``UnitReader`` reads them, plus what Lightning's Trainer counts
    (``self.trainer.max_steps`` is optimizer steps) and parameters read through what every
    caller passes (``build_scheduler(optimizer, self.trainer.estimated_stepping_batches)``)."""

    def _unit(self, expr, scope: Scope, order: int, depth: int) -> Unit:
        if isinstance(expr, cst.Attribute) and _on_trainer(expr.value):
            known = LIGHTNING_TRAINER_COUNTS.get(expr.attr.value)
            if known is not None:
                return Unit(known)
        if isinstance(expr, cst.Name) and depth <= 8:
            found = self._through_parameters(expr, scope, order, depth)
            if found is not None:
                return found
        return super()._unit(expr, scope, order, depth)

    def _through_parameters(self, expr: cst.Name, scope: Scope, order: int,
                            depth: int) -> Unit | None:
        model = self.model
        scope = model.scope_of(expr) or scope
        bindings = model.assignments_reaching(expr.value, scope, order)
        if not bindings or any(b.kind != "param" or b.scope.function is None for b in bindings):
            return None
        units = {self.unit(argument, site.scope, site.order, depth + 1)
                 for b in bindings
                 for site, argument in model.arguments_for(b.scope.function, b.param)}
        return units.pop() if len(units) == 1 else None


def _on_trainer(expr: cst.BaseExpression) -> bool:
    """``self.trainer`` / ``trainer``: Lightning's Trainer, by the name Lightning gives it."""
    return (isinstance(expr, cst.Attribute) and expr.attr.value == "trainer") or (
        isinstance(expr, cst.Name) and expr.value == "trainer")


_UNITS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def lightning_units(model: ModuleModel) -> LightningUnits:
    found = _UNITS.get(model)
    if found is None:
        found = _UNITS[model] = LightningUnits(model)
    return found


# -- files the run did not model ----------------------------------------------------------------

# Bytes by which a file may step the schedulers Lightning hands back without any import linking
# it to the LightningModule (a Callback receives pl_module and trainer from Lightning).
_SCHEDULER_REACH = (b"lr_schedulers", b"lr_scheduler_configs", b"lr_scheduler_step")
_MAX_SCANNED_FILES = 20_000
_MAX_SCANNED_BYTES = 1 << 20
_SKIPPED_DIRECTORIES = frozenset({"__pycache__", "site-packages", "node_modules", "venv", "env"})


def unmodelled_scheduler_steps(model: ModuleModel) -> bool:
    """Whether a project file that this run did not model may step Lightning's schedulers.

    The run models only the files its plan says can see a tracked object, and Lightning calls a
    callback (``pl_module.lr_schedulers().step()``) that no import ties to the module: such a
    file is found by its bytes. True (it may) when the project is too large to read.
    """
    project = model.project
    if project is None or project.locator is None or model.path is None \
            or not os.path.isfile(model.path):
        return False  # a source linted alone (lint_source): no project around it
    root = _project_root(os.path.dirname(os.path.abspath(model.path)))
    key = ("lightning.unmodelled_scheduler_steps", root)
    if key not in project.memo:
        modelled = {os.path.abspath(m.path) for m in project.members if m.path is not None}
        project.memo[key] = _any_file_reaches(root, modelled)
    return bool(project.memo[key])


def _project_root(directory: str) -> str:
    """The nearest directory at or above ``directory`` with a project marker, else
    ``directory`` itself (a folder of scripts)."""
    from lrlint.project.modules import ROOT_MARKERS

    current = directory
    while True:
        if any(os.path.exists(os.path.join(current, marker)) for marker in ROOT_MARKERS):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return directory
        current = parent


def _any_file_reaches(root: str, modelled: set[str]) -> bool:
    scanned = 0
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [d for d in subdirectories
                             if not d.startswith(".") and d not in _SKIPPED_DIRECTORIES]
        for name in files:
            path = os.path.join(directory, name)
            if not name.endswith(".py") or path in modelled:
                continue
            scanned += 1
            if scanned > _MAX_SCANNED_FILES:
                return True
            try:
                with open(path, "rb") as stream:
                    data = stream.read(_MAX_SCANNED_BYTES)
            except OSError:
                continue
            if any(word in data for word in _SCHEDULER_REACH) or (
                    b"sched" in data and b".step(" in data):
                return True
    return False
