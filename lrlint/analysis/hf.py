"""Hugging Face transformers: the ``TrainingArguments`` a module builds (or subclasses with new
defaults), the ``Trainer`` calls that receive an optimizer and scheduler, and the numbers of a
schedule factory call (its warm-up and length).

A ``TrainingArguments`` setting comes from a keyword of the call, else from a dataclass field
default of a project subclass (``lr_scheduler_type: str = field(default="constant")``), else
from transformers' own default (``frameworks.HF_TRAINING_DEFAULTS``). A project subclass is
also read on its own: ``HfArgumentParser`` builds it from the command line, so its defaults are
the run's settings unless a flag overrides them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from lrlint.analysis.collect import string_value
from lrlint.analysis.evaluate import Unknown
from lrlint.analysis.frameworks import (
    HF_TRAINERS,
    HF_TRAINING_ARGUMENTS,
    HF_TRAINING_DEFAULTS,
    derives_from,
    keyword,
)
from lrlint.analysis.queries import is_number

if TYPE_CHECKING:
    from lrlint.analysis.facts import CallSite, ClassInfo, Scope
    from lrlint.analysis.model import ModuleModel, TrackedObject

_FIELD_FUNCTIONS = frozenset({"dataclasses.field", "field"})


@dataclass(frozen=True)
class Setting:
    """One ``TrainingArguments`` value as written: a call keyword or a field default."""

    name: str
    expr: cst.BaseExpression
    model: ModuleModel
    scope: Scope
    order: int
    origin: str  # "call" or "default"

    def fold(self) -> object:
        return self.model.fold(self.expr, self.scope, self.order)

    @property
    def code(self) -> str:
        return self.model.code_for(self.expr)


@dataclass
class TrainingArgs:
    """A ``TrainingArguments(...)`` call, or a project subclass's defaults (``node`` is the
    call or the class definition)."""

    node: cst.CSTNode
    model: ModuleModel
    settings: dict[str, Setting] = field(default_factory=dict)
    opaque: bool = False  # **kwargs or a positional argument: settings may be hidden

    def value(self, name: str) -> object:
        """The folded setting (transformers' default when it is not set), or Unknown."""
        setting = self.settings.get(name)
        if setting is None:
            if self.opaque:
                return Unknown(f"`{name}` may be passed through **kwargs")
            return HF_TRAINING_DEFAULTS.get(name, Unknown(f"no default known for `{name}`"))
        return setting.fold()

    def written(self, name: str) -> bool:
        return name in self.settings


def training_arguments(model: ModuleModel) -> list[TrainingArgs]:
    """Every ``TrainingArguments`` call of this module and every subclass it defines."""
    key = ("hf.training_arguments",)
    found = model.fold_cache.get(key)
    if found is not None:
        return found
    found = []
    for cls in model.classes:
        if derives_from(model, cls, HF_TRAINING_ARGUMENTS):
            found.append(TrainingArgs(cls.node, model, class_defaults(model, cls)))
    for site in model.calls:
        args = _call_arguments(model, site)
        if args is not None:
            found.append(args)
    model.fold_cache[key] = found
    return found


def _call_arguments(model: ModuleModel, site: CallSite) -> TrainingArgs | None:
    call = site.node
    settings: dict[str, Setting] = {}
    if model.qualified_name(call.func) not in HF_TRAINING_ARGUMENTS:
        cls = model.class_for(call.func, site.scope) \
            if isinstance(call.func, (cst.Name, cst.Attribute)) else None
        if cls is None or not derives_from(model, cls, HF_TRAINING_ARGUMENTS):
            return None
        settings.update(class_defaults(model, cls))
    found = TrainingArgs(call, model, settings, opaque=any(a.star == "**" for a in call.args))
    for arg in call.args:
        if arg.keyword is not None:
            name = arg.keyword.value
            found.settings[name] = Setting(name, arg.value, model, site.scope, site.order, "call")
    return found


def class_defaults(model: ModuleModel, cls: ClassInfo) -> dict[str, Setting]:
    """Field defaults of a dataclass subclass and its project bases (nearest first wins)."""
    settings: dict[str, Setting] = {}
    for owner_cls in model.class_lineage(cls):
        owner = owner_cls.outer.module_model or model
        for name, assignments in owner_cls.scope.assignments.items():
            if name in settings:
                continue
            for assignment in assignments:
                if assignment.kind not in ("assign", "annassign") or assignment.value is None:
                    continue
                value = _field_default(owner, assignment.value)
                if value is not None:
                    settings[name] = Setting(name, value, owner, owner_cls.scope,
                                             assignment.order, "default")
    return settings


def _field_default(model: ModuleModel, value: cst.BaseExpression) -> cst.BaseExpression | None:
    """``x`` of ``field(default=x, ...)``, or the value itself when it is not a ``field``."""
    if isinstance(value, cst.Call):
        name = model.qualified_name(value.func)
        if name in _FIELD_FUNCTIONS or (isinstance(value.func, cst.Name)
                                        and value.func.value == "field"):
            return keyword(value, "default")
        return None
    return value


def literal_type(setting_expr: cst.BaseExpression, model: ModuleModel, scope: Scope,
                 order: int) -> str | None:
    """A scheduler type fixed in the code: a string literal, ``SchedulerType.CONSTANT``, or a
    name bound only to such literals (not an argparse option, whose default the command line
    may change)."""
    text = string_value(setting_expr)
    if text is not None:
        return text
    if isinstance(setting_expr, cst.Attribute):
        qualified = model.qualified_name(setting_expr) or ""
        if qualified.rpartition(".")[0].endswith("SchedulerType"):
            return setting_expr.attr.value.lower()
        return None
    if isinstance(setting_expr, cst.Name):
        name_scope = model.scope_of(setting_expr) or scope
        bindings = model.assignments_reaching(setting_expr.value, name_scope, order)
        values = {string_value(b.value) if b.kind == "assign" and b.value is not None else None
                  for b in bindings}
        if len(values) == 1 and None not in values:
            return values.pop()
    return None


# -- Trainer(optimizers=(optimizer, scheduler)) --------------------------------------------


@dataclass(frozen=True)
class TrainerCall:
    site: CallSite
    model: ModuleModel
    scheduler: TrackedObject
    scheduler_expr: cst.BaseExpression
    args: TrainingArgs | None  # the TrainingArguments passed as args=, when known

    def argument(self, name: str) -> cst.BaseExpression | None:
        return keyword(self.site.node, name)


def trainer_calls(model: ModuleModel) -> list[TrainerCall]:
    """``Trainer(..., optimizers=(optimizer, scheduler))`` calls of this module (also
    ``Seq2SeqTrainer``, TRL's trainers and project subclasses)."""
    found = []
    for site in model.calls:
        call = site.node
        if not _is_trainer(model, call, site.scope):
            continue
        optimizers = keyword(call, "optimizers")
        if optimizers is None:
            continue
        element = _second_element(model, optimizers, site)
        if element is not None:
            places = [(element, site.scope, site.order, site.path)]
        else:
            places = [(value, scope, order, ())
                      for value, scope, order in _returned_schedulers(model, optimizers, site)]
        for expr, scope, order, path in places:
            for ref in model.resolve(expr, scope, order, path):
                if ref.obj.kind.value == "scheduler":
                    found.append(TrainerCall(site, model, ref.obj, expr,
                                             _arguments_passed(model, call, site)))
    return found


def _is_trainer(model: ModuleModel, call: cst.Call, scope: Scope) -> bool:
    if model.qualified_name(call.func) in HF_TRAINERS:
        return True
    if not isinstance(call.func, (cst.Name, cst.Attribute)):
        return False
    cls = model.class_for(call.func, scope)
    return cls is not None and derives_from(model, cls, HF_TRAINERS)


def _second_element(model: ModuleModel, expr: cst.BaseExpression,
                    site: CallSite) -> cst.BaseExpression | None:
    if isinstance(expr, cst.Name):
        bindings = model.assignments_reaching(expr.value, site.scope, site.order, site.path)
        if len(bindings) != 1 or bindings[0].value is None or bindings[0].unpack:
            return None
        expr = bindings[0].value
    if isinstance(expr, (cst.Tuple, cst.List)) and len(expr.elements) == 2:
        element = expr.elements[1]
        if isinstance(element, cst.Element):
            return element.value
    return None


def _returned_schedulers(model: ModuleModel, expr: cst.BaseExpression, site: CallSite):
    """``optimizers = build(...)`` where the project function returns ``optimizer, scheduler``:
    (second element, its scope, order) of each such return."""
    if isinstance(expr, cst.Name):
        bindings = model.assignments_reaching(expr.value, site.scope, site.order, site.path)
        if len(bindings) != 1 or not isinstance(bindings[0].value, cst.Call) \
                or bindings[0].unpack:
            return
        expr = bindings[0].value
    if not isinstance(expr, cst.Call):
        return
    for function in model.called_functions(expr, site.scope):
        for value, order in function.returns:
            if isinstance(value, cst.Tuple) and len(value.elements) == 2:
                yield value.elements[1].value, function.scope, order


def _arguments_passed(model: ModuleModel, call: cst.Call, site: CallSite) -> TrainingArgs | None:
    """The TrainingArguments call bound to the Trainer's ``args=`` (or first positional)."""
    expr = keyword(call, "args")
    if expr is None:
        positional = [a for a in call.args if a.keyword is None and not a.star]
        expr = positional[1].value if len(positional) > 1 else None
    if expr is None:
        return None
    if isinstance(expr, cst.Name):
        bindings = model.assignments_reaching(expr.value, site.scope, site.order, site.path)
        if len(bindings) != 1 or not isinstance(bindings[0].value, cst.Call):
            return None
        expr = bindings[0].value
    for args in training_arguments(model):
        if args.node is expr:
            return args
    return None


# -- the numbers of a factory call -----------------------------------------------------------


@dataclass(frozen=True)
class Number:
    """A folded argument, with the expression it was written as."""

    value: float
    expr: cst.BaseExpression

    @property
    def is_whole(self) -> bool:
        return float(self.value).is_integer()


def number(model: ModuleModel, scheduler: TrackedObject, name: str) -> Number | None:
    """The scheduler argument ``name`` when it folds to a number."""
    expr = scheduler.args.get(name)
    if expr is None or scheduler.site is None:
        return None
    value = model.fold(expr, scheduler.site.scope, scheduler.site.order)
    return Number(value, expr) if is_number(value) else None


def scheduler_type(model: ModuleModel, scheduler: TrackedObject) -> str | None:
    """The schedule ``get_scheduler`` builds (its ``name`` folded), or the factory's own."""
    if scheduler.torch_class != "get_scheduler":
        return None
    value = model.folded_arg(scheduler, "name", None)
    if isinstance(value, str):
        return value
    expr = scheduler.args.get("name")
    if expr is not None and scheduler.site is not None:
        return literal_type(expr, model, scheduler.site.scope, scheduler.site.order)
    return None


def factory_type(model: ModuleModel, scheduler: TrackedObject) -> str | None:
    """The schedule a factory call builds, as a ``SchedulerType`` string where known
    (``get_scheduler``'s folded name; a named factory's own type), else None."""
    from lrlint.analysis.frameworks import HF_SCHEDULER_TYPES

    if scheduler.torch_class == "get_scheduler":
        return scheduler_type(model, scheduler)
    for kind, factory in HF_SCHEDULER_TYPES.items():
        if factory == scheduler.torch_class:
            return kind
    return None


def reads_warmup(model: ModuleModel, scheduler: TrackedObject) -> bool:
    """The factory ramps over ``num_warmup_steps`` (``get_scheduler`` only for a known type
    that does: "constant" drops it)."""
    from lrlint.analysis.frameworks import HF_TYPES_WITHOUT_WARMUP, HF_WARMUP_FACTORIES

    if scheduler.torch_class not in HF_WARMUP_FACTORIES or scheduler.custom is not None:
        return False
    kind = factory_type(model, scheduler)
    if scheduler.torch_class == "get_scheduler":
        return kind is not None and kind not in HF_TYPES_WITHOUT_WARMUP
    return True
