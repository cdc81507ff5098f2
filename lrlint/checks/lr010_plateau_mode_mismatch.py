"""LR010 plateau-mode-mismatch: ``ReduceLROnPlateau`` (or timm's ``PlateauLRScheduler``)
minimising an accuracy (or maximising a loss), or stepped without the metric it needs."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.collect import string_value
from lrlint.analysis.frameworks import TIMM_PLATEAU_ARGUMENTS, TIMM_PLATEAU_METRIC
from lrlint.analysis.lightning import SchedulerEntry, lightning_modules
from lrlint.analysis.metrics import Metric, logged_metric_direction, metric_direction
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


@dataclass(frozen=True)
class PlateauApi:
    """What a plateau scheduler calls its arguments: torch's ReduceLROnPlateau, or timm's
    wrapper of it (another default mode, other names, the metric after the epoch)."""

    label: str
    mode: tuple[str, str]  # (argument, default)
    factor: tuple[str, float]
    patience: tuple[str, int]
    metric: tuple[str, int]  # step()'s parameter and its position
    timm: bool = False


_TORCH_API = PlateauApi(_PLATEAU, ("mode", "min"), ("factor", 0.1), ("patience", 10),
                        ("metrics", 0))


class PlateauModeMismatch(Rule):
    code = "LR010"
    name = "plateau-mode-mismatch"
    summary = ("`ReduceLROnPlateau` (or timm's `PlateauLRScheduler`) mode does not match its "
               "metric, or it gets no metric (`.step()`; Lightning: no `\"monitor\"`)")
    fixable = True
    vocabulary = (SCHEDULER.also(Vocabulary(gates=(b"ReduceLROnPlateau", b"PlateauLRScheduler",
                                                   b"create_scheduler_v2"))),
                  Vocabulary(gates=(b"configure_optimizers",)))

    def check(self, context: RuleContext) -> None:
        for scheduler in context.model.schedulers:
            api = _api_of(context, scheduler)
            if api is None or scheduler.site is None:
                continue
            if scheduler.custom is not None and _overrides_step(context, scheduler):
                continue  # its own step() decides what it reads
            self._check_scheduler(context, scheduler, api)

    def _check_scheduler(self, context: RuleContext, scheduler: TrackedObject,
                         api: PlateauApi) -> None:
        mode = context.model.folded_arg(scheduler, *api.mode)
        uses: list[tuple[cst.CSTNode, Metric]] = []
        seen: set[int] = set()
        without: list[Event] = []
        for event in scheduler.events_named("step"):
            if id(event.node) in seen:
                continue
            seen.add(id(event.node))
            metric_expr = _metric_argument(event.node, api)
            if metric_expr is None:
                without.append(event)
                if not api.timm and _certainly_without_metric(context, event):
                    self._report_missing(context, scheduler, event)
                continue
            metric = metric_direction(context.model, metric_expr, event.site.scope, event.site.order)
            if metric is not None:
                uses.append((metric_expr, metric))
        if api.timm and without and len(without) == len(seen):
            self._report_timm_missing(context, scheduler, api, without)
        monitors = _lightning_monitors(context, scheduler)
        uses.extend(monitors)
        if not api.timm:
            self._check_monitor_present(context, scheduler, {id(node) for node, _ in monitors})
        if mode not in ("min", "max"):
            return  # not a constant (or torch's ValueError: LR007's business)
        wrong = [(node, m) for node, m in uses if _MODE_FOR[m.direction] != mode]
        fix = self._fix(context, scheduler, api, mode) if len(wrong) == len(uses) else None
        for node, metric in wrong:
            self._report_mode(context, scheduler, api, mode, node, metric, fix)
            fix = None  # one edit of the constructor is enough

    def _check_monitor_present(self, context, scheduler: TrackedObject, seen: set[int]) -> None:
        """Lightning raises MisconfigurationException when fit starts if a ReduceLROnPlateau it
        steps (automatic optimization) has no "monitor" it reads."""
        model = context.model
        for module in lightning_modules(model):
            if module.optimization != "automatic":
                continue
            for entry in module.entries:
                if scheduler not in module.schedulers(entry) or entry.monitor is not None \
                        or not _monitor_required(entry):
                    continue
                node = scheduler.node if model.owns(scheduler.node) else entry.node
                context.report(node, _missing_monitor_message(entry, scheduler))
                return

    def _report_mode(self, context, scheduler, api: PlateauApi, mode: str, node, metric: Metric,
                     fix) -> None:
        factor = context.model.folded_arg(scheduler, *api.factor)
        patience = context.model.folded_arg(scheduler, *api.patience)
        mode_name = api.mode[0]
        given = mode_name in scheduler.args
        default = " (timm's default; torch's is 'min')" if api.timm else " (the default)"
        mode_text = f"{mode_name} '{mode}'" + ("" if given else default)
        factor_text = (f"by factor {fmt(factor)}" if is_number(factor)
                       else f"by `{api.factor[0]}`")
        patience_text = (f"{fmt(patience)} steps" if is_number(patience)
                         else f"`{api.patience[0]}` steps")
        shown = metric.shown
        origin = f" ({metric.origin})" if metric.origin else ""
        if metric.direction == "higher":
            stops = "stops decreasing"
            meaning = "i.e. while the model improves"
        else:
            stops = "stops increasing"
            meaning = "i.e. while the loss falls as it should"
        context.report(
            node,
            f"{api.label} is in {mode_text} but is stepped with `{shown}`{origin}, "
            f"{_WORD_FOR[metric.direction]}: the LR is cut {factor_text} whenever `{shown}` "
            f"{stops} for more than {patience_text} — {meaning}; "
            f"use {mode_name}=\"{_MODE_FOR[metric.direction]}\"",
            fix,
        )

    def _report_missing(self, context, scheduler: TrackedObject, event: Event) -> None:
        context.report(
            event.node,
            f"`{context.code_for(event.node)}` passes no metric: {_PLATEAU}.step() requires one "
            "and torch raises TypeError (\"missing 1 required positional argument: 'metrics'\"); "
            "pass the validation metric it should watch",
        )

    def _report_timm_missing(self, context, scheduler: TrackedObject, api: PlateauApi,
                             events: list[Event]) -> None:
        """timm's step(epoch) without a metric never steps the ReduceLROnPlateau inside: the LR
        is never cut. Reported when no call passes one and each can only reach this scheduler."""
        if any(not _certainly_without_metric(context, event, api) for event in events):
            return
        owned = [event for event in events if context.model.owns(event.node)]
        if not owned:
            return  # reported in the module that steps it
        event = owned[0]
        call = context.code_for(event.node)
        context.report(
            event.node,
            f"`{call}` passes no metric, and no call of {api.label} does: its step(epoch, "
            "metric=None) cuts the LR only when given the metric, so after any warm-up the LR "
            "never drops; pass the validation metric it should watch "
            "(`step(epoch + 1, val_loss)`)",
        )

    def _fix(self, context, scheduler: TrackedObject, api: PlateauApi,
             mode: str) -> FixPlan | None:
        wanted = "max" if mode == "min" else "min"
        name = api.mode[0]
        call = scheduler.site.node
        mode_arg = argument(call, "mode", 1) if not api.timm else None
        mode_expr = mode_arg.value if mode_arg is not None else scheduler.args.get(name)
        if mode_expr is not None:
            if string_value(mode_expr) != mode:
                return None  # a constant from elsewhere: change it there
            quote = '"' if context.code_for(mode_expr).startswith('"') else "'"
            edit = ReplaceNode(mode_expr, f"{quote}{wanted}{quote}")
        else:
            # torch's mode is the second positional: insert it after the optimizer; timm's
            # comes after many: add it as the last keyword.
            anchor = argument(call, "optimizer", 0) if not api.timm else \
                (call.args[-1] if call.args else None)
            if anchor is None or scheduler.has_star_args:
                return None
            text = context.code_for(anchor.value)
            edit = ReplaceNode(anchor.value, f'{text}, {name}="{wanted}"')
        # The metric's direction is read from its name: right for the usual names, but a name
        # can lie, so the fix is offered as unsafe.
        return FixPlan(f'Set {name}="{wanted}"', (edit,), "unsafe")


def _api_of(context: RuleContext, scheduler: TrackedObject) -> PlateauApi | None:
    short = scheduler.torch_class
    if short == _PLATEAU:
        return _TORCH_API
    if scheduler.family != "timm" or short not in TIMM_PLATEAU_ARGUMENTS:
        return None
    if short == "create_scheduler_v2":
        if context.model.folded_arg(scheduler, "sched", "cosine") != "plateau":
            return None
        label = "create_scheduler_v2's PlateauLRScheduler"
    else:
        label = "timm's PlateauLRScheduler"
    mode, factor, patience = TIMM_PLATEAU_ARGUMENTS[short]
    return PlateauApi(label, mode, factor, patience, TIMM_PLATEAU_METRIC, timm=True)


def _metric_argument(call: cst.Call, api: PlateauApi) -> cst.BaseExpression | None:
    arg = argument(call, *api.metric)
    return arg.value if arg is not None else None


def _monitor_required(entry: SchedulerEntry) -> bool:
    """Lightning reads the entry as a plateau scheduler and finds no monitor: a bare one, or a
    dict whose every key is known and that does not turn ``reduce_on_plateau`` off."""
    return entry.config is None or (entry.config.complete
                                    and "reduce_on_plateau" not in entry.config.values)


def _missing_monitor_message(entry: SchedulerEntry, scheduler: TrackedObject) -> str:
    where = {"dict": "neither in its lr_scheduler dict nor beside it",
             "dicts": "in its lr_scheduler dict (a top-level \"monitor\" in a list of dicts is "
                      "ignored)",
             "lists": "(the `[optimizers], [schedulers]` form has no place for one; return "
                      "`{\"scheduler\": ..., \"monitor\": ...}`)"}[entry.shape]
    if entry.shape == "dict" and entry.config is not None:
        where = "in its lr_scheduler dict (a top-level \"monitor\" only applies to a bare scheduler)"
    return (f"{scheduler.short} is returned from configure_optimizers without a \"monitor\" "
            f"{where}: Lightning raises MisconfigurationException (\"must include a monitor "
            f"when a `ReduceLROnPlateau` scheduler is used\") when fit starts; name the logged "
            "metric it should watch")


def _certainly_without_metric(context: RuleContext, event: Event,
                              api: PlateauApi = _TORCH_API) -> bool:
    """``step()`` without the metric (torch's: no argument at all), on a receiver that can only
    be a plateau scheduler of this API and that no surrounding ``isinstance``/plateau test
    guards."""
    call = event.node
    if any(arg.star for arg in call.args) or (call.args and not api.timm):
        return False  # *args / **kwargs may carry it
    site = event.site
    refs = context.model.resolve(site.receiver, site.scope, site.order, site.path)
    if not refs or any(r.obj.kind is not Kind.SCHEDULER or _api_of(context, r.obj) != api
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
    """The metric Lightning steps the scheduler with: the "monitor" of its configuration (a
    name like ``val_acc``, or a neutral key followed to what ``self.log(key, ...)`` logs),
    from what configure_optimizers returns and from any ``{"scheduler": s, "monitor": m}``."""
    model = context.model
    found = []
    seen: set[int] = set()
    for module in lightning_modules(model):
        if module.optimization == "manual":
            continue  # Lightning does not step it; its own .step() calls say what it reads
        for entry in module.entries:
            monitor = entry.monitor
            if monitor is None or scheduler not in module.schedulers(entry) \
                    or not _metric_reaches(context, scheduler, entry):
                continue
            seen.add(id(monitor[0]))
            metric = logged_metric_direction(model, monitor[0], monitor[1].scope,
                                             monitor[1].order, module.logged)
            if metric is not None:
                found.append((monitor[0], metric))
    if "monitor" not in context.source.text:
        return found
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
        if monitor is None or target is None or string_value(monitor) is None \
                or id(monitor) in seen or scheduler.family == "timm":
            continue
        if not _evaluates_to(model, target, scheduler):
            continue
        metric = metric_direction(model, monitor, model.module_scope, 0)
        if metric is not None:
            found.append((monitor, metric))
    return found


def _metric_reaches(context: RuleContext, scheduler: TrackedObject, entry: SchedulerEntry) -> bool:
    """Lightning passes the monitored value to the scheduler: always for a ReduceLROnPlateau,
    for another (timm's PlateauLRScheduler) only with ``"reduce_on_plateau": True``."""
    if scheduler.torch_class == _PLATEAU:
        return True
    config = entry.config
    if config is None or "reduce_on_plateau" not in config.values:
        return False
    return context.fold(config.values["reduce_on_plateau"], config.scope, config.order) is True


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
