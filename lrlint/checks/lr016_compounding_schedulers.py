"""LR016 compounding-schedulers: two schedulers drive one optimizer, both stepped every time."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.chains import blocks_inside, frames, is_conditional
from lrlint.analysis.loops import range_bounds
from lrlint.analysis.model import Event, Relation, TrackedObject
from lrlint.analysis.queries import argument, is_number
from lrlint.analysis.torch_api import COMPOSITE_SCHEDULERS, HF_SCHEDULES
from lrlint.checks.base import Rule, RuleContext
from lrlint.checks.common import fmt, loop_phrase
from lrlint.prefilter import SCHEDULER

# Recompute the LR from the base LRs at every step (they overwrite whatever is in the group).
_ABSOLUTE = frozenset({"LambdaLR", "OneCycleLR", "CyclicLR", "CosineAnnealingWarmRestarts",
                       *HF_SCHEDULES})
# Multiply the group's current LR by a per-step ratio (torch's chainable form).
_CHAINABLE = frozenset({"StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
                        "PolynomialLR", "LinearLR", "ConstantLR", "MultiplicativeLR",
                        "ReduceLROnPlateau"})
_MAX_SIMULATED = 100_000


@dataclass(frozen=True)
class Pair:
    first: Event  # in the order the two steps run in one iteration
    second: Event
    relation: Relation


class CompoundingSchedulers(Rule):
    code = "LR016"
    name = "compounding-schedulers"
    summary = "two schedulers step the same optimizer without SequentialLR/ChainedScheduler"
    vocabulary = (SCHEDULER,)

    def check(self, context: RuleContext) -> None:
        model = context.model
        candidates = [s for s in model.standalone_schedulers
                      if _form(model, s) is not None and s.events_named("step")]
        for index, a in enumerate(candidates):
            optimizers = set(model.optimizers_of(a))
            for b in candidates[index + 1:]:
                if not optimizers or set(model.optimizers_of(b)) != optimizers:
                    continue
                pair = _stepped_together(model, a, b)
                if pair is not None:
                    message = _message(context, pair, next(iter(optimizers)))
                    if message is not None:
                        context.report(pair.second.node, message)


def _form(model, scheduler: TrackedObject) -> str | None:
    """"absolute", "chainable", or None when lrlint cannot tell (custom classes, SWALR)."""
    if scheduler.custom is not None:
        return None
    name = scheduler.torch_class
    if name in COMPOSITE_SCHEDULERS:
        forms = {_form(model, child) for child in model.children_of(scheduler)}
        if not forms or None in forms:
            return None
        return "absolute" if "absolute" in forms else "chainable"
    if name == "get_scheduler":
        # transformers' factory: a LambdaLR for every name but "reduce_lr_on_plateau".
        kind = argument(scheduler.site.node, "name", 0)
        if kind is None or not isinstance(kind.value, cst.SimpleString):
            return None
        return "chainable" if "plateau" in kind.value.evaluated_value else "absolute"
    if name in _ABSOLUTE:
        return "absolute"
    if name in _CHAINABLE:
        return "chainable"
    return None


def _stepped_together(model, a: TrackedObject, b: TrackedObject) -> Pair | None:
    """Two step calls, one on each scheduler, that run in every iteration of a shared loop."""
    for step_a in _own_steps(model, a, b):
        for step_b in _own_steps(model, b, a):
            relation = model.relate(step_a, step_b)
            if relation is None or not relation.loops:
                continue
            loop = relation.loops[-1]
            if _built_inside(model, a, loop) or _built_inside(model, b, loop):
                continue  # a fresh scheduler per iteration (`if epoch == 0: warmup = ...`)
            gates_a = _gates(relation.first_chain, loop, step_a)
            gates_b = _gates(relation.second_chain, loop, step_b)
            if gates_a != gates_b:
                continue  # exclusive branches, or one only steps some of the time
            if relation.first_before_second:
                return Pair(step_a, step_b, relation)
            return Pair(step_b, step_a, model.relate(step_b, step_a))
    return None


def _built_inside(model, scheduler: TrackedObject, loop) -> bool:
    """The scheduler's constructor runs inside ``loop`` (in some calling context)."""
    site = scheduler.site
    return any(any(f.loop is loop for f in frames(outer + (site,)))
               for outer in model.contexts(site.function))


def _own_steps(model, scheduler: TrackedObject, other: TrackedObject) -> list[Event]:
    """Step calls of ``scheduler`` whose receiver cannot be ``other`` (``s = A if c else B``
    followed by one ``s.step()`` is a choice, not two schedulers)."""
    others = {e.node for e in other.events_named("step")}
    return [e for e in scheduler.events_named("step") if e.node not in others]


def _gates(chain, loop, step: Event) -> list[tuple[int, str]]:
    """The conditions inside ``loop`` around ``step`` (minus ``if scheduler is not None``)."""
    blocks = blocks_inside(chain, loop) or []
    return [(id(node), branch) for node, branch in blocks
            if is_conditional((node, branch)) and not _checks_receiver(node, step)]


def _checks_receiver(node: cst.CSTNode, step: Event) -> bool:
    """``if scheduler is not None:`` / ``if scheduler:`` around ``scheduler.step()``."""
    if not isinstance(node, cst.If) or step.site.receiver is None:
        return False
    test = node.test
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(
            test.comparisons[0].operator, cst.IsNot):
        test = test.left
    return test.deep_equals(step.site.receiver)


def _is_warmup(context: RuleContext, scheduler: TrackedObject) -> bool:
    """A LinearLR/ConstantLR whose factor returns to 1.0: composed by multiplication it is a
    warm-up in front of the other schedule (what ChainedScheduler documents)."""
    name = scheduler.torch_class
    if name == "LinearLR":
        start = context.model.folded_arg(scheduler, "start_factor", 1.0 / 3)
        end = context.model.folded_arg(scheduler, "end_factor", 1.0)
        return end == 1.0 and (not is_number(start) or start <= 1.0)
    return name == "ConstantLR"


def _message(context: RuleContext, pair: Pair, optimizer: TrackedObject) -> str | None:
    model = context.model
    first, second = pair.first.obj, pair.second.obj
    forms = (_form(model, first), _form(model, second))
    names = f"{first.short} and {second.short}"
    where = (f"both drive `{_name(context, optimizer)}` and are both stepped in every iteration "
             f"of {loop_phrase(context.code_for, pair.relation.loops[-1])} without "
             f"SequentialLR/ChainedScheduler")
    if forms == ("chainable", "chainable"):
        if _is_warmup(context, first) or _is_warmup(context, second):
            return None
        return f"{names} {where}: their factors multiply{_numbers(context, pair)}"
    if forms[1] == "absolute":
        return (f"{names} {where}: {second.short} recomputes the LR from the base LR at every "
                f"step, so {first.short} has no effect")
    return (f"{names} {where}: {first.short} recomputes the LR from the base LR at every step, "
            f"so the decay of {second.short} never accumulates (only its latest one-step ratio "
            f"is applied)")


def _numbers(context: RuleContext, pair: Pair) -> str:
    """The LR of the two together against each alone, at the end of the shared loop."""
    from lrlint import schedules

    relation = pair.relation
    if len(frames(relation.first_chain)) != len(relation.loops) or \
            len(frames(relation.second_chain)) != len(relation.loops):
        return ""  # stepped at different rates: no single count to quote
    loop = relation.loops[-1]
    bounds = range_bounds(loop.iter)
    if bounds is None or bounds[1] is not None:
        return ""
    site = pair.second.site
    count = context.fold(bounds[0], site.scope, loop.order_start)
    if not isinstance(count, int) or not 0 < count <= _MAX_SIMULATED:
        return ""
    built = sorted((pair.first.obj, pair.second.obj), key=lambda s: s.order)
    declared = [context.model.schedule_of(s) for s in built]
    if not all(d.ok for d in declared):
        return ""
    try:
        together = schedules.build("ChainedScheduler", declared[0].base_lr,
                                   schedulers=[d.schedule for d in declared]).values(count)[-1]
        alone = [d.schedule.values(count)[-1] for d in declared]
    except Exception:  # noqa: BLE001 - torch would raise while stepping: another rule's finding
        return ""
    if not all(is_number(v) for v in (together, *alone)):
        return ""
    each = ", ".join(f"{s.short} alone {fmt(v)}" for s, v in zip(built, alone))
    return f": in the last of the {count} iterations the LR is {fmt(together)} ({each})"


def _name(context: RuleContext, optimizer: TrackedObject) -> str:
    targets = optimizer.site.assigned_to if optimizer.site is not None else ()
    return context.code_for(targets[0]) if targets else optimizer.short
