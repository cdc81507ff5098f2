"""LR004 negative-learning-rate: a negative LR turns descent into ascent."""

from __future__ import annotations

import re

import libcst as cst

from lrlint.analysis.evaluate import EvaluationError, returned_values
from lrlint.analysis.groups import param_groups
from lrlint.analysis.model import TrackedObject
from lrlint.analysis.queries import is_number
from lrlint.analysis.values import ModelEnv, step_function_in
from lrlint.checks.base import Rule, RuleContext
from lrlint.checks.common import fmt
from lrlint.prefilter import SCHEDULER, Vocabulary

# How far a lambda is evaluated to find the first step with a negative LR.
_HORIZON = 10_000

# The schedulers whose lambda or gamma can turn the LR negative.
_SCHEDULER_WORDS = SCHEDULER.also(
    Vocabulary(gates=(b"LambdaLR", b"MultiplicativeLR", b"StepLR", b"ExponentialLR")))
# A negative literal written as an LR: `lr=-0.1`, `BASE_LR = -1e-3` (a constant named like an LR),
# or `group["lr"] = -0.1`. A negative value reached any other way is outside this rule's scope
# (documented on its page). Three literal-first patterns scan fast.
_LR_MINUS = (
    Vocabulary(gates=(b"lr",), pattern=re.compile(rb"lr[ \t]*=[ \t]*-")),
    Vocabulary(gates=(b"LR",), pattern=re.compile(rb"LR[ \t]*=[ \t]*-")),
    Vocabulary(gates=(b"param_groups",), pattern=re.compile(rb"""lr["'][ \t]*\][ \t]*=[ \t]*-""")),
    Vocabulary(gates=(b"lr",), pattern=re.compile(rb"""lr["'][ \t]*:[ \t]*-""")),
)


class NegativeLearningRate(Rule):
    code = "LR004"
    name = "negative-learning-rate"
    summary = "a negative learning rate: the optimizer climbs the loss instead of descending it"
    vocabulary = (_SCHEDULER_WORDS, *_LR_MINUS)

    def check(self, context: RuleContext) -> None:
        model = context.model
        for optimizer in model.optimizers:
            self._constructor(context, optimizer)
        for write in model.item_writes:
            if write.key == "lr":
                self._group_write(context, write)
        for scheduler in model.schedulers:
            if scheduler.site is None:
                continue
            if scheduler.torch_class in ("LambdaLR", "MultiplicativeLR"):
                self._lambdas(context, scheduler)
            if scheduler.torch_class in ("ExponentialLR", "StepLR", "MultiStepLR"):
                self._gamma(context, scheduler)

    def _constructor(self, context: RuleContext, optimizer: TrackedObject) -> None:
        if optimizer.site is None:
            return
        self._group_dicts(context, optimizer)
        if "lr" not in optimizer.args:
            return
        value = context.model.optimizer_lr(optimizer)
        if not is_number(value) or value >= 0:
            return
        if optimizer.custom is None:
            consequence = (f"torch.optim.{optimizer.short} raises ValueError('Invalid learning "
                           f"rate: {value}') when it is built")
        else:
            consequence = (f"{optimizer.short} does not check it: every step moves the weights "
                           "up the gradient (gradient ascent) from step 1")
        context.report(optimizer.args["lr"], f"lr={fmt(value)} is negative: {consequence}")

    def _group_dicts(self, context: RuleContext, optimizer: TrackedObject) -> None:
        """``{"params": ..., "lr": -1e-4}``: torch checks only the optimizer's own ``lr``."""
        site = optimizer.site
        for group in param_groups(context.model, optimizer) or ():
            if group.lr is None:
                continue
            value = context.fold(group.lr, site.scope, site.order)
            if is_number(value) and value < 0:
                context.report(group.lr, f"this param group's lr={fmt(value)} is negative: torch "
                               "checks only the optimizer's own lr, so from the first step this "
                               "group's weights move up the gradient (gradient ascent)")

    def _group_write(self, context: RuleContext, write) -> None:
        model = context.model
        if not model.param_group_owners(write.container, write.scope, write.order, write.path):
            return
        if write.operator is not None:
            return  # `group["lr"] *= 0.5` keeps the sign of a positive LR
        value = context.fold(write.value, write.scope, write.order)
        if not is_number(value) or value >= 0:
            return
        context.report(
            write.value,
            f"this sets a param group's LR to {fmt(value)}: from the next optimizer step the "
            "weights move up the gradient (gradient ascent)",
        )

    def _lambdas(self, context: RuleContext, scheduler: TrackedObject) -> None:
        expr = scheduler.args.get("lr_lambda")
        if expr is None:
            return
        site = scheduler.site
        multiplicative = scheduler.torch_class == "MultiplicativeLR"
        for function in context.model.callables_of(expr, site.scope, site.order):
            scope = _scope_of_function(context, function, site.scope)
            env = ModelEnv(context.model, scope, site.order)
            for node, value in returned_values(function, env):
                if not is_number(value) or value >= 0:
                    continue
                first = _first_negative_step(context, function, scope, site.order, multiplicative)
                when = f" from step {first}" if first is not None else " on the steps that take this path"
                what = ("multiplies the LR by" if multiplicative else "scales the LR by")
                context.report(
                    node,
                    f"lr_lambda returns {fmt(value)}: {scheduler.short} {what} a negative factor, "
                    f"so the LR is negative{when} and the optimizer climbs the loss "
                    "(gradient ascent)",
                )

    def _gamma(self, context: RuleContext, scheduler: TrackedObject) -> None:
        gamma = context.model.folded_arg(scheduler, "gamma", 0.1)
        if not is_number(gamma) or gamma >= 0 or "gamma" not in scheduler.args:
            return
        first = {"ExponentialLR": 1}.get(scheduler.torch_class)
        if scheduler.torch_class == "StepLR":
            step_size = context.model.folded_arg(scheduler, "step_size", None)
            first = step_size if isinstance(step_size, int) else None
        elif scheduler.torch_class == "MultiStepLR":
            milestones = context.model.folded_arg(scheduler, "milestones", None)
            if isinstance(milestones, (list, tuple)) and milestones and all(
                isinstance(m, int) for m in milestones
            ):
                first = min(milestones)
        when = f" at step {first}" if first is not None else " at the first decay"
        context.report(
            scheduler.args["gamma"],
            f"gamma={fmt(gamma)} is negative: {scheduler.short} flips the sign of the LR{when}, "
            "and every other decay the optimizer climbs the loss (gradient ascent)",
        )


def _scope_of_function(context: RuleContext, function: cst.CSTNode, default):
    for info in context.model.functions:
        if info.node is function:
            return info.scope.parent or default
    return default


def _first_negative_step(context, function, scope, order, multiplicative: bool) -> int | None:
    step_function = step_function_in(context.model, function, scope, order)
    if not callable(step_function):
        return None
    factor = 1.0
    for step in range(_HORIZON):
        try:
            value = step_function(step + 1 if multiplicative else step)
        except (EvaluationError, ArithmeticError):
            return None
        if not is_number(value):
            return None
        factor = factor * value if multiplicative else value
        if factor < 0:
            return step + 1 if multiplicative else step
    return None
