"""LR020 lightning-scheduler-stepped-twice: a scheduler Lightning steps (returned from
``configure_optimizers`` with automatic optimization) is stepped by user code too."""

from __future__ import annotations

from lrlint.analysis.lightning import ManualStep, lightning_modules
from lrlint.analysis.model import TrackedObject
from lrlint.checks.base import Rule, RuleContext
from lrlint.prefilter import Vocabulary

_BY_LIGHTNING = {"step": "after every optimizer step", "epoch": "once per epoch"}
_CADENCE_OF = {"step": "every training batch", "epoch": "every epoch"}


class LightningSchedulerSteppedTwice(Rule):
    code = "LR020"
    name = "lightning-scheduler-stepped-twice"
    summary = ("Lightning: a scheduler returned from `configure_optimizers` (automatic "
               "optimization) is also stepped by hand, so it advances twice")
    vocabulary = (Vocabulary(gates=(b"configure_optimizers",)),)

    def check(self, context: RuleContext) -> None:
        for module in lightning_modules(context.model):
            if not module.lightning_steps:
                continue
            for entry in module.entries:
                interval = module.interval(entry)
                for scheduler in module.schedulers(entry):
                    if scheduler.family == "timm":
                        continue  # timm's step(epoch) sets the LR of that epoch: idempotent
                    steps = [s for s in module.manual_steps(entry, scheduler) if s.cadence]
                    for step in steps:
                        context.report(step.site.node,
                                       _message(context, scheduler, interval, step, steps))


def _message(context: RuleContext, scheduler: TrackedObject, interval: str | None,
             step: ManualStep, steps: list[ManualStep]) -> str:
    by_lightning = _BY_LIGHTNING.get(interval, "at its interval")
    call = context.code_for(step.site.node)
    return (f"{scheduler.short} is returned from configure_optimizers, so Lightning (automatic "
            f"optimization) already steps it {by_lightning}; `{call}` in `{step.hook}` steps it "
            f"again, {step.cadence}: {_consequence(scheduler, interval, steps)}")


def _consequence(scheduler: TrackedObject, interval: str | None, steps: list[ManualStep]) -> str:
    cadences = {_CADENCE_OF.get(interval)} | {step.cadence for step in steps}
    if scheduler.torch_class == "ReduceLROnPlateau":
        return "it counts more than one step per epoch, so its patience runs out early"
    if len(cadences) == 1:
        count = len(steps) + 1
        speed = "twice" if count == 2 else f"{count} times"
        text = f"it advances {count} steps at a time, so the schedule runs {speed} as fast"
    else:
        text = "the extra steps push the schedule ahead of training"
    if scheduler.torch_class == "OneCycleLR":
        text += ", and OneCycleLR raises ValueError once it is stepped past its total steps"
    return text
