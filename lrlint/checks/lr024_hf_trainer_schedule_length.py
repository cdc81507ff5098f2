"""LR024 hf-trainer-schedule-length: a scheduler handed to the Hugging Face Trainer, sized in
samples or micro-batches while the Trainer steps it once per optimizer update."""

from __future__ import annotations

import math

import libcst as cst

from lrlint.analysis.hf import TrainerCall, trainer_calls
from lrlint.analysis.queries import is_number
from lrlint.analysis.schedule_length import LengthReader, Version
from lrlint.analysis.units import HORIZON_ARGUMENTS
from lrlint.checks.base import Rule, RuleContext
from lrlint.checks.common import fmt
from lrlint.prefilter import Vocabulary

# The argument that sets each schedule's length (OneCycleLR: per epoch, when epochs are given).
_LENGTH_ARGUMENTS = {**{name: arguments[:1] for name, arguments in HORIZON_ARGUMENTS.items()},
                     "OneCycleLR": ("total_steps", "steps_per_epoch")}


class HfTrainerScheduleLength(Rule):
    code = "LR024"
    name = "hf-trainer-schedule-length"
    summary = ("Hugging Face: `Trainer(optimizers=(optimizer, scheduler))` with a schedule "
               "sized in samples or micro-batches; the Trainer steps it once per update")
    vocabulary = (Vocabulary(gates=(b"optimizers",), requires=(Vocabulary(gates=(b"len(",)),)),)

    def check(self, context: RuleContext) -> None:
        reader = LengthReader(context.model)
        for trainer in trainer_calls(context.model):
            found = _mismatch(context, reader, trainer)
            if found is None:
                continue
            argument, expr, version, factor, per_update = found
            self._report(context, trainer, argument, expr, version, factor, per_update)

    def _report(self, context: RuleContext, trainer: TrainerCall, argument: str,
                expr: cst.BaseExpression, version: Version, factor: int, per_update: str) -> None:
        leaf = next(leaf for leaf in version.leaves if leaf.kind != "step count")
        unit = "samples" if version.batch > 0 else "micro-batches"
        message = (f"`{argument}={context.code_for(expr)}` counts {unit} "
                   f"(`{context.code_for(leaf.node)}`), but the Trainer steps "
                   f"{trainer.scheduler.short} once per optimizer update, {per_update}: the run "
                   f"ends {_fraction(factor)} of the way through the schedule, and the rest of "
                   "it (most of its decay) never runs; size it in optimizer updates (an "
                   "epoch's batches divided by gradient_accumulation_steps, times the epochs)")
        anchor = expr if context.model.owns(expr) else trainer.argument("optimizers")
        context.report(anchor, message)


def _mismatch(context: RuleContext, reader: LengthReader, trainer: TrainerCall):
    """(argument, expression, version, factor, per update) of a length counted in samples or
    micro-batches that the Trainer's batch size / accumulation make too long, else None."""
    scheduler = trainer.scheduler
    if scheduler.site is None:
        return None
    for argument in _LENGTH_ARGUMENTS.get(scheduler.torch_class, ()):
        expr = scheduler.args.get(argument)
        if expr is None:
            continue
        versions = reader.versions(expr, scheduler.site.scope, scheduler.site.order)
        if not versions:
            return None
        batch, accumulation = _settings(trainer)
        for version in versions:
            if not version.from_data or version.batch < 0 or version.accumulation < 0:
                continue
            if version.batch > 0:
                if not (is_number(batch) and is_number(accumulation)) or batch * accumulation <= 1:
                    continue
                factor = int(batch * accumulation)
                per_update = (f"one per {_product(batch, accumulation)} samples "
                              f"(per_device_train_batch_size={fmt(batch)}, "
                              f"gradient_accumulation_steps={fmt(accumulation)})")
            elif version.accumulation > 0:
                if not is_number(accumulation) or accumulation <= 1:
                    continue
                factor = int(accumulation)
                per_update = (f"one per {fmt(accumulation)} micro-batches "
                              f"(gradient_accumulation_steps={fmt(accumulation)})")
            else:
                continue
            return argument, expr, version, factor, per_update
        return None
    return None


def _settings(trainer: TrainerCall) -> tuple[object, object]:
    """The Trainer's batch size per device and accumulation (its defaults without args=)."""
    if trainer.args is None:
        if trainer.argument("args") is not None:
            from lrlint.analysis.evaluate import Unknown

            return Unknown("args"), Unknown("args")
        return 8, 1
    return (trainer.args.value("per_device_train_batch_size"),
            trainer.args.value("gradient_accumulation_steps"))


def _product(batch: object, accumulation: object) -> str:
    if accumulation == 1:
        return fmt(batch)
    return f"{fmt(batch)} × {fmt(accumulation)} = {fmt(batch * accumulation)}"


def _fraction(factor: int) -> str:
    return f"1/{factor}" if factor < 1000 else f"1/{fmt(factor)}" if factor < 10**6 \
        else f"about 1/10^{int(math.log10(factor))}"
