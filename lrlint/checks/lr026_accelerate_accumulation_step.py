"""LR026 accelerate-accumulation-step: a scheduler that did not go through
``accelerator.prepare`` stepped on every micro-batch inside ``accelerator.accumulate(...)``."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.accelerate import (
    accelerator_settings,
    accelerators_of,
    accumulate_blocks,
    accumulate_receiver,
    prepared_objects,
)
from lrlint.analysis.chains import is_conditional
from lrlint.analysis.facts import CallSite
from lrlint.analysis.model import Event, TrackedObject
from lrlint.analysis.queries import is_number
from lrlint.analysis.receivers import only_tracked
from lrlint.analysis.schedule_length import LengthReader, bounds_a_loop
from lrlint.analysis.units import HORIZON_ARGUMENTS
from lrlint.checks.base import FixPlan, ReplaceNode, Rule, RuleContext
from lrlint.checks.common import fmt
from lrlint.prefilter import Vocabulary


@dataclass(frozen=True)
class Inside:
    """Where a step runs inside ``with <accelerator>.accumulate(...)``."""

    statement: cst.With
    site: CallSite  # the call of the chain that is inside the with block
    plain: bool  # no condition or loop between the with and the step


class AccelerateAccumulationStep(Rule):
    code = "LR026"
    name = "accelerate-accumulation-step"
    summary = ("accelerate: a scheduler not passed to `accelerator.prepare` stepped on every "
               "micro-batch inside `accelerator.accumulate(...)`")
    fixable = True
    vocabulary = (Vocabulary(gates=(b".accumulate(",)),)

    def check(self, context: RuleContext) -> None:
        model = context.model
        prepared = prepared_objects(model)
        if prepared.unknown:
            return  # a prepare call lrlint cannot read may take the scheduler
        composed = model.composed_children()
        for scheduler in model.schedulers:
            if scheduler in prepared.objects or scheduler in composed \
                    or scheduler.family == "timm" or scheduler.torch_class == "ReduceLROnPlateau":
                continue
            optimizers = model.optimizers_of(scheduler)
            if not optimizers or not any(o in prepared.objects for o in optimizers):
                continue  # an unprepared optimizer steps on every micro-batch too
            for step in scheduler.events_named("step"):
                if step.node.args or not only_tracked(model, step.site):
                    continue
                inside = _inside_accumulate(model, step)
                if inside is None or not inside.plain:
                    continue
                if not _optimizer_steps_there(model, optimizers, inside):
                    continue
                k = _accumulation(model, inside)
                if k is None or _sized_in_micro_batches(model, scheduler):
                    continue  # no accumulation, or a schedule that counts micro-batches too
                self._report(context, scheduler, step, inside, k)

    def _report(self, context: RuleContext, scheduler: TrackedObject, step: Event,
                inside: Inside, k: str) -> None:
        receiver = context.code_for(accumulate_receiver(inside.statement)) \
            if context.model.owns(inside.statement) else "accelerator"
        call = context.code_for(step.node)
        message = (f"`{call}` runs on every micro-batch inside `with {receiver}.accumulate(...)`, "
                   f"but {scheduler.short} was not passed to `accelerator.prepare`: the prepared "
                   f"optimizer only updates when gradients synchronise, once every {k} "
                   f"micro-batches, so the schedule runs {k} times too fast"
                   f"{_tail(context, scheduler)}; pass the scheduler to `prepare` (its "
                   "AcceleratedScheduler skips the steps while gradients accumulate, and steps "
                   "`num_processes` times per update) or step it under "
                   f"`if {receiver}.sync_gradients:`")
        context.report(step.node, message, _fix(context, step, receiver))


def _inside_accumulate(model, step: Event) -> Inside | None:
    """The accumulate block around the step (through the calls of its chain), and whether
    nothing conditional or looping stands between them."""
    for index, site in enumerate(step.chain):
        owner = site.scope.module_model or model
        statement = accumulate_blocks(owner).get(id(site.node))
        if statement is None:
            continue
        inner_blocks = [b for b in site.path if id(b[0]) in accumulate_blocks(owner)]
        later = step.chain[index + 1:]
        plain = not any(is_conditional(b) for b in inner_blocks) and not any(
            s.path or s.loops for s in later)
        plain = plain and not any(loop.order_start > _order(owner, statement) for loop in site.loops)
        return Inside(statement, site, plain)
    return None


def _order(model, statement: cst.With) -> int:
    """The order of the with statement (that of the accumulate call in its header)."""
    for item in statement.items:
        site = model.facts.calls_by_node.get(item.item)
        if site is not None:
            return site.order
    return 0


def _optimizer_steps_there(model, optimizers: list[TrackedObject], inside: Inside) -> bool:
    """One of the optimizers steps in the same accumulate block, unconditionally (a step under
    `if accelerator.sync_gradients:` is LR009's hand-written accumulation)."""
    for optimizer in optimizers:
        for event in optimizer.events_named("step"):
            found = _inside_accumulate(model, event)
            if found is not None and found.statement is inside.statement and found.plain:
                return True
    return False


def _accumulation(model, inside: Inside) -> str | None:
    """The accumulation factor as a message writes it, or None when it is 1 (or not set)."""
    owner = inside.site.scope.module_model or model
    receiver = accumulate_receiver(inside.statement)
    calls, unknown = accelerators_of(owner, receiver, inside.site.scope, inside.site.order)
    settings = accelerator_settings(calls)
    if settings is None:
        return "`gradient_accumulation_steps`" if unknown else None
    value = settings.accumulation
    if is_number(value):
        return fmt(value) if value > 1 else None
    if value is None:
        return "`gradient_accumulation_steps`" if settings.plugin else None
    expr = calls[0].argument("gradient_accumulation_steps")
    return f"`{owner.code_for(expr)}`" if expr is not None else "`gradient_accumulation_steps`"


def _length_versions(model, scheduler: TrackedObject):
    if scheduler.site is None:
        return None
    names = HORIZON_ARGUMENTS.get(scheduler.torch_class, ())
    expr = next((scheduler.args[n] for n in names if n in scheduler.args), None)
    if expr is None:
        return None
    return LengthReader(model).versions(expr, scheduler.site.scope, scheduler.site.order)


def _sized_in_micro_batches(model, scheduler: TrackedObject) -> bool:
    """``len(loader) * epochs`` (not divided by the accumulation): stepping it on every
    micro-batch is what its length assumes."""
    versions = _length_versions(model, scheduler)
    return bool(versions) and all(v.from_data and v.accumulation == 1 for v in versions)


def _tail(context: RuleContext, scheduler: TrackedObject) -> str:
    """What that does to a schedule sized in optimizer updates."""
    versions = _length_versions(context.model, scheduler)
    if versions and all(v.accumulation == 0 and v.leaves and (v.from_data or all(
            bounds_a_loop(context.model, leaf.node) for leaf in v.leaves)) for v in versions):
        return ", and its length counts optimizer updates: it is spent early in the run"
    return ""


def _fix(context: RuleContext, step: Event, receiver: str) -> FixPlan | None:
    """Step it under the sync condition (unsafe: the schedule's length may have been sized
    for the micro-batches)."""
    site = step.site
    if not site.is_statement or step.via:
        return None
    small = site.statement.small
    content = f"if {receiver}.sync_gradients:\n    {context.code_for(small).strip()}"
    return FixPlan(f"Step the scheduler only when `{receiver}.sync_gradients`",
                   (ReplaceNode(small, content, reindent=True),), "unsafe")
