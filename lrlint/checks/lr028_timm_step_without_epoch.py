"""LR028 timm-step-without-epoch: ``scheduler.step()`` on a timm scheduler, whose ``step`` takes
the epoch as a required argument."""

from __future__ import annotations

import libcst as cst

from lrlint.analysis.cadence import cadence
from lrlint.analysis.chains import Frame
from lrlint.analysis.facts import CallSite, Loop
from lrlint.analysis.loops import LoopKind, range_bounds
from lrlint.analysis.model import Event, ModuleModel
from lrlint.analysis.receivers import every_binding_tracked
from lrlint.analysis.timm import EPOCH_METHOD, named, overrides_stepping
from lrlint.checks._invalid_arguments import expected_error_nodes
from lrlint.checks.base import FixPlan, ReplaceNode, Rule, RuleContext
from lrlint.prefilter import SCHEDULER, Vocabulary


class TimmStepWithoutEpoch(Rule):
    code = "LR028"
    name = "timm-step-without-epoch"
    summary = "timm: `scheduler.step()` without the epoch timm's `step(epoch)` requires"
    severity = "error"
    fixable = True
    vocabulary = (SCHEDULER.also(Vocabulary(gates=(b".step(",))),)

    def check(self, context: RuleContext) -> None:
        model = context.model
        calls: dict[cst.Call, list[Event]] = {}
        for scheduler in model.schedulers:
            if scheduler.family != "timm" or overrides_stepping(model, scheduler):
                continue
            for event in scheduler.events_named(EPOCH_METHOD):
                if not _passes_epoch(event.node):
                    calls.setdefault(event.node, []).append(event)
        if not calls:
            return
        expected = expected_error_nodes(context)  # a test that asserts the TypeError
        for call, events in calls.items():
            site = events[0].site
            if id(call) in expected or not _only_timm(model, site):
                continue
            if model.inside_scheduler_class(site.scope):
                continue  # a wrapper with a step() of its own forwarding to timm
            self._report(context, events[0])

    def _report(self, context: RuleContext, event: Event) -> None:
        model = context.model
        scheduler = event.obj
        call = context.code_for(event.node)
        owner = "PlateauLRScheduler" if scheduler.torch_class == "PlateauLRScheduler" \
            else "Scheduler"
        found = cadence(model, model.loop_kinds, event, model.optimizers_of(scheduler,
                                                                           event.made_by))
        # The counter of the epoch loop the call sits in, unless the loops say it runs per batch.
        counter = _epoch_counter(model, event)
        if found is not None and found.per is LoopKind.BATCH:
            counter = None
        when = "the first time it runs"
        if counter is not None or (found is not None and found.per is LoopKind.EPOCH):
            when = "at the end of the first epoch, after a whole epoch of training"
        elif found is not None:
            when = "after the first batch"
        message = (f"`{call}` leaves out the epoch that timm's `step(epoch, metric=None)` "
                   f"requires ({named(scheduler)}): it raises TypeError "
                   f"(\"{owner}.step() missing 1 required positional argument: 'epoch'\") "
                   f"{when}")
        fix = None
        if counter is not None:
            message += (f"; timm's train.py passes the next epoch after each epoch: "
                        f"`step({counter} + 1)`")
            fix = _pass_epoch(context, event.node, counter)
        else:
            message += ("; pass the epoch (or, with t_in_epochs=False, call "
                        "`step_update(num_updates)` after each optimizer update)")
        context.report(event.node, message, fix)


def _passes_epoch(call: cst.Call) -> bool:
    """The call passes ``epoch`` (positionally or by keyword), or may through ``*``/``**``."""
    return any(arg.star or arg.keyword is None or arg.keyword.value == "epoch"
               for arg in call.args)


def _only_timm(model: ModuleModel, site: CallSite) -> bool:
    """Every binding of the receiver is tracked, and every object it may be is a timm
    scheduler with timm's ``step``."""
    if not every_binding_tracked(model, site):
        return False
    refs = model.resolve(site.receiver, site.scope, site.order, site.path)
    return bool(refs) and all(r.obj.family == "timm" and not overrides_stepping(model, r.obj)
                              for r in refs)



def _epoch_counter(model: ModuleModel, event: Event) -> str | None:
    """The counter of the ``for epoch in range(...)`` loop the call runs in, in its own
    function: the epoch just finished."""
    loops: tuple[Loop, ...] = event.site.loops
    if not loops:
        return None
    loop = loops[-1]
    target = loop.node.target if isinstance(loop.node, cst.For) else None
    if not isinstance(target, cst.Name) or range_bounds(loop.iter) is None:
        return None
    if model.loop_kinds.kind(Frame(loop, event.site)) is not LoopKind.EPOCH:
        return None
    return target.value


def _pass_epoch(context: RuleContext, call: cst.Call, counter: str) -> FixPlan:
    epoch = cst.Arg(value=cst.parse_expression(f"{counter} + 1"),
                    comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                    if call.args else cst.MaybeSentinel.DEFAULT)
    fixed = call.with_changes(args=[epoch, *call.args])
    return FixPlan(f"pass `{counter} + 1`, the epoch about to start (timm's train.py convention)",
                   (ReplaceNode(call, context.model.module.code_for_node(fixed)),), "unsafe")
