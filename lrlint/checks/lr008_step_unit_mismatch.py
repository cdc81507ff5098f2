"""LR008 step-unit-mismatch: a schedule counted in epochs stepped per batch, or the reverse."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.cadence import Cadence, cadence
from lrlint.analysis.loops import LoopClassifier, LoopKind
from lrlint.analysis.model import Event, TrackedObject
from lrlint.analysis.queries import is_number
from lrlint.analysis.receivers import only_tracked
from lrlint.analysis.torch_api import COMPOSITE_SCHEDULERS
from lrlint.analysis.units import HORIZON_ARGUMENTS, Unit, UnitReader
from lrlint.checks.base import Rule, RuleContext
from lrlint.checks.common import fmt, loop_phrase
from lrlint.prefilter import SCHEDULER

# Decays whose literal horizon, when it fits inside the epoch loop's count, can only mean epochs.
_LITERAL_EPOCH_DECAYS = frozenset({"StepLR", "MultiStepLR", "CosineAnnealingLR", "PolynomialLR",
                                   "OneCycleLR"})
_MAX_SIMULATED = 1_000_000


@dataclass(frozen=True)
class Configuration:
    """The unit a scheduler counts in, and the argument text that shows it."""

    unit: Unit
    evidence: str  # e.g. "`T_max=args.epochs`"
    horizon: object  # the folded number of steps the schedule spans, or None
    span: str  # that number, or the code that counts it: "90", "`args.epochs`"


class StepUnitMismatch(Rule):
    code = "LR008"
    name = "step-unit-mismatch"
    summary = ("a scheduler counted in epochs is stepped per batch, or one counted in batches "
               "per epoch")
    vocabulary = (SCHEDULER,)

    def check(self, context: RuleContext) -> None:
        model = context.model
        units = model.units
        loops = model.loop_kinds
        for scheduler in model.standalone_schedulers:
            if scheduler.has_star_args:
                continue
            configuration = _configuration(context, units, scheduler)
            if configuration is None:
                continue
            reported: set[cst.Call] = set()
            for step in scheduler.events_named("step"):
                if step.node.args or step.node in reported or not only_tracked(model, step.site):
                    continue  # `step(epoch)` is LR011's
                found = cadence(model, loops, step, model.optimizers_of(scheduler, step.made_by))
                if found is None:
                    continue
                message = _mismatch(context, loops, scheduler, configuration, step, found)
                if message is not None:
                    reported.add(step.node)
                    context.report(step.node, message, facts=_facts(context, loops, found))


def _facts(context: RuleContext, loops: LoopClassifier, found: Cadence) -> dict[str, object]:
    """How the code reshapes the schedule, for tools: stretched (stepped once per epoch, laid
    out per batch) or squeezed (the reverse), by the batches per epoch when they fold."""
    per_epoch = found.per is LoopKind.EPOCH
    batch_loop = found.optimizer_loop if per_epoch else found.loop
    factor = None
    if batch_loop is not None:
        factor = loops.epoch_count(batch_loop)  # a range(...) loop
        if factor is None and batch_loop.loop.iter is not None:
            iterable = batch_loop.loop.iter
            while isinstance(iterable, cst.Call) and iterable.args and \
                    _called(iterable) in ("enumerate", "tqdm"):
                iterable = iterable.args[0].value
            length = cst.Call(func=cst.Name("len"), args=[cst.Arg(value=iterable)])
            factor = context.fold(length, batch_loop.scope, batch_loop.loop.order_start)
    whole = isinstance(factor, int) and not isinstance(factor, bool) and factor >= 1
    return {"effect": "stretch" if per_epoch else "squeeze",
            "stepped": "per epoch" if per_epoch else "per batch",
            "factor": factor if whole else None}


def _called(call: cst.Call) -> str | None:
    func = call.func
    return func.value if isinstance(func, cst.Name) else \
        func.attr.value if isinstance(func, cst.Attribute) else None


def _configuration(context: RuleContext, units: UnitReader,
                   scheduler: TrackedObject) -> Configuration | None:
    name = scheduler.torch_class
    site = scheduler.site
    if name == "OneCycleLR" and "steps_per_epoch" in scheduler.args:
        per_epoch = context.model.folded_arg(scheduler, "steps_per_epoch", None)
        if is_number(per_epoch) and per_epoch <= 1:
            return None
        epochs = context.model.folded_arg(scheduler, "epochs", None)
        total = epochs * per_epoch if is_number(epochs) and is_number(per_epoch) else None
        text = ", ".join(f"`{arg}={context.code_for(scheduler.args[arg])}`"
                         for arg in ("epochs", "steps_per_epoch") if arg in scheduler.args)
        factors = [fmt(v) if is_number(v) else f"`{context.code_for(scheduler.args[arg])}`"
                   for arg, v in (("epochs", epochs), ("steps_per_epoch", per_epoch))
                   if arg in scheduler.args]
        product = " × ".join(factors)
        span = f"{fmt(total)} ({product})" if total is not None else product
        return Configuration(Unit.ITERATION, text, total, span)
    present = [(arg, scheduler.args[arg]) for arg in HORIZON_ARGUMENTS.get(name, ())
               if arg in scheduler.args]
    each = [units.unit(expr, site.scope, site.order) for _, expr in present]
    unit = _agreed(each) if present else None
    if name in COMPOSITE_SCHEDULERS:
        unit = _composite_unit(context, units, scheduler, unit)
    if unit not in (Unit.EPOCH, Unit.ITERATION, Unit.LITERAL):
        return None
    if unit is Unit.LITERAL and name not in _LITERAL_EPOCH_DECAYS:
        return None
    decisive = [(arg, expr) for (arg, expr), u in zip(present, each) if u is unit] or present
    text = ", ".join(_argument_text(context, scheduler, arg, expr, unit) for arg, expr in decisive)
    horizon = _horizon(context, scheduler, present)
    if is_number(horizon):
        span = fmt(horizon)
    else:
        principal = decisive[0][1] if decisive else None
        if isinstance(principal, (cst.List, cst.Tuple)) and principal.elements:
            principal = principal.elements[-1].value  # the last milestone
        span = f"`{context.code_for(principal)}`" if principal is not None else "that many"
    return Configuration(unit, text, horizon, span)


def _argument_text(context, scheduler: TrackedObject, arg: str, expr: cst.BaseExpression,
                   unit: Unit) -> str:
    """`arg=code`, with the constant it folds to when the code does not show it
    (`milestones=args.milestones` = [30, 60, 80], an argparse default)."""
    text = f"`{arg}={context.code_for(expr)}`"
    if unit is Unit.LITERAL and not _written_out(expr):
        value = context.fold(expr, scheduler.site.scope, scheduler.site.order)
        if is_number(value) or isinstance(value, (list, tuple)):
            text += f" = {fmt(value)}"
    return text


def _written_out(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, (cst.List, cst.Tuple)):
        return all(_written_out(element.value) for element in expr.elements)
    return isinstance(expr, (cst.Integer, cst.Float))


def _agreed(units: list[Unit]) -> Unit | None:
    """The unit several counts agree on: an unreadable warm-up length does not hide
    ``num_training_steps=len(loader) * epochs``, but epochs against batches is no answer."""
    known = {u for u in units if u in (Unit.EPOCH, Unit.ITERATION)}
    if len(known) == 1:
        return known.pop()
    if not known and all(u is Unit.LITERAL for u in units):
        return Unit.LITERAL
    return None


def _composite_unit(context, units: UnitReader, scheduler: TrackedObject,
                    unit: Unit | None) -> Unit | None:
    """A SequentialLR/ChainedScheduler counts in the unit its children (and milestones) agree on."""
    found = [unit] if unit is not None else []
    for child in context.model.children_of(scheduler):
        configuration = _configuration(context, units, child) if child.site is not None else None
        if configuration is not None and configuration.unit is not Unit.LITERAL:
            found.append(configuration.unit)
    known = {u for u in found if u is not Unit.LITERAL}
    return known.pop() if len(known) == 1 else None


def _horizon(context: RuleContext, scheduler: TrackedObject, present) -> object:
    """The largest folded step count among the horizon arguments (milestones: the last one)."""
    values = []
    for _, expr in present:
        value = context.fold(expr, scheduler.site.scope, scheduler.site.order)
        if isinstance(value, (list, tuple)) and value and all(is_number(v) for v in value):
            value = max(value)
        if not is_number(value):
            return None
        values.append(value)
    return max(values) if values else None


def _mismatch(context: RuleContext, loops: LoopClassifier, scheduler: TrackedObject,
              configuration: Configuration, step: Event, found: Cadence) -> str | None:
    call = context.code_for(step.node)
    if found.per is LoopKind.EPOCH and configuration.unit is Unit.ITERATION:
        return _per_epoch_message(context, loops, scheduler, configuration, call, found)
    if found.per is not LoopKind.BATCH:
        return None
    epochs = loops.epoch_count(found.epoch_loop) if found.epoch_loop is not None else None
    if configuration.unit is Unit.LITERAL:
        horizon = configuration.horizon
        if not (is_number(horizon) and is_number(epochs) and 0 < horizon <= epochs):
            return None
        if not _collapses_within(context, scheduler, epochs):
            return None  # `StepLR(step_size=1, gamma=0.999)` per batch is a deliberate decay
        counted = f"{configuration.evidence} fits inside the {epochs} epochs of the training loop"
    elif configuration.unit is Unit.EPOCH:
        counted = f"{configuration.evidence} counts epochs"
    else:
        return None
    where = f"inside {loop_phrase(context.code_for, found.loop.loop)}"
    return (f"{scheduler.short} is configured in epochs ({counted}) but `{call}` runs once per "
            f"batch ({where}): {_per_batch_consequence(context, scheduler, configuration)}")


def _collapses_within(context, scheduler: TrackedObject, batches: int) -> bool:
    """Stepped per batch, a literal step decay has cut the LR at least tenfold within as many
    batches as there are epochs: no per-iteration intent explains that."""
    name = scheduler.torch_class
    if name not in ("StepLR", "MultiStepLR"):
        return True  # cosine minimum, polynomial zero, OneCycleLR's ValueError: all within it
    gamma = context.model.folded_arg(scheduler, "gamma", 0.1)
    if not is_number(gamma) or not 0 <= gamma < 1:
        return False
    if name == "StepLR":
        step_size = context.model.folded_arg(scheduler, "step_size", None)
        decays = batches // step_size if isinstance(step_size, int) and step_size > 0 else 0
    else:
        milestones = context.model.folded_arg(scheduler, "milestones", ())
        decays = sum(1 for m in milestones if is_number(m) and m <= batches) \
            if isinstance(milestones, (list, tuple)) else 0
    return decays > 0 and gamma ** decays <= 0.1


def _per_epoch_message(context, loops, scheduler, configuration, call, found: Cadence) -> str:
    places = []
    if found.loop is not None:
        places.append(f"in {loop_phrase(context.code_for, found.loop.loop)}")
    if found.optimizer_loop is not None:
        places.append(f"outside {loop_phrase(context.code_for, found.optimizer_loop.loop)} "
                      f"where the optimizer steps")
    where = ", ".join(places)
    epochs = loops.epoch_count(found.loop) if found.loop is not None else None
    if not is_number(epochs):
        epochs = context.model.folded_arg(scheduler, "epochs", None)
    return (f"{scheduler.short} is configured for {configuration.span} batches "
            f"({configuration.evidence}) but `{call}` runs once per epoch ({where}): "
            f"{_per_epoch_consequence(context, scheduler, configuration, epochs)}")


def _per_epoch_consequence(context, scheduler: TrackedObject, configuration: Configuration,
                           epochs: object) -> str:
    total = configuration.horizon
    one_cycle = scheduler.torch_class == "OneCycleLR"
    pct = context.model.folded_arg(scheduler, "pct_start", 0.3) if one_cycle else None
    if is_number(epochs) and is_number(total) and total > 0:
        taken = (f"after {epochs} epochs it has taken {epochs} of its {fmt(total)} steps "
                 f"({100 * epochs / total:.2g}% of its curve)")
        if one_cycle and is_number(pct) and epochs < pct * total:
            return f"{taken} and the LR never comes down from its warm-up"
        end = _value_at(context, scheduler, int(epochs))
        if end is not None:
            return f"{taken}: the LR ends at {fmt(end)}"
        return taken
    if one_cycle and "steps_per_epoch" in scheduler.args:
        per_epoch = context.code_for(scheduler.args["steps_per_epoch"])
        threshold = f"{int(1 / pct) + 1} or more" if is_number(pct) and pct > 0 else "enough"
        return (f"by the end of training it has covered only 1/`{per_epoch}` of its cycle, so "
                f"the LR never comes down from its warm-up (with {threshold} batches per epoch)")
    return ("it takes one step per epoch instead of one per batch, so by the end of training "
            "it has covered only a small fraction of its curve")


def _per_batch_consequence(context, scheduler: TrackedObject, configuration: Configuration) -> str:
    name = scheduler.torch_class
    horizon, span = configuration.horizon, configuration.span
    if name == "StepLR":
        gamma = context.model.folded_arg(scheduler, "gamma", 0.1)
        shown = fmt(gamma) if is_number(gamma) else "gamma"
        text = (f"the LR is multiplied by {shown} every {span} batches instead of every {span} "
                f"epochs")
        if is_number(horizon):
            after = int(horizon) * 3
            value = _value_at(context, scheduler, after)
            if value is not None:
                text += f", down to {fmt(value)} after {after} batches"
        return text
    if name == "MultiStepLR":
        value = _value_at(context, scheduler, int(horizon)) if is_number(horizon) else None
        rest = "" if value is None else f", leaving the LR at {fmt(value)} for the rest of training"
        return f"every milestone has passed after {span} batches{rest}"
    if name == "CosineAnnealingLR":
        period = fmt(2 * horizon) if is_number(horizon) else f"2 × {span}"
        return (f"the cosine reaches its minimum after {span} batches, then climbs back up and "
                f"keeps oscillating with a period of {period} batches")
    if name == "CosineAnnealingWarmRestarts":
        return f"it restarts every {span} batches instead of every {span} epochs"
    if name == "PolynomialLR":
        return f"the LR decays to 0 after {span} batches and stays 0 for the rest of training"
    if name == "OneCycleLR":
        return (f"torch raises ValueError once it has been stepped {span} times, i.e. after "
                f"{span} batches")
    if name in ("get_linear_schedule_with_warmup", "get_polynomial_decay_schedule_with_warmup"):
        return (f"the LR reaches its final value after {span} batches and stays there for the "
                f"rest of training")
    if name in ("get_cosine_schedule_with_warmup",
                "get_cosine_with_hard_restarts_schedule_with_warmup"):
        return f"the cosine is over after {span} batches and the LR then rises again"
    return f"its whole schedule is spent after {span} batches instead of {span} epochs"


def _value_at(context, scheduler: TrackedObject, step: int) -> float | None:
    if step < 0 or step >= _MAX_SIMULATED:
        return None
    values = context.model.schedule_values(scheduler, step + 1)
    return values[step] if values else None
