"""LR002 scheduler-factor-direction: a "decay" that raises the learning rate."""

from __future__ import annotations

import re

from lrlint.analysis.model import TrackedObject
from lrlint.analysis.queries import argument, is_number
from lrlint.checks.base import FixPlan, ReplaceNode, Rule, RuleContext
from lrlint.checks.common import fmt
from lrlint.prefilter import SCHEDULER, Vocabulary

_WARMUP = re.compile(r"warm", re.IGNORECASE)


class SchedulerFactorDirection(Rule):
    code = "LR002"
    name = "scheduler-factor-direction"
    summary = "a standalone LinearLR/ConstantLR raises the LR (its factors multiply the base LR)"
    fixable = True
    vocabulary = (SCHEDULER.also(Vocabulary(gates=(b"LinearLR", b"ConstantLR"))),)

    def check(self, context: RuleContext) -> None:
        model = context.model
        for scheduler in model.standalone_schedulers:
            if scheduler.torch_class not in ("LinearLR", "ConstantLR"):
                continue
            if scheduler.custom is not None or self._is_warmup(context, scheduler):
                continue
            if not scheduler.events_named("step") and not model.optimizers_of(scheduler):
                # A factory in a table of configurations (`lambda opt: LinearLR(opt, ...)`):
                # nothing here says how it is used.
                continue
            if scheduler.torch_class == "LinearLR":
                self._linear(context, scheduler)
            else:
                self._constant(context, scheduler)

    def _is_warmup(self, context: RuleContext, scheduler: TrackedObject) -> bool:
        """Named as a warmup, or sharing its optimizer with another scheduler (the usual manual
        warmup-then-decay pair)."""
        names = " ".join(context.model.binding_names(scheduler))
        total = scheduler.args.get("total_iters")
        if _WARMUP.search(names) or (total is not None and _WARMUP.search(context.code_for(total))):
            return True
        optimizers = set(context.model.optimizers_of(scheduler))
        return any(
            other is not scheduler and optimizers & set(context.model.optimizers_of(other))
            for other in context.model.schedulers
        )

    def _linear(self, context: RuleContext, scheduler: TrackedObject) -> None:
        if "start_factor" not in scheduler.args:
            return  # the defaults (1/3 -> 1) are torch's documented warmup
        start = context.model.folded_arg(scheduler, "start_factor", 1.0 / 3)
        end = context.model.folded_arg(scheduler, "end_factor", 1.0)
        total = context.model.folded_arg(scheduler, "total_iters", 5)
        if not (is_number(start) and is_number(end)) or not start < end:
            return
        if start <= 0 or end > 1:  # LR007 reports invalid factors
            return
        base = context.model.scheduler_base_lr(scheduler)
        span = f"over {_steps(total)}"
        if is_number(base):
            rise = f"raises the LR from {fmt(base * start)} to {fmt(base * end)} {span}"
        else:
            rise = f"raises the LR from {fmt(start)}x to {fmt(end)}x the base LR {span}"
        context.report(
            scheduler.node,
            f"LinearLR {rise}: its factors multiply the base LR, so start_factor={fmt(start)} "
            f"< end_factor={fmt(end)} is a warmup, not a decay",
            self._swap(context, scheduler),
        )

    def _swap(self, context: RuleContext, scheduler: TrackedObject) -> FixPlan | None:
        call = scheduler.site.node
        start_arg = argument(call, "start_factor", 1)
        end_arg = argument(call, "end_factor", 2)
        if start_arg is None:
            return None
        start_text = context.code_for(start_arg.value)
        edits: tuple
        if end_arg is not None:
            end_text = context.code_for(end_arg.value)
            edits = (ReplaceNode(start_arg.value, end_text), ReplaceNode(end_arg.value, start_text))
        elif start_arg.keyword is not None:
            edits = (ReplaceNode(start_arg.value, f"1.0, end_factor={start_text}"),)
        else:
            return None
        return FixPlan("Swap the factors so the LR decays", edits, "unsafe")

    def _constant(self, context: RuleContext, scheduler: TrackedObject) -> None:
        factor = context.model.folded_arg(scheduler, "factor", 1.0 / 3)
        total = context.model.folded_arg(scheduler, "total_iters", 5)
        if not is_number(factor) or not 0 < factor < 1:
            return
        base = context.model.scheduler_base_lr(scheduler)
        steps = _steps(total)
        if is_number(base):
            detail = f"holds the LR at {fmt(base * factor)} for {steps}, then raises it to {fmt(base)}"
        else:
            detail = f"holds the LR at {fmt(factor)}x the base LR for {steps}, then raises it to 1x"
        context.report(
            scheduler.node,
            f"ConstantLR {detail}: `factor` scales the LR only until `total_iters`, "
            "it does not decay it",
        )


def _steps(total: object) -> str:
    return f"{fmt(total)} steps" if is_number(total) else "`total_iters` steps"
