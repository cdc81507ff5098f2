"""The schedule a scheduler in the source declares, built with ``lrlint.schedules``.

Every constructor argument is constant-folded (lambdas become step functions, the children of a
``SequentialLR`` are declared recursively) and the base LR comes from the optimizer it drives.
When something does not fold, the result says which argument and why; when torch itself would
refuse the arguments, the result carries torch's exception (``LR007`` reports it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from lrlint.analysis.evaluate import EvaluationError, Unknown
from lrlint.analysis.torch_api import OPTIMIZER_DEFAULT_LR
from lrlint.analysis.values import fold_in, step_function_in

if TYPE_CHECKING:
    from lrlint.analysis.model import ModuleModel, TrackedObject
    from lrlint.schedules import Schedule

_MOMENTUM_OPTIMIZERS = ("SGD", "RMSprop", "Muon")
_BETAS_OPTIMIZERS = ("Adam", "AdamW", "Adamax", "NAdam", "RAdam", "SparseAdam")
_TORCH_ERRORS = (ValueError, TypeError, ZeroDivisionError, KeyError, IndexError, OverflowError)


@dataclass(frozen=True)
class Declared:
    """A built schedule, or why there is none (``reason``), or torch's error (``error``)."""

    schedule: Schedule | None = None
    reason: str = ""
    error: Exception | None = None
    base_lr: object = None

    @property
    def ok(self) -> bool:
        return self.schedule is not None


def schedule_of(model: ModuleModel, scheduler: TrackedObject, depth: int = 0) -> Declared:
    """The schedule ``scheduler`` declares (memoised), or why there is none. Never raises: a
    lambda the evaluator cannot follow, or torch's own error, is a ``reason``/``error``."""
    key = ("declared", scheduler)
    if key not in model.fold_cache:
        model.fold_cache[key] = Declared(reason="defined in terms of itself")
        try:
            result = _declare(model, scheduler, depth)
        except evaluation_errors() as error:
            result = Declared(reason=f"cannot evaluate the schedule: {error}")
        model.fold_cache[key] = result
    return model.fold_cache[key]  # type: ignore[return-value]


def evaluation_errors() -> tuple[type[BaseException], ...]:
    """What building or stepping a mirror schedule may raise: torch's errors, the evaluator's
    (a lambda it cannot follow) and lrlint's own ``ScheduleError``."""
    from lrlint.schedules import ScheduleError

    return (ArithmeticError, ValueError, TypeError, KeyError, IndexError, EvaluationError,
            ScheduleError)


def _declare(model: ModuleModel, scheduler: TrackedObject, depth: int) -> Declared:
    from lrlint import schedules

    if scheduler.site is None:
        return Declared(reason="the scheduler is a parameter of a function")
    if scheduler.custom is not None:
        return Declared(reason=f"{scheduler.short} is a custom scheduler class")
    timm = scheduler.family == "timm"
    name = f"timm.{scheduler.short}" if timm else scheduler.short
    if name not in (schedules.TIMM_NAMES if timm else schedules.SCHEDULE_NAMES):
        return Declared(reason=f"{scheduler.short} has no model in lrlint.schedules")
    if scheduler.has_star_args:
        return Declared(reason="arguments are passed with * or **")
    optimizers = model.optimizers_of(scheduler)
    if len(optimizers) != 1:
        return Declared(reason="its optimizer is not known" if not optimizers
                        else "it may drive several optimizers")
    optimizer = optimizers[0]
    base = optimizer_base_lrs(model, optimizer)
    if isinstance(base, Unknown):
        return Declared(reason=f"the optimizer's lr is not a constant ({base.reason})")
    site = scheduler.site
    kwargs: dict[str, object] = {}
    for arg_name, expr in scheduler.args.items():
        if arg_name == "optimizer":
            continue
        value = _timm_argument(model, scheduler, arg_name) if timm else \
            _argument(model, arg_name, expr, site, depth)
        if isinstance(value, Unknown):
            return Declared(reason=f"`{arg_name}` is not a constant ({value.reason})", base_lr=base)
        kwargs[arg_name] = value
    try:
        schedule = schedules.build(name, base, optimizer_defaults=optimizer_defaults(model, optimizer),
                                   **kwargs)
    except schedules.ScheduleError as error:
        return Declared(reason=str(error), base_lr=base)
    except EvaluationError as error:  # a lambda lrlint cannot evaluate (torch calls it at once)
        return Declared(reason=f"cannot evaluate the lambda: {error.reason}", base_lr=base)
    except (*_TORCH_ERRORS, AssertionError) as error:
        if timm:  # timm checks its arguments with `assert` too; LR007 judges torch's errors
            return Declared(reason=f"timm would raise {type(error).__name__}: {error}",
                            base_lr=base)
        if isinstance(error, AssertionError):
            raise
        return Declared(reason=f"torch would raise {type(error).__name__}: {error}", error=error,
                        base_lr=base)
    return Declared(schedule=schedule, base_lr=base)


def _timm_argument(model: ModuleModel, scheduler: TrackedObject, name: str) -> object:
    """A timm scheduler's argument; ``create_scheduler``'s ``args`` is the namespace of the
    values timm reads from it."""
    if name == "args" and scheduler.short == "create_scheduler":
        from lrlint.analysis.timm import factory_namespace

        return factory_namespace(model, scheduler)
    return model.folded_arg(scheduler, name, None)


def _argument(model, name: str, expr: cst.BaseExpression, site, depth: int) -> object:
    if name in ("lr_lambda", "scale_fn"):
        return _callables(model, expr, site)
    if name == "schedulers":
        return _children(model, expr, site, depth)
    return fold_in(model, expr, site.scope, site.order)


def _callables(model, expr, site) -> object:
    elements = expr.elements if isinstance(expr, (cst.List, cst.Tuple)) else None
    if elements is not None:
        functions = [_callables(model, element.value, site) for element in elements]
        bad = next((f for f in functions if isinstance(f, Unknown)), None)
        return bad if bad is not None else functions
    if isinstance(expr, cst.Lambda):
        return step_function_in(model, expr, site.scope, site.order)
    if isinstance(expr, cst.Name):
        for assignment in model.assignments_reaching(expr.value, site.scope, site.order):
            if assignment.kind == "def" and assignment.function is not None:
                return step_function_in(model, assignment.function.node, assignment.scope, assignment.order)
            if isinstance(assignment.value, cst.Lambda) and not assignment.unpack:
                return step_function_in(model, assignment.value, assignment.scope, assignment.order)
    function = step_function_in(model, expr, site.scope, site.order)  # `make_factor(total)`
    if not isinstance(function, Unknown):
        return function
    value = fold_in(model, expr, site.scope, site.order)
    return value if isinstance(value, Unknown) else Unknown("not a lambda or local function")


def _children(model, expr, site, depth: int) -> object:
    from lrlint.analysis.torch_api import Kind

    if depth > 4:
        return Unknown("schedulers nested too deeply")
    if not isinstance(expr, (cst.List, cst.Tuple)):
        return Unknown("the list of schedulers is not written out")
    children = []
    for element in expr.elements:
        refs = [r for r in model.resolve(element.value, site.scope, site.order, site.path)
                if r.obj.kind is Kind.SCHEDULER]
        if len(refs) != 1:
            return Unknown("a child scheduler is not known")
        declared = schedule_of(model, refs[0].obj, depth + 1)
        if not declared.ok:
            return Unknown(f"child {refs[0].obj.short}: {declared.reason}")
        children.append(declared.schedule)
    return children


def optimizer_lr(model: ModuleModel, optimizer: TrackedObject) -> object:
    """The LR an optimizer was built with: its folded ``lr`` argument, or torch's default."""
    if optimizer.site is None:
        return Unknown("the optimizer is a parameter")
    expr = optimizer.args.get("lr")
    if expr is not None:
        return fold_in(model, expr, optimizer.site.scope, optimizer.site.order)
    if optimizer.custom is not None or optimizer.has_star_args:
        return Unknown("lr is not given")
    default = OPTIMIZER_DEFAULT_LR.get(optimizer.torch_class)
    return default if default is not None else Unknown("no default lr")


def optimizer_base_lrs(model: ModuleModel, optimizer: TrackedObject) -> object:
    """The optimizer's LR (a float) or one LR per param group when the groups set their own."""
    lr = optimizer_lr(model, optimizer)
    if isinstance(lr, Unknown):
        return lr
    site = optimizer.site
    params = optimizer.args.get("params")
    if isinstance(params, (cst.List, cst.Tuple)) and params.elements and all(
        isinstance(e.value, cst.Dict) for e in params.elements
    ):
        groups = []
        for element in params.elements:
            group_lr: object = lr
            for item in element.value.elements:
                if isinstance(item, cst.DictElement) and isinstance(item.key, cst.SimpleString) \
                        and item.key.evaluated_value == "lr":
                    group_lr = fold_in(model, item.value, site.scope, site.order)
            if isinstance(group_lr, Unknown):
                return group_lr
            groups.append(group_lr)
        return groups if len(groups) > 1 else groups[0]
    return lr


def optimizer_defaults(model: ModuleModel, optimizer: TrackedObject) -> dict[str, object]:
    """What CyclicLR/OneCycleLR read from the optimizer's defaults (momentum or betas)."""
    site = optimizer.site
    name = optimizer.torch_class
    if optimizer.custom is not None or optimizer.has_star_args:
        # Unknown defaults: assume the momentum CyclicLR/OneCycleLR look for rather than claim
        # that torch would raise.
        return {"momentum": 0.9}
    if name in _MOMENTUM_OPTIMIZERS:
        expr = optimizer.args.get("momentum")
        value = fold_in(model, expr, site.scope, site.order) if expr is not None else 0.0
        return {"momentum": value if not isinstance(value, Unknown) else 0.9}
    if name in _BETAS_OPTIMIZERS:
        expr = optimizer.args.get("betas")
        value = fold_in(model, expr, site.scope, site.order) if expr is not None else (0.9, 0.999)
        return {"betas": tuple(value) if isinstance(value, (tuple, list)) else (0.9, 0.999)}
    return {}
