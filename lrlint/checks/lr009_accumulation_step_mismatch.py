"""LR009 accumulation-step-mismatch: the optimizer steps every k micro-batches, the scheduler
on every one of them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import libcst as cst

from lrlint.analysis.accelerate import accumulate_blocks, prepared_objects, sync_gate
from lrlint.analysis.accumulation import Gate, depends_on, gate_of, loop_names, traced_nodes
from lrlint.analysis.chains import Frame, blocks_inside, frames, is_conditional
from lrlint.analysis.facts import CallSite
from lrlint.analysis.model import Event, TrackedObject
from lrlint.analysis.receivers import only_tracked
from lrlint.analysis.units import HORIZON_ARGUMENTS, Unit, UnitReader
from lrlint.checks.base import FixPlan, Rule, RuleContext
from lrlint.checks.common import fmt, move_statement_after
from lrlint.prefilter import SCHEDULER, Vocabulary

# Not step schedules: a plateau counts metrics, SWALR is switched on per epoch by design.
_NOT_SCHEDULES = frozenset({"ReduceLROnPlateau", "SWALR"})


# What happens once a schedule counted in optimizer steps is spent early.
_TAILS = {
    "OneCycleLR": ", and torch raises ValueError when it is stepped past `total_steps`",
    "get_linear_schedule_with_warmup": ", and the LR is 0 for the rest of it",
    "get_polynomial_decay_schedule_with_warmup":
        ", and the LR sits at its end value for the rest of it",
    "get_cosine_schedule_with_warmup": ", and the cosine then climbs back up",
    "CosineAnnealingLR": ", and the cosine then climbs back up",
}


class Horizon(str, Enum):
    OPTIMIZER_STEPS = "optimizer steps"  # divided by the accumulation factor: certain mismatch
    MICRO_BATCHES = "micro-batches"  # len(loader) * epochs: stepping per micro-batch is right
    EPOCHS = "epochs"  # LR008's business
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Finding:
    gate: Gate
    loop: Frame
    optimizer_step: Event
    scheduler_step: Event


class AccumulationStepMismatch(Rule):
    code = "LR009"
    name = "accumulation-step-mismatch"
    summary = ("`optimizer.step()` runs every k micro-batches (gradient accumulation) but "
               "`scheduler.step()` on every micro-batch")
    fixable = True
    vocabulary = (SCHEDULER.also(Vocabulary(gates=(b"%", b"sync_gradients"))),)

    def check(self, context: RuleContext) -> None:
        model = context.model
        composed = model.composed_children()
        units = model.units
        for scheduler in model.schedulers:
            if scheduler in composed or scheduler.torch_class in _NOT_SCHEDULES:
                continue
            for step in scheduler.events_named("step"):
                if step.node.args or not only_tracked(model, step.site):
                    continue
                optimizer_steps = [e for o in model.optimizers_of(scheduler, step.made_by)
                                   for e in o.events_named("step")]
                finding = _finding(context, step, optimizer_steps)
                if finding is None:
                    continue
                horizon, shown = _horizon(context, units, scheduler, finding)
                if horizon in (Horizon.MICRO_BATCHES, Horizon.EPOCHS):
                    continue
                self._report(context, scheduler, finding, horizon, shown)

    def _report(self, context: RuleContext, scheduler: TrackedObject, finding: Finding,
                horizon: Horizon, shown: str) -> None:
        k = _divisor_text(context, finding)
        gate = context.code_for(finding.gate.node.test)
        opt_call = context.code_for(finding.optimizer_step.node)
        sched_call = context.code_for(finding.scheduler_step.node)
        message = (f"`{opt_call}` runs once every {k} micro-batches (under `if {gate}:`) but "
                   f"`{sched_call}` runs on every micro-batch: {scheduler.short} advances {k} "
                   f"steps per optimizer step")
        if horizon is Horizon.OPTIMIZER_STEPS:
            length = f"its length {shown}" if shown else "its length"
            message += (f", yet {length} counts optimizer steps, so the whole schedule is spent "
                        f"in the first 1/{k} of training")
            message += _TAILS.get(scheduler.torch_class, "")
        else:
            message += f": the schedule runs {k} times too fast"
        context.report(finding.scheduler_step.node, message,
                       _move_under_gate(context, finding, horizon),
                       facts=_facts(context, finding, horizon))


def _finding(context: RuleContext, step: Event, optimizer_steps: list[Event]) -> Finding | None:
    """The accumulation-gated optimizer step that ``step`` runs beside, ungated, if any."""
    model = context.model
    for optimizer_step in optimizer_steps:
        relation = model.relate(optimizer_step, step)
        if relation is None or not relation.loops:
            continue
        shared = len(relation.loops)
        optimizer_frames = frames(relation.first_chain)
        scheduler_frames = frames(relation.second_chain)
        if len(optimizer_frames) != shared or len(scheduler_frames) != shared:
            continue  # one of them runs in a loop of its own
        loop = scheduler_frames[-1]
        counters = loop_names(model, loop.loop, loop.scope)
        scheduler_blocks = blocks_inside(relation.second_chain, loop.loop) or []
        if any(is_conditional(b) and (depends_on(b[0], counters) or sync_gate(model, b))
               for b in scheduler_blocks):
            continue  # the scheduler step is gated too
        optimizer_blocks = blocks_inside(relation.first_chain, loop.loop) or []
        gates = [g for b in optimizer_blocks if (g := gate_of(b, counters)) is not None]
        if not gates:  # accelerate's spelling: `if accelerator.sync_gradients:`
            gates = [g for b in optimizer_blocks if (g := sync_gate(model, b)) is not None]
        if not gates or any(g.block in scheduler_blocks for g in gates):
            continue
        if step.obj in prepared_objects(model).objects and (
                gates[-1].modulus is None or _inside_accumulate(model, step)):
            continue  # a prepared scheduler skips its steps while gradients accumulate
        gate = gates[-1]
        if _optimizer_steps_elsewhere(model, optimizer_step, step, gate, loop):
            continue
        if not (gate.named_like_accumulation or _backward_every_micro_batch(model, loop, gate)):
            continue  # e.g. a GAN generator updated every k iterations: not accumulation
        return Finding(gate, loop, optimizer_step, step)
    return None


def _inside_accumulate(model, step: Event) -> bool:
    """The step runs inside ``with accelerator.accumulate(...)`` (in any function of its
    chain)."""
    for site in step.chain:
        owner = site.scope.module_model or model
        if id(site.node) in accumulate_blocks(owner):
            return True
    return False


def _optimizer_steps_elsewhere(model, optimizer_step: Event, step: Event, gate: Gate,
                               loop: Frame) -> bool:
    """Another step of the same optimizer in the loop, outside the gate (even in its ``else``):
    then the optimizer does not only step once per k micro-batches."""
    for other in optimizer_step.obj.events_named("step"):
        if other is optimizer_step:
            continue
        relation = model.relate(other, step)
        if relation is None or not relation.loops or relation.loops[-1] is not loop.loop:
            continue
        blocks = blocks_inside(relation.first_chain, loop.loop) or []
        if not any(b[0] is gate.block[0] and b[1] == gate.block[1] for b in blocks):
            return True
    return False


def _backward_every_micro_batch(model, loop: Frame, gate: Gate) -> bool:
    """A ``.backward()`` in the loop, outside the gate: gradients accumulate between steps."""
    for site in model.calls:
        if site.method != "backward" or loop.loop not in site.loops:
            continue
        if not any(node is gate.node for node, _ in site.path):
            return True
    return False


def _horizon(context: RuleContext, units: UnitReader, scheduler: TrackedObject,
             finding: Finding) -> tuple[Horizon, str]:
    """In what the scheduler's length is counted, judged against the accumulation divisor."""
    model = context.model
    site = scheduler.site
    if site is None:
        return Horizon.UNKNOWN, ""
    expressions = [(name, expr) for name in HORIZON_ARGUMENTS.get(scheduler.torch_class, ())
                   if (expr := scheduler.args.get(name)) is not None]
    if "lr_lambda" in scheduler.args:
        for function in context.model.callables_of(scheduler.args["lr_lambda"], site.scope, site.order):
            expressions.append(("lr_lambda", function))
    is_divisor = _divisor_matcher(context, finding)
    counts_micro_batches = False
    for name, expr in expressions:
        for node, scope, order in traced_nodes(model, expr, site.scope, site.order):
            divides = isinstance(node, cst.BinaryOperation) and isinstance(
                node.operator, (cst.Divide, cst.FloorDivide))
            if divides and is_divisor(node.right, scope, order):
                argument = f"`{name}={context.code_for(expr)}`, " if name != "lr_lambda" else ""
                return Horizon.OPTIMIZER_STEPS, f"({argument}`{context.code_for(node)}`)"
            counts_micro_batches |= _is_len(node)
    if counts_micro_batches:
        return Horizon.MICRO_BATCHES, ""
    present = [expr for name, expr in expressions if name != "lr_lambda"]
    if present and units.combined(present, site.scope, site.order) is Unit.EPOCH:
        return Horizon.EPOCHS, ""
    return Horizon.UNKNOWN, ""


def _divisor_matcher(context: RuleContext, finding: Finding):
    """A test for "this expression is the accumulation factor": the same code, or the same
    folded constant (at least 2)."""
    divisor = finding.gate.divisor
    site = finding.optimizer_step.site
    text = _normalised(context.code_for(divisor))
    value = context.fold(divisor, site.scope, site.order)
    whole = isinstance(value, int) and not isinstance(value, bool)
    constant = value if whole and value >= 2 else None

    def is_divisor(expr: cst.BaseExpression, scope, order: int) -> bool:
        if _normalised(context.code_for(expr)) == text:
            return True
        return constant is not None and context.fold(expr, scope, order) == constant

    return is_divisor


def _normalised(text: str) -> str:
    return "".join(text.split()).strip("()")


def _is_len(node: cst.CSTNode) -> bool:
    return (isinstance(node, cst.Call) and isinstance(node.func, cst.Name)
            and node.func.value == "len")


def _facts(context: RuleContext, finding: Finding, horizon: Horizon) -> dict[str, object]:
    """The schedule advances ``factor`` steps per optimizer step (None: ``divisor`` does not
    fold)."""
    site = finding.optimizer_step.site
    value = context.fold(finding.gate.divisor, site.scope, site.order)
    whole = isinstance(value, int) and not isinstance(value, bool) and value >= 2
    return {"effect": "squeeze", "factor": value if whole else None,
            "divisor": _normalised(context.code_for(finding.gate.divisor)),
            "horizon": horizon.value}


def _divisor_text(context: RuleContext, finding: Finding) -> str:
    site = finding.optimizer_step.site
    value = context.fold(finding.gate.divisor, site.scope, site.order)
    if isinstance(value, int) and not isinstance(value, bool):
        return fmt(value)
    return f"`{context.code_for(finding.gate.divisor)}`"


def _move_under_gate(context: RuleContext, finding: Finding, horizon: Horizon) -> FixPlan | None:
    """Move the scheduler statement into the gate, right after the optimizer step (and a
    ``scaler.update()`` that follows it)."""
    scheduler_site: CallSite = finding.scheduler_step.site
    optimizer_site: CallSite = finding.optimizer_step.site
    if finding.scheduler_step.via != finding.optimizer_step.via:
        return None
    if not (scheduler_site.is_statement and optimizer_site.is_statement):
        return None
    gate_body = finding.gate.node.body if finding.gate.block[1] == "body" else \
        getattr(finding.gate.node.orelse, "body", None)
    if optimizer_site.statement.block is not gate_body:
        return None
    if scheduler_site.statement.block is not finding.loop.loop.node.body:
        return None
    anchor = _after_scaler_update(context, optimizer_site)
    line = scheduler_site.statement.line
    applicability = "safe" if horizon is Horizon.OPTIMIZER_STEPS else "unsafe"
    return move_statement_after(
        line, anchor, "Step the scheduler with the optimizer, under the accumulation condition",
        applicability)


def _after_scaler_update(context: RuleContext, optimizer_site: CallSite) -> cst.SimpleStatementLine:
    statement = optimizer_site.statement
    body = statement.block.body
    anchor = statement.line
    scalers = {e.site.node for s in context.model.scalers for e in s.events_named("update")}
    index = statement.index + 1
    if index < len(body) and isinstance(body[index], cst.SimpleStatementLine):
        small = body[index].body[0] if len(body[index].body) == 1 else None
        if isinstance(small, cst.Expr) and small.value in scalers:
            anchor = body[index]
    return anchor
