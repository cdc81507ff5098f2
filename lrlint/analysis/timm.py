"""timm schedulers in the model: which call moves each one, which calls drive it, and the unit
each of its lengths is written in.

A timm scheduler (``timm.scheduler``, timm 1.0.31) keeps no step counter: the loop passes the
time. ``step(epoch, metric=None)`` sets the LR to ``_get_lr(epoch)`` only when ``t_in_epochs``
is True (the default), ``step_update(num_updates, metric=None)`` only when it is False; the
other call does nothing (``Scheduler._get_values``). The timm rules ask here which of the two
moves a scheduler (:func:`moving_method`), which of them the code calls (:func:`drive`), and
whether code lrlint cannot see may call the other one (:func:`may_be_driven_unseen`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import SimpleNamespace

import libcst as cst

from lrlint.analysis.escape import EscapeAnalysis
from lrlint.analysis.evaluate import Unknown
from lrlint.analysis.facts import Scope
from lrlint.analysis.frameworks import (
    TIMM_LENGTH_ARGUMENTS,
    TIMM_ON_UPDATES_ATTRIBUTE,
    TIMM_STEP_METHODS,
    TIMM_UNIT_ARGUMENT,
    TIMM_WARMUP_ARGUMENT,
)
from lrlint.analysis.model import Event, ModuleModel, TrackedObject
from lrlint.analysis.units import Unit

EPOCH_METHOD, UPDATE_METHOD = TIMM_STEP_METHODS
_SCHEDULER_NAME = re.compile(r"sched", re.IGNORECASE)
# What `create_scheduler(args, ...)` reads off `args` (scheduler_factory.scheduler_kwargs).
_FACTORY_ATTRIBUTES = (
    "sched", "epochs", "decay_epochs", "decay_milestones", "warmup_epochs", "cooldown_epochs",
    "patience_epochs", "decay_rate", "min_lr", "warmup_lr", "warmup_prefix", "lr_noise",
    "lr_noise_pct", "lr_noise_std", "seed", "lr_cycle_mul", "lr_cycle_decay", "lr_cycle_limit",
    "lr_k_decay", "lr_decay_fn", "lr_stable_timescale", "eval_metric", TIMM_ON_UPDATES_ATTRIBUTE,
)


def timm_schedulers(model: ModuleModel) -> list[TrackedObject]:
    """The timm schedulers built here whose stepping API is timm's own (a project subclass
    that overrides ``step``/``step_update`` has an API of its own)."""
    return [s for s in model.standalone_schedulers
            if s.family == "timm" and not overrides_stepping(model, s)]


def overrides_stepping(model: ModuleModel, scheduler: TrackedObject) -> bool:
    if scheduler.custom is None:
        return False
    return any(method in cls.methods for cls in model.class_lineage(scheduler.custom)
               for method in TIMM_STEP_METHODS)


# -- the unit ------------------------------------------------------------------------------


def t_in_epochs(model: ModuleModel, scheduler: TrackedObject) -> bool | Unknown:
    """Whether ``step(epoch)`` (True) or ``step_update(n)`` (False) moves the scheduler."""
    if scheduler.site is None:
        return Unknown("the scheduler is a parameter")
    short = scheduler.torch_class
    if scheduler.custom is not None:
        return _custom_unit(model, scheduler)
    if short == "PlateauLRScheduler":
        return True
    if short == "create_scheduler":
        on_updates = _namespace_attribute(model, scheduler, TIMM_ON_UPDATES_ATTRIBUTE, False)
        return not on_updates if isinstance(on_updates, bool) else Unknown(
            f"`{TIMM_ON_UPDATES_ATTRIBUTE}` is not known")
    if scheduler.has_star_args:
        return Unknown("arguments are passed with * or **")
    name, default = TIMM_UNIT_ARGUMENT.get(short, (None, None))
    if name is None:
        return Unknown(f"{short} is not a timm scheduler lrlint knows")
    value = model.folded_arg(scheduler, name, default)
    return value if isinstance(value, bool) else Unknown(f"`{name}` is not a constant")


def _custom_unit(model: ModuleModel, scheduler: TrackedObject) -> bool | Unknown:
    """A project subclass: ``t_in_epochs`` as passed, else its ``__init__``'s default."""
    if "t_in_epochs" in scheduler.args:
        value = model.folded_arg(scheduler, "t_in_epochs", None)
        return value if isinstance(value, bool) else Unknown("`t_in_epochs` is not a constant")
    for cls in model.class_lineage(scheduler.custom):
        init = cls.methods.get("__init__")
        if init is None:
            continue
        param = next((p for p in init.params if p.name == "t_in_epochs"), None)
        if param is None or param.default is None:
            break
        owner = cls.outer.module_model or model
        value = owner.fold(param.default, init.scope, 0)
        return value if isinstance(value, bool) else Unknown("`t_in_epochs` is not a constant")
    return Unknown(f"{scheduler.short} does not say which call moves it")


def moving_method(model: ModuleModel, scheduler: TrackedObject) -> str | None:
    """``"step"`` or ``"step_update"``: the call that moves the LR; None when unknown."""
    unit = t_in_epochs(model, scheduler)
    if isinstance(unit, Unknown):
        return None
    return EPOCH_METHOD if unit else UPDATE_METHOD


def unit_words(model: ModuleModel, scheduler: TrackedObject) -> str:
    """How a message names the setting: ``t_in_epochs=True (timm's default)``."""
    short = scheduler.torch_class
    unit = t_in_epochs(model, scheduler)
    if short == "PlateauLRScheduler":
        return "PlateauLRScheduler, which only moves in step(epoch)"
    if short == "create_scheduler":
        passed = not unit if isinstance(unit, bool) else None
        return f"`args.{TIMM_ON_UPDATES_ATTRIBUTE}={passed}`"
    name, default = TIMM_UNIT_ARGUMENT.get(short, ("t_in_epochs", True))
    expr = scheduler.args.get(name)
    if expr is None:
        return f"{name}={default} (timm's default)"
    text = model.code_for(expr)
    return f"{name}={text}" if text in ("True", "False") else f"{name}={text} ({unit})"


# -- the calls that drive it ----------------------------------------------------------------


@dataclass(frozen=True)
class Drive:
    """The calls on a timm scheduler: ``step(...)`` and ``step_update(...)``."""

    epoch_steps: tuple[Event, ...]
    update_steps: tuple[Event, ...]

    def of(self, method: str) -> tuple[Event, ...]:
        return self.epoch_steps if method == EPOCH_METHOD else self.update_steps


def drive(scheduler: TrackedObject) -> Drive:
    return Drive(tuple(scheduler.events_named(EPOCH_METHOD)),
                 tuple(scheduler.events_named(UPDATE_METHOD)))


def may_be_driven_unseen(model: ModuleModel, scheduler: TrackedObject) -> bool:
    """True when code lrlint does not see may step the scheduler: it escapes to code outside
    the project (a trainer, Lightning's ``lr_scheduler_step`` hook), a ``.step(...)`` on a
    receiver the model cannot resolve may be its, or a scheduler class wraps it."""
    key = ("timm-unseen", scheduler)
    if key not in model.fold_cache:
        model.fold_cache[key] = _driven_unseen(model, scheduler)
    return model.fold_cache[key]  # type: ignore[return-value]


def _driven_unseen(model: ModuleModel, scheduler: TrackedObject) -> bool:
    if scheduler.site is None:
        return True
    events = scheduler.events_named(*TIMM_STEP_METHODS)
    modules = [scheduler.scope.module_model or model]
    for event in events:
        owner = event.site.scope.module_model or model
        if owner.inside_scheduler_class(event.site.scope):
            return True  # a wrapper's machinery: who steps the wrapper?
        if owner not in modules:
            modules.append(owner)
    names = {name for m in modules[:1] for name in m.binding_names(scheduler)}
    names |= {_last_name(e.site.receiver) for e in events} - {None}
    for index, module in enumerate(modules):
        if _unresolved_step(module, names):
            return True
        escapes = _Escapes(module)
        if escapes.of(scheduler).anywhere if index == 0 else escapes.used_outside(scheduler):
            return True
    return False


def _unresolved_step(model: ModuleModel, names: set[str]) -> bool:
    """A ``x.step(...)``/``x.step_update(...)`` the model resolves to nothing, on a receiver
    named like a scheduler (``scheduler`` of Lightning's ``lr_scheduler_step`` hook)."""
    for site in model.calls:
        if site.method not in TIMM_STEP_METHODS:
            continue
        last = _last_name(site.receiver)
        if last is None or not (last in names or _SCHEDULER_NAME.search(last)):
            continue
        if not model.resolve(site.receiver, site.scope, site.order, site.path):
            return True
    return False


def _last_name(expr: cst.BaseExpression | None) -> str | None:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return None


class _Escapes(EscapeAnalysis):
    """Where a timm scheduler goes, its own method calls aside (they are its events, seen in
    every module that makes them), following a return to the project's callers."""

    def _constructor_escapes(self, obj: TrackedObject) -> bool:
        if isinstance(self._parent(obj.site.node), cst.Return) and self._has_callers(
                obj.site.scope):
            return False  # `return CosineLRScheduler(...)` from the project's build_scheduler
        return super()._constructor_escapes(obj)

    def _use_escapes(self, node: cst.BaseExpression, scope: Scope) -> bool:
        parent = self._parent(node)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            return False
        if isinstance(parent, cst.Element):  # `return optimizer, scheduler`
            parent = self._parent(self._parent(parent))
        if isinstance(parent, cst.Return):
            return not self._has_callers(scope)
        return super()._use_escapes(node, scope)

    def used_outside(self, obj: TrackedObject) -> bool:
        """A use in this module (not where it is built) hands it to unseen code."""
        return any(self._use_escapes(node, scope) for node, scope, _ in self.model.loads_of(obj))

    def _has_callers(self, scope: Scope) -> bool:
        function = self.model.function_containing(scope)
        return function is not None and bool(self.model.callers(function))


# -- lengths and their units ----------------------------------------------------------------


@dataclass(frozen=True)
class Length:
    """A length argument of the scheduler, and the unit its expression is written in."""

    name: str
    expr: cst.BaseExpression
    unit: Unit


def lengths(model: ModuleModel, scheduler: TrackedObject) -> tuple[list[Length], Length | None]:
    """(the schedule's length arguments, its warm-up argument) that are passed, with their
    units (``model.units``)."""
    short = scheduler.torch_class if scheduler.custom is None else None
    site = scheduler.site
    if short is None or site is None:
        return [], None

    def length(name: str) -> Length | None:
        expr = scheduler.args.get(name)
        if expr is None:
            return None
        return Length(name, expr, model.units.unit(expr, site.scope, site.order))

    found = [length(name) for name in TIMM_LENGTH_ARGUMENTS.get(short, ())]
    warmup = TIMM_WARMUP_ARGUMENT.get(short)
    return [f for f in found if f is not None], length(warmup) if warmup else None


def unit_mix(model: ModuleModel, scheduler: TrackedObject) -> tuple[Length, Length] | None:
    """(the schedule's length, the warm-up) when one counts epochs and the other updates."""
    found, warmup = lengths(model, scheduler)
    counted = (Unit.EPOCH, Unit.ITERATION)
    if warmup is None or warmup.unit not in counted:
        return None
    others = [f for f in found if f.unit in counted]
    if not others or any(f.unit is not others[0].unit for f in others):
        return None
    return (others[0], warmup) if others[0].unit is not warmup.unit else None


# -- create_scheduler(args, ...) -------------------------------------------------------------


def factory_namespace(model: ModuleModel, scheduler: TrackedObject) -> SimpleNamespace | Unknown:
    """The ``args`` of ``create_scheduler(args, optimizer, ...)`` as a namespace of the values
    timm reads from it: each attribute folded, or left out (timm's ``getattr`` default applies)
    when nothing in the project can set it."""
    namespace = SimpleNamespace()
    for attr in _FACTORY_ATTRIBUTES:
        value = _namespace_attribute(model, scheduler, attr, _ABSENT)
        if isinstance(value, Unknown):
            return value
        if value is not _ABSENT:
            setattr(namespace, attr, value)
    return namespace


_ABSENT = object()


def _namespace_attribute(model: ModuleModel, scheduler: TrackedObject, attr: str,
                         absent: object) -> object:
    """``args.<attr>`` folded at the factory call, ``absent`` when the project never names
    the attribute (nor a ``--flag`` for it), or Unknown."""
    expr = scheduler.args.get("args")
    site = scheduler.site
    if expr is None or site is None:
        return Unknown("`args` is not passed")
    value = _fold_attribute(model, expr, attr, site)
    if not isinstance(value, Unknown):
        return value
    # An option nothing defines is absent only from a namespace lrlint can read (argparse
    # defaults, a config class): `args.sched`, which timm requires, must fold. A namespace
    # loaded from a YAML file may set anything.
    if not _mentioned(model, attr) and \
            not isinstance(_fold_attribute(model, expr, "sched", site), Unknown):
        return absent
    return Unknown(f"`args.{attr}` is not a constant ({value.reason})")


def _fold_attribute(model: ModuleModel, expr: cst.BaseExpression, attr: str, site) -> object:
    return model.fold(cst.Attribute(value=expr, attr=cst.Name(attr)), site.scope, site.order)


def _mentioned(model: ModuleModel, attr: str) -> bool:
    """The project's code names ``attr`` (or its ``--dashed-flag``) somewhere."""
    spellings = (attr, attr.replace("_", "-"))
    for member in model.project.members or [model]:
        key = ("timm-code",)
        code = member.fold_cache.get(key)
        if code is None:
            code = member.fold_cache[key] = member.module.code
        if any(spelling in code for spelling in spellings):  # type: ignore[operator]
            return True
    return False


def factory_lengths_in_updates(model: ModuleModel, scheduler: TrackedObject) -> list[Length]:
    """``create_scheduler_v2(step_on_epochs=False, ...)`` multiplies its lengths by
    ``updates_per_epoch``: the lengths already written in updates (none in epochs)."""
    if scheduler.torch_class != "create_scheduler_v2" or scheduler.custom is not None:
        return []
    if model.folded_arg(scheduler, "step_on_epochs", True) is not False:
        return []
    found, warmup = lengths(model, scheduler)
    found = found + ([warmup] if warmup is not None else [])
    if any(f.unit is Unit.EPOCH for f in found):
        return []
    return [f for f in found if f.unit is Unit.ITERATION]


def named(scheduler: TrackedObject) -> str:
    """How a message names the scheduler: the class, or what a factory returns."""
    if scheduler.torch_class in ("create_scheduler", "create_scheduler_v2"):
        return f"the scheduler {scheduler.short}() returns"
    return scheduler.short


_CYCLES = ("CosineLRScheduler", "TanhLRScheduler", "PolyLRScheduler")


def schedule_end(name: str, arguments: dict) -> object:
    """Where the decay of timm class ``name`` (``"timm.CosineLRScheduler"``) with its full
    ``arguments`` is over, in its own unit; None when it never is (or lrlint does not say)."""
    short = name.removeprefix("timm.")
    warmup = arguments.get("warmup_t") or 0
    prefix = warmup if arguments.get("warmup_prefix") else 0
    if short in _CYCLES and arguments.get("cycle_limit") == 1:
        return arguments["t_initial"] + prefix
    if short == "WSDLRScheduler":
        return warmup + arguments["t_initial"]
    if short == "MultiStepLRScheduler" and arguments.get("decay_t"):
        return max(arguments["decay_t"]) + prefix
    return None


# -- lengths against the counts the loop passes ----------------------------------------------


@dataclass(frozen=True)
class DriveMismatch:
    """The schedule's lengths count one unit, the calls that move it pass the other."""

    length: Length  # the first length argument in the schedule's unit
    unit: Unit  # that unit: EPOCH (passed updates) or ITERATION (passed epochs)
    calls: tuple[Event, ...]  # the moving calls, each passing the other unit


def drive_mismatch(model: ModuleModel, scheduler: TrackedObject) -> DriveMismatch | None:
    """``t_in_epochs=False`` with lengths in epochs while ``step_update`` gets update counts in
    a batch loop; or lengths in updates while ``step`` gets the epoch. (A factory converts its
    epoch lengths itself: only its lengths in updates stepped with the epoch count.)"""
    method = moving_method(model, scheduler)
    found, warmup = lengths(model, scheduler)
    counted = [f for f in (*found, *([warmup] if warmup else ())) if f.unit is not Unit.LITERAL]
    if method is None or not counted or any(f.unit is not counted[0].unit for f in counted):
        return None
    unit = counted[0].unit
    calls = drive(scheduler).of(method)
    if not calls:
        return None
    if method == UPDATE_METHOD and unit is Unit.EPOCH and \
            scheduler.torch_class != "create_scheduler_v2":
        passes = all(_passes_updates(model, event) for event in calls)
    elif method == EPOCH_METHOD and unit is Unit.ITERATION:
        passes = all(_passes_epochs(model, event) for event in calls)
    else:
        return None
    return DriveMismatch(counted[0], unit, calls) if passes else None


def _argument(event: Event) -> cst.BaseExpression | None:
    args = event.node.args
    if not args or args[0].star or (args[0].keyword is not None and
                                    args[0].keyword.value not in ("epoch", "num_updates")):
        return None
    return args[0].value


def _passes_updates(model: ModuleModel, event: Event) -> bool:
    """The call runs inside a batch loop and passes a whole count that is not in epochs (a
    fraction of an epoch, ``epoch + i / n``, would be epochs again)."""
    from lrlint.analysis.chains import frames
    from lrlint.analysis.loops import LoopKind
    from lrlint.analysis.walk import iter_tree

    argument = _argument(event)
    if argument is None or any(
            isinstance(node, cst.Float) or (isinstance(node, cst.BinaryOperation)
                                            and isinstance(node.operator, cst.Divide))
            for node in iter_tree(argument)):
        return False
    site = event.site
    if model.units.unit(argument, site.scope, site.order) is Unit.EPOCH:
        return False
    return any(model.loop_kinds.kind(frame) is LoopKind.BATCH for frame in frames(event.chain))


def _passes_epochs(model: ModuleModel, event: Event) -> bool:
    """The call passes the epoch: an expression in epochs (``epoch + 1``)."""
    argument = _argument(event)
    site = event.site
    return argument is not None and \
        model.units.unit(argument, site.scope, site.order) is Unit.EPOCH
