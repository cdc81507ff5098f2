"""LR015 manual-lr-with-scheduler: a param group's LR written by hand while a scheduler drives it."""

from __future__ import annotations

import libcst as cst

from lrlint.analysis.chains import (
    chain_loops,
    conditions_inside,
    constructed_before,
    exclusive,
    fact_site,
    text_mentions,
)
from lrlint.analysis.facts import ItemWrite, Loop
from lrlint.analysis.model import Event, TrackedObject
from lrlint.analysis.queries import is_number
from lrlint.analysis.torch_api import Kind
from lrlint.analysis.updates import lr_update, schedulers_driving
from lrlint.analysis.walk import iter_tree
from lrlint.checks.base import Rule, RuleContext
from lrlint.checks.common import describe_schedule, fmt
from lrlint.prefilter import SCHEDULER, Vocabulary

# What a write reads when it scales the current LR instead of replacing it.
_RELATIVE_MARKERS = ('["lr"]', "['lr']", "get_last_lr", "get_lr")
_WARMUP = "warm"
# How many assignments a written value is followed through.
_MAX_TRACED = 24


class ManualLrWithScheduler(Rule):
    code = "LR015"
    name = "manual-lr-with-scheduler"
    summary = "a param group's `lr` is written by hand while a scheduler drives that optimizer"
    # ``param_groups`` is rare, so the scheduler regex behind it runs on few files.
    vocabulary = (SCHEDULER.also(Vocabulary(gates=(b"param_groups",))),)

    def check(self, context: RuleContext) -> None:
        model = context.model
        for write in model.item_writes:
            if write.key != "lr" or _inside_torch_subclass(model, write):
                continue
            for ref in model.param_group_owners(write.container, write.scope, write.order, write.path):
                chain = ref.via + (fact_site(write.node, write.scope, write.order, write.path,
                                             write.loops, write.statement),)
                if _is_warmup(context, write, chain):
                    continue
                if self._check_write(context, write, chain, ref.obj):
                    break

    def _check_write(self, context, write: ItemWrite, chain, optimizer: TrackedObject) -> bool:
        for scheduler in schedulers_driving(context.model, optimizer):
            update = lr_update(context.model, scheduler)
            if update not in ("chainable", "closed"):
                continue  # ReduceLROnPlateau reads the group's LR when it reduces; unknown kinds
            if not constructed_before(context.model, scheduler, chain):
                continue  # the warmup hand-off: the scheduler does not exist yet
            for step in scheduler.events_named("step"):
                how = _conflict(context, write, chain, step, update)
                if how is not None:
                    self._report(context, write, scheduler, step, update, how)
                    return True
        return False

    def _report(self, context, write: ItemWrite, scheduler: TrackedObject, step: Event,
                update: str, how: str) -> None:
        written = context.code_for(write.statement.small) if write.statement else context.code_for(write.node)
        step_text = context.code_for(step.node)
        name = scheduler.short
        if how == "every":
            message = (f"`{written}` sets the LR at every iteration of the loop that also steps "
                       f"{name} (`{step_text}`): the two fight over the LR and the schedule is "
                       f"undone each time, so {describe_schedule(context.model, scheduler)} never "
                       "takes effect; let one of the two own the LR")
        elif update == "closed":
            base = context.model.scheduler_base_lr(scheduler)
            base_text = f" ({fmt(base)})" if is_number(base) else ""
            lasts = "so this change lasts only until then"
            if how == "once":
                values = context.model.schedule_values(scheduler, 2)
                back = f" sets it back to {fmt(values[1])}" if values else " overrides it"
                lasts = f"so the first `{step_text}`{back} and the value written here is lost"
            message = (f"`{written}` is erased at the next `{step_text}`: {name} recomputes the LR "
                       f"from its base LR{base_text} and step count at every step, ignoring the "
                       f"param group, {lasts}; change the schedule (or its lr_lambda) instead")
        else:
            message = (f"`{written}` compounds with {name}: {name} computes each new LR from the one "
                       f"in the param group, so {describe_schedule(context.model, scheduler)} now applies "
                       "on top of this manual change (and this change on top of the schedule); "
                       "let one of the two own the LR")
        context.report(write.node, message)


def _conflict(context, write: ItemWrite, chain, step: Event, update: str) -> str | None:
    """How the write and this scheduler step clash: "once" (a one-off write before the steps),
    "loop" (a write at the scheduler's own cadence), or None when they do not."""
    model = context.model
    relation = model.relate_chains(chain, step.chain)
    if relation is None or exclusive(chain, step.chain):
        return None
    if any(text_mentions(model.module, [c.test for c in site.conditions], _WARMUP)
           for site in step.chain):
        return None  # the scheduler only steps once a manual warmup is over
    if not relation.loops:
        # A write before training: a closed-form schedule erases it at the first step; a
        # chainable one simply continues from it, which is how people set a starting LR.
        return "once" if update == "closed" and relation.first_before_second else None
    innermost = relation.loops[-1]
    deeper = [loop for loop in chain_loops(chain)
              if loop not in relation.loops and not _over_param_groups(model, loop)]
    if deeper:
        return None  # re-applied many times between two scheduler steps: it owns the LR there
    conditional = bool(conditions_inside(chain, innermost))
    if conditional:
        return "loop"
    if update == "closed" and len(chain_loops(step.chain)) > len(relation.loops):
        return "loop"  # the scheduler steps several times per write: the first step erases it
    if update == "chainable" and _is_relative(context, write):
        return "loop"
    if _is_relative(context, write) or _reads_the_scheduler(context, write) or \
            len(chain_loops(step.chain)) > len(relation.loops):
        # A rescale of the scheduler's value (layer-wise decay), a copy of it, or a write once
        # per stage of a scheduler that steps many times in between.
        return None
    return "every"  # both set the LR at every iteration: the schedule is undone each time


def _reads_the_scheduler(context, write: ItemWrite) -> bool:
    text = _value_text(context.model, write)
    return "get_last_lr" in text or "get_lr" in text or "_last_lr" in text


def _is_relative(context, write: ItemWrite) -> bool:
    if write.operator is not None:
        return True
    text = _value_text(context.model, write).replace(" ", "")
    return any(marker in text for marker in _RELATIVE_MARKERS)


def _value_text(model, write: ItemWrite) -> str:
    """The written value's source, and that of what the names it reads were assigned
    (``lr = warmup(step)`` then ``g["lr"] = lr``), a few assignments deep."""
    expressions = [write.value]
    pending = [(write.value, write.scope, write.order)]
    seen: set[int] = set()
    while pending and len(expressions) < _MAX_TRACED:
        expr, scope, order = pending.pop()
        for node in iter_tree(expr):
            if not isinstance(node, cst.Name):
                continue
            for assignment in model.assignments_reaching(node.value, scope, order):
                if assignment.value is None or assignment.kind not in ("assign", "annassign") \
                        or id(assignment) in seen:
                    continue
                seen.add(id(assignment))
                expressions.append(assignment.value)
                pending.append((assignment.value, assignment.scope, assignment.order))
    return " ".join(model.code_for(expr) for expr in expressions)


def _is_warmup(context, write: ItemWrite, chain) -> bool:
    """A write that calls itself a warmup: its value, a condition around it or around a call
    leading to it, or a function it is reached through."""
    model = context.model
    conditions = [c.test for site in chain for c in site.conditions]
    if text_mentions(model.module, conditions, _WARMUP):
        return True
    if not conditions:
        # An unconditional "warmup" write (`args.lr * min(1.0, epoch / warmup)`) keeps writing
        # the base LR once the warmup is over: it is not a warmup that hands over.
        return False
    return _WARMUP in _value_text(model, write).lower() or any(
        (function := site.function) is not None and _WARMUP in function.name.lower()
        for site in chain
    )


def _over_param_groups(model, loop: Loop) -> bool:
    return loop.iter is not None and "param_groups" in model.module.code_for_node(loop.iter)


def _inside_torch_subclass(model, write: ItemWrite) -> bool:
    """Writes inside a scheduler or optimizer subclass are how those classes work."""
    scope = write.scope
    while scope is not None:
        info = scope.class_info or (scope.function.class_info if scope.function else None)
        if info is not None and model.class_kind(info) is not None:
            kind = model.class_kind(info)[0]
            if kind in (Kind.SCHEDULER, Kind.OPTIMIZER):
                return True
        scope = scope.parent
    return False
