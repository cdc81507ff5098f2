"""LR005 lambda-returns-absolute-lr: an ``lr_lambda`` that returns an LR, not a factor."""

from __future__ import annotations

import math
import re

import libcst as cst

from lrlint.analysis.evaluate import EvaluationError
from lrlint.analysis.facts import FunctionInfo, Scope
from lrlint.analysis.groups import param_groups
from lrlint.analysis.lambdas import factors, leaves
from lrlint.analysis.model import ModuleModel, TrackedObject
from lrlint.analysis.queries import is_number
from lrlint.analysis.test_code import deliberate_in_a_test
from lrlint.analysis.torch_api import Kind
from lrlint.analysis.units import Unit
from lrlint.analysis.values import step_function_in
from lrlint.checks.base import Rule, RuleContext
from lrlint.checks.common import fmt
from lrlint.prefilter import SCHEDULER, Vocabulary

# Steps at which a lambda is sampled to find the largest factor it returns.
# Divisors that count steps, not learning rates: `/ warmup_steps`, `/ total_iters`.
_COUNT = re.compile(r"step|iter|epoch|warmup|total|length|(^|_)n_|num_", re.IGNORECASE)
_SAMPLES = (*range(101), 200, 500, 1_000, 2_000, 5_000, 10_000, 100_000)
# A LambdaLR factor that never exceeds this is an LR written where a factor belongs.
_LR_LIKE = 1e-2


class LambdaReturnsAbsoluteLr(Rule):
    code = "LR005"
    name = "lambda-returns-absolute-lr"
    summary = "an lr_lambda returns an LR (the optimizer's own, or 1e-4), so the LR is applied twice"
    vocabulary = (SCHEDULER.also(Vocabulary(gates=(b"LambdaLR", b"MultiplicativeLR"))),)

    def check(self, context: RuleContext) -> None:
        for scheduler in context.model.schedulers:
            if (scheduler.short not in ("LambdaLR", "MultiplicativeLR") or scheduler.site is None
                    or "lr_lambda" not in scheduler.args):
                continue
            optimizers = context.model.optimizers_of(scheduler)
            if len(optimizers) != 1 or deliberate_in_a_test(context.model, scheduler.site):
                continue
            optimizer = optimizers[0]
            groups = param_groups(context.model, optimizer)
            if groups is None or not _groups_take_the_base(context, optimizer, groups):
                continue  # the groups may hold multipliers that the lambda scales
            if _group_lr_written(context, optimizer):
                continue  # `group["lr"] = 1.0` may turn the base LR into a multiplier
            site = scheduler.site
            for function in context.model.callables_of(scheduler.args["lr_lambda"], site.scope, site.order):
                if not self._syntactic(context, scheduler, optimizer, function):
                    self._by_value(context, scheduler, optimizer, function, groups)

    def _syntactic(self, context: RuleContext, scheduler: TrackedObject, optimizer: TrackedObject,
                   function: cst.CSTNode) -> bool:
        """A returned product has the optimizer's own LR expression as a factor."""
        base_expr = optimizer.args.get("lr")
        for leaf in leaves(function):
            numerators, denominators = factors(leaf.expr)
            if any(_may_normalise(context, d, function) for d in denominators):
                continue  # `... / base_lr` may normalise it back to a factor
            for factor in numerators:
                if _is_own_lr(context, factor, base_expr, optimizer):
                    context.report(factor, _twice_message(context, scheduler, optimizer, factor,
                                                          function),
                                   here=scheduler.args["lr_lambda"])
                    return True
        return False

    def _by_value(self, context: RuleContext, scheduler: TrackedObject, optimizer: TrackedObject,
                  function: cst.CSTNode, groups) -> None:
        """A LambdaLR lambda whose values are the optimizer's LR, or never above 1e-2."""
        if scheduler.short != "LambdaLR" or any(group.lr is not None for group in groups):
            return
        base = context.model.optimizer_lr(optimizer)
        if not is_number(base) or base <= 0 or base == 1:
            return
        values = _sampled(context, function, scheduler)
        if not values:
            return
        first, peak = values[0], max(values)
        # A factor schedule peaks at 1.0 (the full LR); an LR-valued one at the LR itself.
        if math.isclose(peak, base, rel_tol=1e-9):
            what = f"peaks at {fmt(peak)}, the optimizer's own lr={fmt(base)}: an LR, not a factor"
        elif base < 1 and 0 < peak <= _LR_LIKE:
            what = f"never returns more than {fmt(peak)}: an LR, not a factor"
        else:
            return
        peaks = "" if peak == first else f" and it peaks at {fmt(base * peak)}"
        context.report(_first_leaf(function), (
            f"lr_lambda {what}; LambdaLR multiplies the lambda's value by the optimizer's LR, "
            f"so the LR at step 0 is {fmt(base)} × {fmt(first)} = {fmt(base * first)}{peaks}: "
            "return the factor (1.0 at full LR)"), here=scheduler.args["lr_lambda"])


def _groups_take_the_base(context: RuleContext, optimizer: TrackedObject, groups) -> bool:
    """Every group's LR is the optimizer's ``lr`` (or written in terms of it): no multipliers."""
    base_expr = optimizer.args.get("lr")
    base_code = _code(context, base_expr) if base_expr is not None else None
    for group in groups:
        if group.lr is None:
            continue
        if base_code is None or base_code not in _code(context, group.lr):
            return False
    return True


def _group_lr_written(context: RuleContext, optimizer: TrackedObject) -> bool:
    model = context.model
    return any(
        write.key in ("lr", "initial_lr") and any(
            ref.obj is optimizer
            for ref in model.param_group_owners(write.container, write.scope, write.order, write.path))
        for write in model.item_writes
    )


def _is_own_lr(context: RuleContext, factor: cst.BaseExpression,
               base_expr: cst.BaseExpression | None, optimizer: TrackedObject) -> bool:
    """``factor`` is the optimizer's ``lr=`` expression (same text, same binding), or reads the
    optimizer's LR back: ``optimizer.param_groups[0]["lr"]``, ``optimizer.defaults["lr"]``."""
    if _reads_lr_of(context, factor, optimizer):
        return True
    if base_expr is None or not isinstance(base_expr, (cst.Name, cst.Attribute, cst.Subscript)):
        return False  # a literal lr is checked by value
    if _code(context, factor) == _code(context, base_expr):
        if _same_binding(context.model, _root(factor), _root(base_expr)):
            return True
        return _same_value(context, factor, base_expr, optimizer)
    return _passed_as_own_lr(context, factor, base_expr, optimizer, 0)


def _may_normalise(context: RuleContext, denominator: cst.BaseExpression,
                   function: cst.CSTNode) -> bool:
    """A divisor that may be an LR (``/ base_lr``), not a count (``/ warmup_steps``)."""
    if isinstance(denominator, (cst.Integer, cst.Float)):
        return False
    if "lr" in _code(context, denominator).lower():
        return True
    model = context.model
    root = _root(denominator)
    scope = model.scope_of(root) if root is not None else None
    if scope is None:
        return True
    order = model.facts.name_orders.get(root, 0)
    if model.units.unit(denominator, scope, order) in (Unit.EPOCH, Unit.ITERATION):
        return False
    return not _COUNT.search(_code(context, denominator))


def _passed_as_own_lr(context: RuleContext, factor: cst.BaseExpression,
                      base_expr: cst.BaseExpression, optimizer: TrackedObject, depth: int) -> bool:
    """``base_lr`` of ``warmup_cosine(base_lr, ...)`` where every caller passes the optimizer's
    own ``lr=`` expression (``warmup_cosine(args.lr, ...)``)."""
    model = context.model
    if depth > 3 or not isinstance(factor, cst.Name):
        return False
    scope = model.scope_of(factor)
    if scope is None:
        return False
    bindings = model.assignments_reaching(factor.value, scope, model.facts.name_orders.get(factor, 0))
    if len(bindings) != 1 or bindings[0].kind != "param" or bindings[0].scope.function is None:
        return False
    arguments = list(model.arguments_for(bindings[0].scope.function, bindings[0].param))
    return bool(arguments) and all(
        (_code(context, argument) == _code(context, base_expr)
         and (_same_binding(model, _root(argument), _root(base_expr))
              or _same_value(context, argument, base_expr, optimizer)))
        or _passed_as_own_lr(context, argument, base_expr, optimizer, depth + 1)
        for _, argument in arguments)


def _same_value(context: RuleContext, expr: cst.BaseExpression, base_expr: cst.BaseExpression,
                optimizer: TrackedObject) -> bool:
    """The same text folds to the same known value at both places (``args.lr`` read in main()
    and in the function main() passes ``args`` to)."""
    model = context.model
    scope = model.scope_of(_root(expr)) if _root(expr) is not None else None
    if scope is None or optimizer.site is None:
        return False
    value = model.fold(expr, scope, model.facts.name_orders.get(_root(expr), 0))
    return is_number(value) and value == model.optimizer_lr(optimizer)


def _reads_lr_of(context: RuleContext, expr: cst.BaseExpression, optimizer: TrackedObject) -> bool:
    if not (isinstance(expr, cst.Subscript) and len(expr.slice) == 1):
        return False
    key = expr.slice[0].slice
    if not (isinstance(key, cst.Index) and isinstance(key.value, cst.SimpleString)
            and key.value.evaluated_value == "lr"):
        return False
    container = expr.value
    if isinstance(container, cst.Subscript):
        container = container.value  # param_groups[0]
        if not (isinstance(container, cst.Attribute) and container.attr.value == "param_groups"):
            return False
    elif not (isinstance(container, cst.Attribute) and container.attr.value == "defaults"):
        return False
    owner = _root(container.value)
    model = context.model
    scope = model.scope_of(owner) if owner is not None else None
    if scope is None:
        return False
    refs = model.resolve(container.value, scope, model.facts.name_orders.get(owner, 0))
    return any(ref.obj is optimizer and ref.obj.kind is Kind.OPTIMIZER for ref in refs)


def _root(expr: cst.BaseExpression) -> cst.Name | None:
    while isinstance(expr, (cst.Attribute, cst.Subscript)):
        expr = expr.value
    return expr if isinstance(expr, cst.Name) else None


def _same_binding(model: ModuleModel, a: cst.Name | None, b: cst.Name | None) -> bool:
    """Two loads of one name that see the same binding (``self`` of one class counts as one)."""
    if a is None or b is None or a.value != b.value:
        return False
    scope_a, scope_b = model.scope_of(a), model.scope_of(b)
    if scope_a is None or scope_b is None:
        return False
    function_a, function_b = _def_around(scope_a), _def_around(scope_b)
    if (function_a is not None and function_b is not None and function_a.self_name == a.value
            and function_b.self_name == a.value):
        return function_a.class_info is function_b.class_info
    orders = model.facts.name_orders
    seen_a = set(model.assignments_reaching(a.value, scope_a, orders.get(a, 0)))
    seen_b = set(model.assignments_reaching(b.value, scope_b, orders.get(b, 0)))
    if not seen_a and not seen_b:
        return scope_a.lookup_scope(a.value) is None and scope_b.lookup_scope(b.value) is None
    return bool(seen_a & seen_b)


def _def_around(scope: Scope | None) -> FunctionInfo | None:
    """The ``def`` a load belongs to, looking through lambdas and comprehensions (whose
    ``self`` is the method's)."""
    while scope is not None:
        if scope.function is not None and isinstance(scope.function.node, cst.FunctionDef):
            return scope.function
        if scope.kind not in ("lambda", "comprehension"):
            return None
        scope = scope.parent
    return None


def _twice_message(context: RuleContext, scheduler: TrackedObject, optimizer: TrackedObject,
                   factor: cst.BaseExpression, function: cst.CSTNode) -> str:
    shown = _code(context, factor)
    base = context.model.optimizer_lr(optimizer)
    values = _sampled(context, function, scheduler, first_only=True)
    if scheduler.short == "MultiplicativeLR":
        effect = ("MultiplicativeLR multiplies the current LR by the lambda's value at every "
                  "step, so the LR shrinks by that factor again each step")
        if is_number(base) and values:
            effect += f": after one step it is {fmt(base)} × {fmt(values[0])} = {fmt(base * values[0])}"
    else:
        effect = "LambdaLR multiplies the lambda's value by the optimizer's LR again"
        if is_number(base) and values:
            effect += (f", so the LR at step 0 is {fmt(base)} × {fmt(values[0])} = "
                       f"{fmt(base * values[0])} instead of {fmt(values[0])}")
        else:
            effect += f": the LR is `{shown}` × `{shown}` × the schedule's factor"
    return (f"lr_lambda multiplies by the optimizer's own LR (`{shown}`): {effect}; return only "
            "the factor")


def _sampled(context: RuleContext, function: cst.CSTNode, scheduler: TrackedObject,
             first_only: bool = False) -> list[float]:
    """The lambda's values at the sample steps (step 1 first for MultiplicativeLR, which never
    calls it with 0), or [] when it cannot be evaluated at all of them."""
    site = scheduler.site
    step_function = step_function_in(context.model, function, site.scope, site.order)
    if not callable(step_function):
        return []
    steps = _SAMPLES[1:] if scheduler.short == "MultiplicativeLR" else _SAMPLES
    values: list[float] = []
    for step in steps[:1] if first_only else steps:
        try:
            value = step_function(step)
        except (EvaluationError, ArithmeticError):
            return []
        if not is_number(value) or not math.isfinite(value):
            return []
        values.append(float(value))
    return values


def _first_leaf(function: cst.CSTNode) -> cst.CSTNode:
    found = leaves(function)
    return found[0].expr if found else function


def _code(context: RuleContext, node: cst.CSTNode) -> str:
    return " ".join(context.code_for(node).split())
