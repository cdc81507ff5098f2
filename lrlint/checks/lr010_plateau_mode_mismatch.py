"""LR010 plateau-mode-mismatch: ``ReduceLROnPlateau`` minimising an accuracy (or maximising a loss),
or stepped without the metric it needs."""

from __future__ import annotations

import libcst as cst

from lrlint.analysis.collect import string_value
from lrlint.analysis.metrics import Metric, metric_direction
from lrlint.analysis.model import Event, TrackedObject
from lrlint.analysis.queries import argument, is_number
from lrlint.analysis.torch_api import Kind
from lrlint.analysis.walk import iter_tree
from lrlint.checks.base import FixPlan, ReplaceNode, Rule, RuleContext
from lrlint.checks.common import fmt
from lrlint.prefilter import SCHEDULER, Vocabulary

_PLATEAU = "ReduceLROnPlateau"
# The mode a metric needs: an accuracy improves upwards, a loss downwards.
_MODE_FOR = {"higher": "max", "lower": "min"}
_WORD_FOR = {"higher": "an accuracy-like metric", "lower": "a loss-like metric"}


class PlateauModeMismatch(Rule):
    code = "LR010"
    name = "plateau-mode-mismatch"
    summary = "`ReduceLROnPlateau` mode does not match its metric (or `.step()` gets no metric)"
    fixable = True
    vocabulary = (SCHEDULER.also(Vocabulary(gates=(b"ReduceLROnPlateau",))),)

    def check(self, context: RuleContext) -> None:
        for scheduler in context.model.schedulers:
            if scheduler.torch_class != _PLATEAU or scheduler.site is None:
                continue
            if scheduler.custom is not None and _overrides_step(context, scheduler):
                continue  # its own step() decides what it reads
            self._check_scheduler(context, scheduler)

    def _check_scheduler(self, context: RuleContext, scheduler: TrackedObject) -> None:
        mode = context.model.folded_arg(scheduler, "mode", "min")
        uses: list[tuple[cst.CSTNode, Metric]] = []
        seen: set[int] = set()
        for event in scheduler.events_named("step"):
            if id(event.node) in seen:
                continue
            seen.add(id(event.node))
            metric_expr = _metric_argument(event.node)
            if metric_expr is None:
                if _certainly_without_metric(context, event):
                    self._report_missing(context, scheduler, event)
                continue
            metric = metric_direction(context.model, metric_expr, event.site.scope, event.site.order)
            if metric is not None:
                uses.append((metric_expr, metric))
        uses.extend(_lightning_monitors(context, scheduler))
        if mode not in ("min", "max"):
            return  # not a constant (or torch's ValueError: LR007's business)
        wrong = [(node, m) for node, m in uses if _MODE_FOR[m.direction] != mode]
        fix = self._fix(context, scheduler, mode) if len(wrong) == len(uses) else None
        for node, metric in wrong:
            self._report_mode(context, scheduler, mode, node, metric, fix)
            fix = None  # one edit of the constructor is enough

    def _report_mode(self, context, scheduler, mode: str, node, metric: Metric, fix) -> None:
        factor = context.model.folded_arg(scheduler, "factor", 0.1)
        patience = context.model.folded_arg(scheduler, "patience", 10)
        given = "mode" in scheduler.args
        mode_text = f"mode '{mode}'" + ("" if given else " (the default)")
        factor_text = f"by factor {fmt(factor)}" if is_number(factor) else "by `factor`"
        patience_text = (f"{fmt(patience)} steps" if is_number(patience) else "`patience` steps")
        shown = metric.shown
        if metric.direction == "higher":
            stops = "stops DEcreasing"
            meaning = "i.e. while the model improves"
        else:
            stops = "stops INcreasing"
            meaning = "i.e. while the loss falls as it should"
        context.report(
            node,
            f"{_PLATEAU} is in {mode_text} but is stepped with `{shown}`, "
            f"{_WORD_FOR[metric.direction]}: the LR is cut {factor_text} whenever `{shown}` "
            f"{stops} for more than {patience_text} — {meaning}; "
            f"use mode=\"{_MODE_FOR[metric.direction]}\"",
            fix,
        )

    def _report_missing(self, context, scheduler: TrackedObject, event: Event) -> None:
        context.report(
            event.node,
            f"`{context.code_for(event.node)}` passes no metric: {_PLATEAU}.step() requires one "
            "and torch raises TypeError (\"missing 1 required positional argument: 'metrics'\"); "
            "pass the validation metric it should watch",
        )

    def _fix(self, context, scheduler: TrackedObject, mode: str) -> FixPlan | None:
        wanted = "max" if mode == "min" else "min"
        call = scheduler.site.node
        mode_arg = argument(call, "mode", 1)
        if mode_arg is not None:
            if string_value(mode_arg.value) != mode:
                return None  # a constant from elsewhere: change it there
            quote = '"' if context.code_for(mode_arg.value).startswith('"') else "'"
            edit = ReplaceNode(mode_arg.value, f"{quote}{wanted}{quote}")
        else:
            optimizer_arg = argument(call, "optimizer", 0)
            if optimizer_arg is None or scheduler.has_star_args:
                return None
            text = context.code_for(optimizer_arg.value)
            edit = ReplaceNode(optimizer_arg.value, f'{text}, mode="{wanted}"')
        # The metric's direction is read from its name: right for the usual names, but a name
        # can lie, so the fix is offered as unsafe.
        return FixPlan(f'Set mode="{wanted}"', (edit,), "unsafe")


def _metric_argument(call: cst.Call) -> cst.BaseExpression | None:
    arg = argument(call, "metrics", 0)
    return arg.value if arg is not None else None


def _certainly_without_metric(context: RuleContext, event: Event) -> bool:
    """``step()`` with no argument at all, on a receiver that can only be a ReduceLROnPlateau and
    that no surrounding ``isinstance``/plateau test guards."""
    call = event.node
    if call.args:
        return False  # *args / **kwargs may carry it
    site = event.site
    refs = context.model.resolve(site.receiver, site.scope, site.order, site.path)
    if not refs or any(r.obj.kind is not Kind.SCHEDULER or r.obj.torch_class != _PLATEAU
                       for r in refs):
        return False
    for chain_site in event.chain:
        for condition in chain_site.conditions:
            test = context.code_for(condition.test).lower()
            if "plateau" in test or "isinstance" in test:
                return False
    return True


def _overrides_step(context: RuleContext, scheduler: TrackedObject) -> bool:
    return any("step" in cls.methods or "_is_better" in cls.methods
               for cls in context.model.class_lineage(scheduler.custom))


def _lightning_monitors(context: RuleContext, scheduler: TrackedObject):
    """Lightning's ``{"scheduler": sched, "monitor": "val_acc"}``: Lightning steps the scheduler
    with the logged metric named by ``monitor``."""
    if "monitor" not in context.source.text:
        return []
    model = context.model
    found = []
    for node in iter_tree(model.module):
        if not isinstance(node, cst.Dict):
            continue
        entries = {}
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = string_value(element.key)
                if key is not None:
                    entries[key] = element.value
        monitor, target = entries.get("monitor"), entries.get("scheduler")
        if monitor is None or target is None or string_value(monitor) is None:
            continue
        if not _evaluates_to(model, target, scheduler):
            continue
        metric = metric_direction(model, monitor, model.module_scope, 0)
        if metric is not None:
            found.append((monitor, metric))
    return found


def _evaluates_to(model, expr: cst.BaseExpression, obj: TrackedObject) -> bool:
    if isinstance(expr, cst.Call):
        return model.object_at.get(expr) is obj
    leftmost = expr
    while isinstance(leftmost, cst.Attribute):
        leftmost = leftmost.value
    if not isinstance(leftmost, cst.Name):
        return False
    scope = model.scope_of(leftmost)
    if scope is None:
        return False
    order = model.facts.name_orders.get(leftmost, 0)
    return any(ref.obj is obj for ref in model.resolve(expr, scope, order))
