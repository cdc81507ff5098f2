"""LR002 scheduler-factor-direction: a "decay" that raises the learning rate."""

from __future__ import annotations

import re

from lrlint.analysis.model import TrackedObject
from lrlint.checks.base import FixPlan, ReplaceNode, Rule, RuleContext
from lrlint.checks.common import (
    argument,
    binding_names,
    fmt,
    folded_arg,
    is_number,
    scheduler_base_lr,
)
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
        composed = model.composed_children()
        for scheduler in model.schedulers:
            if scheduler.torch_class not in ("LinearLR", "ConstantLR") or scheduler.site is None:
                continue
            if scheduler.custom is not None or scheduler in composed or self._is_warmup(context, scheduler):
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
        names = " ".join(binding_names(context.model, scheduler))
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
        start = folded_arg(context, scheduler, "start_factor", 1.0 / 3)
        end = folded_arg(context, scheduler, "end_factor", 1.0)
        total = folded_arg(context, scheduler, "total_iters", 5)
        if not (is_number(start) and is_number(end)) or not start < end:
            return
        if start <= 0 or end > 1:  # LR007 reports invalid factors
            return
        base = scheduler_base_lr(context, scheduler)
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
        factor = folded_arg(context, scheduler, "factor", 1.0 / 3)
        total = folded_arg(context, scheduler, "total_iters", 5)
        if not is_number(factor) or not 0 < factor < 1:
            return
        base = scheduler_base_lr(context, scheduler)
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
