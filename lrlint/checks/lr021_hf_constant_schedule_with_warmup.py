"""LR021 hf-constant-schedule-with-warmup: ``lr_scheduler_type="constant"`` with a warm-up,
which transformers' ``get_scheduler`` drops without a word."""

from __future__ import annotations

import libcst as cst

from lrlint.analysis.collect import string_value
from lrlint.analysis.frameworks import HF_CONSTANT_TYPE, HF_CONSTANT_WITH_WARMUP
from lrlint.analysis.hf import Setting, TrainingArgs, literal_type, scheduler_type, training_arguments
from lrlint.analysis.model import TrackedObject
from lrlint.analysis.queries import is_number
from lrlint.checks.base import FixPlan, ReplaceNode, Rule, RuleContext
from lrlint.checks.common import fmt
from lrlint.prefilter import Vocabulary


class HfConstantScheduleWithWarmup(Rule):
    code = "LR021"
    name = "hf-constant-schedule-with-warmup"
    summary = ("Hugging Face: `lr_scheduler_type=\"constant\"` with a warm-up, which "
               "`get_scheduler` ignores (`\"constant_with_warmup\"` is meant)")
    fixable = True
    # The warm-up may be a subclass default of another module: only the type is required here.
    vocabulary = (Vocabulary(gates=(b"constant", b"CONSTANT")),)

    def check(self, context: RuleContext) -> None:
        for args in training_arguments(context.model):
            self._check_training_arguments(context, args)
        for scheduler in context.model.schedulers:
            if scheduler.site is not None and scheduler.torch_class == "get_scheduler":
                self._check_get_scheduler(context, scheduler)

    def _check_training_arguments(self, context: RuleContext, args: TrainingArgs) -> None:
        kind = args.settings.get("lr_scheduler_type")
        if kind is None or literal_type(kind.expr, kind.model, kind.scope, kind.order) \
                != HF_CONSTANT_TYPE:
            return
        warmup = _warmup_setting(args)
        if warmup is None:
            return
        if isinstance(args.node, cst.Call) and kind.origin != "call" and warmup.origin != "call":
            return  # both from the subclass's defaults: reported once, on the class
        value = warmup.fold()
        ramp = _ramp(warmup.name, value)
        message = (f"`lr_scheduler_type={kind.code}` with `{warmup.name}={warmup.code}`"
                   f"{_folded(warmup.code, value)}: transformers' `get_scheduler` returns the "
                   "constant schedule before it reads the warm-up, so there is no warm-up (the "
                   f"first step already runs at {_peak(args)}) and nothing warns; "
                   f"`\"{HF_CONSTANT_WITH_WARMUP}\"` ramps the LR from 0 over {ramp}")
        if context.model.owns(kind.expr):
            context.report(kind.expr, message, _fix(kind.expr))
        else:  # the type is a subclass default of another module: point at the warm-up here
            context.report(warmup.expr if context.model.owns(warmup.expr) else args.node, message)

    def _check_get_scheduler(self, context: RuleContext, scheduler: TrackedObject) -> None:
        model = context.model
        site = scheduler.site
        name = scheduler.args.get("name")
        warmup = scheduler.args.get("num_warmup_steps")
        if name is None or warmup is None:
            return
        if literal_type(name, model, site.scope, site.order) != HF_CONSTANT_TYPE \
                or scheduler_type(model, scheduler) != HF_CONSTANT_TYPE:
            return
        value = model.fold(warmup, site.scope, site.order)
        if not is_number(value) or value <= 0:
            return
        code = context.code_for(warmup)
        steps = fmt(int(value)) if float(value).is_integer() else fmt(value)
        message = (f"`get_scheduler({context.code_for(name)}, ...)` with "
                   f"`num_warmup_steps={code}`{_folded(code, value)}: the constant schedule is "
                   "returned before the warm-up is read, so there is no warm-up and nothing "
                   f"warns; `\"{HF_CONSTANT_WITH_WARMUP}\"` ramps the LR from 0 over the first "
                   f"{steps} steps")
        context.report(name, message, _fix(name))


def _warmup_setting(args: TrainingArgs) -> Setting | None:
    """The warm-up the arguments ask for (a positive warmup_steps or warmup_ratio)."""
    for name in ("warmup_steps", "warmup_ratio"):
        setting = args.settings.get(name)
        if setting is None:
            continue
        value = setting.fold()
        if is_number(value) and value > 0:
            return setting
    return None


def _ramp(name: str, value: float) -> str:
    if name == "warmup_ratio" or value < 1:
        return f"the first {value * 100:.3g}% of the training steps"
    return f"the first {fmt(int(value))} optimizer steps"


def _folded(code: str, value: object) -> str:
    """`` (= 100)`` when the code is not the number itself."""
    shown = fmt(value)
    return "" if code.strip() == shown or not is_number(value) else f" (= {shown})"


def _peak(args: TrainingArgs) -> str:
    lr = args.value("learning_rate")
    return f"the peak LR {fmt(lr)}" if is_number(lr) else "the peak LR"


def _fix(expr: cst.BaseExpression) -> FixPlan | None:
    """Spell the type that has a warm-up: the same string quotes, or the enum member."""
    message = f'Use "{HF_CONSTANT_WITH_WARMUP}"'
    if isinstance(expr, cst.SimpleString) and string_value(expr) == HF_CONSTANT_TYPE:
        quote = expr.quote
        prefix = expr.prefix
        return FixPlan(message, (ReplaceNode(expr, f"{prefix}{quote}{HF_CONSTANT_WITH_WARMUP}{quote}"),))
    if isinstance(expr, cst.Attribute) and expr.attr.value == "CONSTANT":
        return FixPlan(message, (ReplaceNode(expr.attr, "CONSTANT_WITH_WARMUP"),))
    return None
