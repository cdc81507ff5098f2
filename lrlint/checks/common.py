"""Small helpers the rules share: number formatting, purity, free names, argument access."""

from __future__ import annotations

import math
from collections.abc import Iterable

import libcst as cst

from lrlint.analysis.facts import Scope
from lrlint.analysis.model import ModuleModel, TrackedObject
from lrlint.analysis.walk import iter_tree


def fmt(value: object) -> str:
    """A number the way people write learning rates: 0.1, 5e-4, 1e-3, 100, 0.5."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if value == 0 or not math.isfinite(value):
        return repr(value)
    if 1e-2 <= abs(value) < 1e5:
        if value.is_integer():
            return f"{value:.1f}"  # 1.0, not 1: it is a float in the code too
        return f"{value:.4g}"
    mantissa, exponent = f"{value:.3e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_pure(expr: cst.CSTNode) -> bool:
    """True when evaluating ``expr`` twice gives the same result and does nothing else."""
    for node in iter_tree(expr):
        if isinstance(node, (cst.Call, cst.Await, cst.Yield, cst.NamedExpr, cst.Lambda,
                             cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            return False
    return True


def free_name(model: ModuleModel, scope: Scope, candidates: Iterable[str]) -> str:
    """The first candidate name that nothing in ``scope`` (or around it) binds or reads."""
    candidates = list(candidates)
    for name in candidates:
        if scope.lookup_scope(name) is None and name not in model.facts.loads:
            return name
    base = candidates[0]
    index = 1
    while f"{base}{index}" in model.facts.loads or scope.lookup_scope(f"{base}{index}"):
        index += 1
    return f"{base}{index}"


def argument(call: cst.Call, name: str, position: int | None) -> cst.Arg | None:
    """The Arg node passing parameter ``name`` (by keyword, or at ``position``)."""
    positional = 0
    for arg in call.args:
        if arg.star == "*":
            position = None  # positions after *args are unknowable
            continue
        if arg.star:
            continue
        if arg.keyword is not None:
            if arg.keyword.value == name:
                return arg
        else:
            if positional == position:
                return arg
            positional += 1
    return None


def binding_names(model: ModuleModel, obj: TrackedObject) -> list[str]:
    """The names (or ``self.<attr>``) an object's constructor result is assigned to."""
    if obj.site is None:
        return [obj.param.name] if obj.param is not None else []
    names: list[str] = []
    for target in obj.site.assigned_to:
        if isinstance(target, cst.Name):
            names.append(target.value)
        elif isinstance(target, cst.Attribute):
            names.append(target.attr.value)
    return names


def optimizer_lr(context, optimizer: TrackedObject) -> object:
    """The LR an optimizer was built with: its folded ``lr`` argument, or torch's default."""
    from lrlint.analysis.declared import optimizer_lr as constructor_lr

    return constructor_lr(context.model, optimizer)


def scheduler_base_lr(context, scheduler: TrackedObject) -> object:
    """The base LR a scheduler starts from (that of the single optimizer it drives)."""
    from lrlint.analysis.evaluate import Unknown

    values = {optimizer_lr(context, o) for o in context.model.optimizers_of(scheduler)}
    if len(values) == 1:
        value = values.pop()
        if is_number(value):
            return value
    return Unknown("base lr not known")


def folded_arg(context, obj: TrackedObject, name: str, default: object) -> object:
    """The folded constructor argument ``name`` of ``obj`` (``default`` when not passed)."""
    expr = obj.args.get(name)
    if expr is None:
        return default
    return context.fold(expr, obj.site.scope, obj.site.order)


def callables_of(context, expr: cst.BaseExpression, scope: Scope, order: int) -> list[cst.CSTNode]:
    """The lambdas / local ``def``s an ``lr_lambda`` argument refers to (one or a list)."""
    model = context.model
    items = expr.elements if isinstance(expr, (cst.List, cst.Tuple)) else None
    if items is not None:
        found: list[cst.CSTNode] = []
        for element in items:
            found.extend(callables_of(context, element.value, scope, order))
        return found
    if isinstance(expr, cst.Lambda):
        return [expr]
    if isinstance(expr, cst.Name):
        found = []
        for assignment in model.assignments_reaching(expr.value, scope, order):
            if assignment.kind == "def" and assignment.function is not None:
                found.append(assignment.function.node)
            elif isinstance(assignment.value, cst.Lambda) and not assignment.unpack:
                found.append(assignment.value)
        return found
    return []


def schedule_values(context, scheduler: TrackedObject, n: int) -> list[float] | None:
    """The first ``n`` LRs (first param group) the scheduler declares, or None when unknown."""
    from lrlint.analysis.declared import declared_schedule

    declared = declared_schedule(context.model, scheduler)
    if not declared.ok:
        return None
    try:
        values = declared.schedule.values(n)
    except Exception:  # torch would raise while stepping: LR007's business
        return None
    return [v[0] if isinstance(v, list) else v for v in values]


def move_statement_after(line: cst.SimpleStatementLine, anchor: cst.CSTNode, message: str,
                         applicability: str = "safe"):
    """A fix that moves a one-statement line (with its trailing comment) to just after the
    statement ``anchor``, indented like it."""
    from lrlint.checks.base import DeleteLines, FixPlan, InsertLinesAfter

    text = cst.Module(body=[line.with_changes(leading_lines=())]).code.rstrip("\r\n")
    return FixPlan(message, (DeleteLines(line), InsertLinesAfter(anchor, text)), applicability)
