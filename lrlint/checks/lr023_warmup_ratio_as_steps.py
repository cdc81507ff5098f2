"""LR023 warmup-ratio-as-steps: a fraction (``0.1``, ``args.warmup_ratio``) passed where a
Hugging Face schedule factory counts warm-up steps."""

from __future__ import annotations

import re

import libcst as cst

from lrlint.analysis.evaluate import Unknown
from lrlint.analysis.hf import factory_type, reads_warmup
from lrlint.analysis.model import TrackedObject
from lrlint.analysis.queries import is_number
from lrlint.checks.base import Rule, RuleContext
from lrlint.checks.common import fmt
from lrlint.prefilter import Vocabulary

# A name that says "fraction of the run", not "number of steps".
_RATIO_NAME = re.compile(r"(ratio|proportion|fraction|frac|pct|percent(age)?)$", re.IGNORECASE)
_MAX_HOPS = 4


class WarmupRatioAsSteps(Rule):
    code = "LR023"
    name = "warmup-ratio-as-steps"
    summary = ("Hugging Face: a ratio (`0.1`, `warmup_ratio`) passed as `num_warmup_steps`, "
               "which counts steps: no warm-up")
    vocabulary = (Vocabulary(gates=(b"num_warmup_steps", b"_schedule_with_warmup",
                                    b"get_inverse_sqrt_schedule", b"get_wsd_schedule")),)

    def check(self, context: RuleContext) -> None:
        model = context.model
        for scheduler in model.schedulers:
            if scheduler.site is None or not _takes_warmup(model, scheduler):
                continue
            expr = scheduler.args.get("num_warmup_steps")
            if expr is None:
                continue
            site = scheduler.site
            value = model.fold(expr, site.scope, site.order)
            ratio_name = _ratio_name(model, expr, site.scope, site.order)
            fraction = is_number(value) and 0 < value < 1
            named = ratio_name is not None and (isinstance(value, Unknown) or value == 0
                                                 or fraction)
            if not (fraction or named):
                continue
            code = context.code_for(expr)
            what = f"`num_warmup_steps={code}`"
            if fraction and code.strip() != fmt(value):
                what += f" (= {fmt(value)})"
            reason = (f"is a fraction of the run (`{ratio_name}`)" if named and not fraction
                      else "is a fraction, not a step count")
            message = (f"{what} {reason}, but {scheduler.short} counts warm-up steps: "
                       f"{_effect(model, scheduler, value if fraction else None)}; multiply it "
                       "by the number of training steps (and round it) first")
            context.report(expr, message)


def _takes_warmup(model, scheduler: TrackedObject) -> bool:
    """A factory that reads num_warmup_steps; get_scheduler whose type is not known counts
    (every type but "constant" reads it)."""
    if scheduler.torch_class == "get_scheduler" and factory_type(model, scheduler) is None:
        return scheduler.custom is None
    return reads_warmup(model, scheduler)


def _ratio_name(model, expr: cst.BaseExpression, scope, order: int) -> str | None:
    """The ratio-like name ``expr`` is, itself or through names bound once (``warmup =
    args.warmup_ratio``); None for anything computed (``int(ratio * total)``)."""
    for _ in range(_MAX_HOPS):
        if isinstance(expr, cst.Attribute):
            return model.code_for(expr) if _RATIO_NAME.search(expr.attr.value) else None
        if not isinstance(expr, cst.Name):
            return None
        if _RATIO_NAME.search(expr.value):
            return expr.value
        bindings = model.assignments_reaching(expr.value, model.scope_of(expr) or scope, order)
        if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].value is None \
                or bindings[0].unpack:
            return None
        expr, scope, order = bindings[0].value, bindings[0].scope, bindings[0].order
    return None


def _effect(model, scheduler: TrackedObject, value: float | None) -> str:
    """What the factory does with a warm-up below 1 (transformers' optimization.py)."""
    shown = fmt(value) if value is not None else "x"
    kind = factory_type(model, scheduler)
    if kind == "inverse_sqrt" and "timescale" not in scheduler.args:
        return (f"only step 0 satisfies `current_step < {shown}` (LR 0), and the timescale "
                f"defaults to the warm-up, so from step 1 the LR is sqrt({shown} / step) of its "
                f"peak{_inverse_sqrt_example(value)}: it collapses instead of warming up")
    return (f"only step 0 satisfies `current_step < {shown}`, and its factor is "
            f"0 / max(1, {shown}) = 0, so the first optimizer step runs at LR 0 and the second "
            "already at the peak: there is no warm-up")


def _inverse_sqrt_example(value: float | None) -> str:
    if value is None:
        return ""
    return f" ({(value / 1) ** 0.5:.2g} of it at step 1, {(value / 100) ** 0.5:.2g} at step 100)"
