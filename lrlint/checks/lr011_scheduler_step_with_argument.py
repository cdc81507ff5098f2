"""LR011 scheduler-step-with-argument: ``scheduler.step(x)`` on a scheduler whose only argument
is the deprecated ``epoch``."""

from __future__ import annotations

import re

import libcst as cst

from lrlint.analysis.chains import blocks_inside, frames, is_conditional
from lrlint.analysis.facts import CallSite, Loop
from lrlint.analysis.model import TrackedObject
from lrlint.analysis.receivers import only_tracked
from lrlint.analysis.torch_api import COMPOSITE_SCHEDULERS, is_abstract_base
from lrlint.checks.base import FixPlan, ReplaceNode, Rule, RuleContext
from lrlint.checks.common import fmt
from lrlint.prefilter import SCHEDULER, Vocabulary

# step(metrics) is ReduceLROnPlateau's API; step(epoch + i / iters) is the documented
# CosineAnnealingWarmRestarts usage (it has its own step that takes fractional epochs).
_OWN_STEP_ARGUMENT = frozenset({"ReduceLROnPlateau", "CosineAnnealingWarmRestarts"})
_CLOSED_FORM = frozenset({"StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
                          "PolynomialLR", "CosineAnnealingLR"})
_METRIC_LIKE = re.compile(r"loss|metric|acc|score|err|ppl|perplexity|f1|auc|bleu|dice|iou|map\b",
                          re.IGNORECASE)


class SchedulerStepWithArgument(Rule):
    code = "LR011"
    name = "scheduler-step-with-argument"
    summary = ("`scheduler.step(x)` passes the deprecated `epoch` argument (a loss there is read "
               "as an epoch)")
    fixable = True
    # A `.step(` call and a scheduler name (what the model needs to track one).
    vocabulary = (SCHEDULER.also(Vocabulary(gates=(b".step(",))),)

    def check(self, context: RuleContext) -> None:
        model = context.model
        by_call: dict[cst.Call, list[TrackedObject]] = {}
        sites: dict[cst.Call, CallSite] = {}
        for scheduler in model.schedulers:
            for event in scheduler.events_named("step"):
                if event.node.args:
                    by_call.setdefault(event.node, []).append(scheduler)
                    sites[event.node] = event.site
        for call, schedulers in by_call.items():
            site = sites[call]
            argument = _epoch_argument(call)
            if argument is None or not all(_takes_epoch(model, s) for s in schedulers):
                continue
            if not only_tracked(model, site) or model.inside_scheduler_class(site.scope):
                continue  # a scheduler wrapper forwarding its own epoch is its machinery
            self._report(context, site, argument, schedulers[0])

    def _report(self, context: RuleContext, site: CallSite, argument: cst.BaseExpression,
                scheduler: TrackedObject) -> None:
        call = context.code_for(site.node)
        text = context.code_for(argument)
        name = scheduler.torch_class
        if name in COMPOSITE_SCHEDULERS:
            context.report(site.node, f"`{call}`: {name}.step() takes no argument, so this call "
                                      f"raises TypeError", _drop_argument(context, site, "unsafe"))
            return
        recompute = "its closed form" if name in _CLOSED_FORM else "`get_lr()`"
        head = (f"`{call}` passes `{text}` as the deprecated `epoch` argument of "
                f"{scheduler.short}.step(): torch warns on every call, sets `last_epoch = {text}` "
                f"and recomputes the LR from {recompute}")
        counter, offset = _loop_counter(site, argument)
        if counter is not None and offset:
            context.report(site.node, head + _lag(context, site, counter, offset, scheduler, text))
            return
        if counter is None:
            if _METRIC_LIKE.search(text):
                head += (f"; `{text}` looks like a metric, not an epoch: the LR follows its value "
                         f"instead of the training progress")
            context.report(site.node, head)
            return
        consequence, applicability = _counter_consequence(context, site, counter, text)
        fix = _drop_argument(context, site, applicability) if applicability else None
        context.report(site.node, f"{head}{consequence}", fix)


def _epoch_argument(call: cst.Call) -> cst.BaseExpression | None:
    """The single argument of ``step(x)`` / ``step(epoch=x)`` (not ``None``, not ``*args``)."""
    if len(call.args) != 1:
        return None
    arg = call.args[0]
    if arg.star or (arg.keyword is not None and arg.keyword.value != "epoch"):
        return None
    if isinstance(arg.value, cst.Name) and arg.value.value == "None":
        return None
    return arg.value


def _takes_epoch(model, scheduler: TrackedObject) -> bool:
    """True when ``step``'s argument is torch's deprecated ``epoch`` for this scheduler."""
    if scheduler.torch_class in _OWN_STEP_ARGUMENT or is_abstract_base(scheduler.torch_class) \
            or scheduler.family == "timm":
        return False  # step(epoch) is timm's API
    if scheduler.custom is not None and any(
            "step" in cls.methods for cls in model.class_lineage(scheduler.custom)):
        return False  # a subclass with its own step(...)
    if scheduler.short == "get_scheduler":
        # transformers' get_scheduler("reduce_lr_on_plateau", ...) builds a ReduceLROnPlateau.
        kind = scheduler.args.get("name") or scheduler.args.get("optimizer")
        return isinstance(kind, cst.SimpleString) and "plateau" not in kind.evaluated_value
    return True


def _loop_counter(site: CallSite, argument: cst.BaseExpression) -> tuple[Loop | None, int]:
    """The enclosing loop (of the call's own function) whose counter ``argument`` is, and the
    constant added to it (``step(epoch - 1)``: -1)."""
    offset = 0
    if isinstance(argument, cst.BinaryOperation) and isinstance(argument.right, cst.Integer) \
            and isinstance(argument.operator, (cst.Add, cst.Subtract)):
        offset = int(argument.right.value) * (1 if isinstance(argument.operator, cst.Add) else -1)
        argument = argument.left
    if not isinstance(argument, cst.Name):
        return None, 0
    for loop in reversed(site.loops):
        if loop.target_names[:1] == (argument.value,):
            return loop, offset
    return None, 0


def _lag(context: RuleContext, site: CallSite, loop: Loop, offset: int,
         scheduler: TrackedObject, text: str) -> str:
    """What ``step(epoch + k)`` does to the curve: after iteration i the scheduler sits at
    ``start + i + k`` instead of the ``i + 1`` that ``step()`` after the optimizer gives."""
    start = _counter_start(context, site, loop)
    if not isinstance(start, int):
        return ""
    behind = 1 - start - offset
    if behind == 0:
        return f"; `{text}` counts the epochs `step()` would count, so `step()` gives the same LRs"
    where = f"{abs(behind)} epoch{'s' if abs(behind) != 1 else ''} " + \
        ("behind" if behind > 0 else "ahead of")
    consequence = f"; the schedule runs {where} the training loop"
    bounds = _range_stop(context, site, loop)
    if bounds is None or not 0 < bounds - start <= 100_000:
        return consequence
    iterations = bounds - start
    final_used, final_meant = start + iterations - 1 + offset, iterations
    values = context.model.schedule_values(scheduler, max(final_used, final_meant) + 1)
    if not values or min(final_used, final_meant) < 0 or not values[0]:
        return consequence
    base = values[0]
    return (f"{consequence}: after the last of its {iterations} epochs the LR is "
            f"{fmt(values[final_used])} ({values[final_used] / base:.2g}× the base LR) instead of "
            f"{fmt(values[final_meant])} ({values[final_meant] / base:.2g}×)")


def _range_stop(context: RuleContext, site: CallSite, loop: Loop) -> int | None:
    iterable = loop.iter
    if not (isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name)
            and iterable.func.value == "range"):
        return None
    positional = [a.value for a in iterable.args if a.keyword is None and not a.star]
    if not positional:
        return None
    stop = context.fold(positional[0 if len(positional) == 1 else 1], site.scope, loop.order_start)
    return stop if isinstance(stop, int) and not isinstance(stop, bool) else None


def _counter_consequence(context: RuleContext, site: CallSite, loop: Loop,
                         text: str) -> tuple[str, str | None]:
    """What passing the loop counter does, and how safe dropping it is (None: no fix)."""
    model = context.model
    if site.loops[-1] is not loop:
        # `step(epoch)` inside the batch loop: the closed form keeps the LR per epoch; without
        # the argument it would step per batch.
        return "", None
    if any(len(frames(outer + (site,))) > 1 for outer in model.contexts(site.function)):
        restarts = (f"; `{text}` restarts at 0 on every pass of the outer loop, so the schedule "
                    f"restarts with it")
        return restarts, None
    blocks = blocks_inside((site,), loop) or []
    if any(is_conditional(b) for b in blocks):
        return "", None
    start = _counter_start(context, site, loop)
    after = _after_optimizer_step(context, site)
    if after is False:
        before = ("; here it runs before the optimizer steps of the iteration, so dropping the "
                  "argument alone would shift the schedule: call `step()` after "
                  "`optimizer.step()` instead")
        return before, None
    if start == 0:
        consequence = (f"; called after the optimizer steps with `{text}` counting from 0, it "
                       f"lags one step behind `step()`: the first LR is used twice")
    elif start == 1:
        consequence = (f"; `{text}` counts from 1, so `step()` gives the same LRs without the "
                       f"warning")
    else:
        consequence = (f"; `{text}` does not start at 0, so without it the schedule restarts "
                       f"unless its state_dict is restored")
    safe = start in (0, 1) and after is True
    return consequence, "safe" if safe else "unsafe"


def _counter_start(context: RuleContext, site: CallSite, loop: Loop) -> object:
    iterable = loop.iter
    if not isinstance(iterable, cst.Call) or not isinstance(iterable.func, cst.Name):
        return None
    args = [a for a in iterable.args if not a.star]
    if iterable.func.value == "range":
        positional = [a.value for a in args if a.keyword is None]
        if len(positional) == 1:
            return 0
        if len(positional) in (2, 3):
            return context.fold(positional[0], site.scope, loop.order_start)
        return None
    if iterable.func.value == "enumerate":
        start = [a.value for a in args if a.keyword is not None and a.keyword.value == "start"]
        start += [a.value for a in args if a.keyword is None][1:2]
        return context.fold(start[0], site.scope, loop.order_start) if start else 0
    return None


def _after_optimizer_step(context: RuleContext, site: CallSite) -> bool | None:
    """True/False when the call runs after/before the optimizer steps of its loop iteration;
    None when the module shows no optimizer step to compare with."""
    model = context.model
    schedulers = [e for s in model.schedulers for e in s.events_named("step") if e.site is site]
    seen = None
    for event in schedulers:
        for optimizer in model.optimizers_of(event.obj, event.made_by):
            for optimizer_step in optimizer.events_named("step"):
                relation = model.relate(optimizer_step, event)
                if relation is None or not relation.loops:
                    continue
                if not relation.first_before_second:
                    return False
                seen = True
    return seen


def _drop_argument(context: RuleContext, site: CallSite, applicability: str) -> FixPlan:
    call = site.node
    return FixPlan("Call `step()` without the deprecated epoch argument",
                   (ReplaceNode(call, f"{context.code_for(call.func)}()"),), applicability)
