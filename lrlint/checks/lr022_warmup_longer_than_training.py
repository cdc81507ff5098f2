"""LR022 warmup-longer-than-training: a warm-up at least as long as the run (or the schedule),
so the LR never reaches its peak."""

from __future__ import annotations

import libcst as cst

from lrlint.analysis.frameworks import HF_CONSTANT_WITH_WARMUP, HF_TYPES_WITHOUT_WARMUP
from lrlint.analysis.hf import (
    TrainingArgs,
    factory_type,
    literal_type,
    number,
    reads_warmup,
    training_arguments,
)
from lrlint.analysis.model import TrackedObject
from lrlint.analysis.queries import is_number
from lrlint.checks.base import Rule, RuleContext
from lrlint.checks.common import fmt
from lrlint.prefilter import Vocabulary


class WarmupLongerThanTraining(Rule):
    code = "LR022"
    name = "warmup-longer-than-training"
    summary = ("Hugging Face: `warmup_steps` at least `max_steps` (or `num_warmup_steps` at "
               "least `num_training_steps`): the LR never reaches its peak")
    vocabulary = (Vocabulary(gates=(b"warmup",)),)

    def check(self, context: RuleContext) -> None:
        for args in training_arguments(context.model):
            self._check_training_arguments(context, args)
        for scheduler in context.model.schedulers:
            if scheduler.site is not None and reads_warmup(context.model, scheduler):
                self._check_factory(context, scheduler)

    def _check_training_arguments(self, context: RuleContext, args: TrainingArgs) -> None:
        warmup, steps = args.settings.get("warmup_steps"), args.settings.get("max_steps")
        if warmup is None or steps is None:
            return
        if isinstance(args.node, cst.Call) and "call" not in (warmup.origin, steps.origin):
            return  # both from the subclass's defaults: reported once, on the class
        w, m = warmup.fold(), steps.fold()
        if not (is_number(w) and is_number(m)) or w < 1 or m <= 0 or int(w) < m:
            return  # below 1 is a ratio (transformers 5); max_steps <= 0: epochs decide
        kind_setting = args.settings.get("lr_scheduler_type")
        kind = "linear" if kind_setting is None else literal_type(
            kind_setting.expr, kind_setting.model, kind_setting.scope, kind_setting.order) \
            or args.value("lr_scheduler_type")
        if not isinstance(kind, str) or kind in HF_TYPES_WITHOUT_WARMUP:
            return
        w = int(w)  # TrainingArguments.get_warmup_steps: int(warmup_steps) when >= 1
        lr = args.value("learning_rate")
        peak = f" {fmt(lr)}" if is_number(lr) else ""
        message = (f"`warmup_steps={warmup.code}`{_shown(warmup.code, w)} is "
                   f"{_longer(w, m)} `max_steps={steps.code}`{_shown(steps.code, m)}: every "
                   f"optimizer step of the run is in the warm-up, so the LR climbs from 0 to "
                   f"only {_reached(w, m)} of its peak{peak} by the last step"
                   f"{_no_decay(kind)} (transformers rejects only a negative warmup_steps)")
        anchor = warmup.expr if context.model.owns(warmup.expr) else steps.expr
        context.report(anchor, message)

    def _check_factory(self, context: RuleContext, scheduler: TrackedObject) -> None:
        model = context.model
        warmup = number(model, scheduler, "num_warmup_steps")
        total = number(model, scheduler, "num_training_steps")
        if warmup is None or total is None or total.value <= 0 or warmup.value < total.value:
            return
        w_code, n_code = context.code_for(warmup.expr), context.code_for(total.expr)
        w, n = warmup.value, total.value
        message = (f"`num_warmup_steps={w_code}`{_shown(w_code, w)} is {_longer(w, n)} "
                   f"`num_training_steps={n_code}`{_shown(n_code, n)}: the schedule is all "
                   f"warm-up, so over its {fmt(n)} steps the LR climbs from 0 to only "
                   f"{_reached(w, n)} of its peak{_no_decay(factory_type(model, scheduler))} "
                   "(transformers checks neither number)")
        context.report(warmup.expr, message)


def _shown(code: str, value: float) -> str:
    text = fmt(int(value)) if float(value).is_integer() else fmt(value)
    return "" if code.strip() == text else f" (= {text})"


def _longer(warmup: float, total: float) -> str:
    return "longer than" if warmup > total else "as long as"


def _reached(warmup: float, total: float) -> str:
    """The factor of the last step, ``total - 1``: ``(total - 1) / warmup``."""
    share = max(0.0, (total - 1) / warmup)
    return f"{share * 100:.3g}%"


def _no_decay(kind: str | None) -> str:
    if kind == HF_CONSTANT_WITH_WARMUP:
        return ""
    return f", and the {kind} decay never starts" if kind else ", and the decay never starts"
