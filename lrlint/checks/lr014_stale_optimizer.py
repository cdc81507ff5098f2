"""LR014 stale-optimizer: the optimizer variable is rebound after a scheduler was built on it, so
the scheduler keeps changing the LR of an optimizer nobody steps any more."""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.chains import chain_path, exclusive, fact_site
from lrlint.analysis.facts import Assignment
from lrlint.analysis.model import Event, TrackedObject
from lrlint.analysis.queries import is_number
from lrlint.analysis.torch_api import Kind
from lrlint.checks.base import Rule, RuleContext
from lrlint.checks.common import fmt
from lrlint.prefilter import SCHEDULER


@dataclass(frozen=True)
class Rebinding:
    """``name = <new optimizer>`` after the scheduler was built on ``name``."""

    assignment: Assignment
    optimizer: TrackedObject


class StaleOptimizer(Rule):
    code = "LR014"
    name = "stale-optimizer"
    summary = "the optimizer is re-created after its scheduler was built: the scheduler drives the old one"
    vocabulary = (SCHEDULER,)

    def check(self, context: RuleContext) -> None:
        model = context.model
        reported: set[int] = set()
        for scheduler in model.standalone_schedulers:
            target = scheduler.args.get("optimizer")
            if target is None or _repointed(context, scheduler):
                continue
            rebindings = _rebindings(context, scheduler, target)
            later = {id(r.optimizer) for r in rebindings}
            # Attribute resolution is flow-insensitive: what the scheduler really got is what
            # the variable held before any of the later rebindings.
            old = [o for o in model.optimizers_of(scheduler) if id(o) not in later]
            if not old:
                continue
            for rebinding in rebindings:
                new = rebinding.optimizer
                if id(new) in reported or _has_own_scheduler(context, new, scheduler):
                    continue
                evidence = _stepped_together(context, scheduler, new, rebinding)
                if evidence is None:
                    continue
                reported.add(id(new))
                self._report(context, scheduler, target, old[0], new, evidence)

    def _report(self, context, scheduler: TrackedObject, target: cst.BaseExpression,
                old: TrackedObject, new: TrackedObject, evidence: tuple[Event, Event]) -> None:
        sched_step, opt_step = evidence
        name = context.code_for(target)
        new_lr = context.model.optimizer_lr(new)
        old_lr = context.model.optimizer_lr(old)
        stays = f"stays at lr={fmt(new_lr)}" if is_number(new_lr) else "keeps its initial LR"
        old_text = f"the {old.short}" + (f" (lr={fmt(old_lr)})" if is_number(old_lr) else "")
        context.report(
            new.site.node,
            f"`{name}` is rebound to a new {new.short} after {scheduler.short} was built on "
            f"{old_text}: `{context.code_for(sched_step.node)}` keeps changing the old "
            f"optimizer's LR, while the {new.short} that `{context.code_for(opt_step.node)}` "
            f"now steps {stays} for the rest of the run; build a new scheduler on it",
        )


def _rebindings(context, scheduler: TrackedObject, target: cst.BaseExpression) -> list[Rebinding]:
    """Later assignments of the scheduler's optimizer variable that build another optimizer."""
    model = context.model
    site = scheduler.site
    candidates: list[Assignment] = []
    if isinstance(target, cst.Name):
        scope = site.scope.lookup_scope(target.value)
        if scope is not site.scope:
            return []  # a parameter or an outer variable: rebinding is out of sight
        sched_site = (site,)
        candidates = [
            a for a in scope.assignments.get(target.value, ())
            if a.order > site.order and not exclusive(
                (fact_site(a.node, a.scope, a.order, a.path, a.loops, None),), sched_site)
        ]
    elif isinstance(target, cst.Attribute):
        candidates = _later_attribute_assignments(model, scheduler, target)
    found: list[Rebinding] = []
    for assignment in candidates:
        if assignment.kind not in ("assign", "annassign") or assignment.unpack:
            continue
        value = assignment.value
        new = model.object_at.get(value) if isinstance(value, cst.Call) else None
        if new is None or new.kind is not Kind.OPTIMIZER or new is scheduler:
            continue
        if _wraps(context, new, target):
            continue  # Lookahead(optimizer): the same param groups under a new name
        found.append(Rebinding(assignment, new))
    return found


def _later_attribute_assignments(model, scheduler: TrackedObject,
                                 target: cst.Attribute) -> list[Assignment]:
    """``self.<attr> = ...`` that run after the scheduler was built on ``self.<attr>``: later in
    the same method, or in another method that the building method does not call (``unfreeze()``
    after ``configure()``; a rebinding that runs first leaves the scheduler no older optimizer,
    which the caller checks)."""
    site = scheduler.site
    owner = model.instance_class(target.value, site.scope)
    function = site.function
    if owner is None or function is None:
        return []
    later: list[Assignment] = []
    for assignment in model.class_attribute_assignments(owner, target.attr.value):
        assigned_in = model.function_containing(assignment.scope)
        if assigned_in is function:
            if assignment.order > site.order:
                later.append(assignment)
        elif assigned_in is not None and not any(
            caller.function is function for caller in model.callers(assigned_in)
        ) and not any(caller.function is assigned_in for caller in model.callers(function)):
            later.append(assignment)
    return later


def _repointed(context, scheduler: TrackedObject) -> bool:
    """``scheduler.optimizer = optimizer``: the code moves the scheduler to the new optimizer."""
    receivers = {context.code_for(e.site.receiver) for e in scheduler.events}
    text = context.source.text
    return any(re.search(rf"(?<![\w.]){re.escape(r)}\.optimizer\s*=[^=]", text) for r in receivers)


def _wraps(context, new: TrackedObject, target: cst.BaseExpression) -> bool:
    name = re.escape(context.code_for(target))
    pattern = re.compile(rf"(?<![\w.]){name}(?!\w)")
    return any(pattern.search(context.code_for(arg)) for arg in new.args.values())


def _has_own_scheduler(context, new: TrackedObject, stale: TrackedObject) -> bool:
    """The re-created optimizer got a scheduler of its own (the usual fix is already there)."""
    model = context.model
    return any(
        other is not stale and new in model.optimizers_of(other) for other in model.schedulers
    )


def _stepped_together(context, scheduler: TrackedObject, new: TrackedObject,
                      rebinding: Rebinding) -> tuple[Event, Event] | None:
    """A scheduler step and a step of the new optimizer in one training loop, after the new
    optimizer was built: the scheduler is still stepped while the new optimizer trains."""
    model = context.model
    for opt_step in new.events_named("step"):
        for sched_step in scheduler.events_named("step"):
            relation = model.relate(sched_step, opt_step)
            if relation is None or not relation.loops:
                continue
            built = model.relate_chains((new.site,), sched_step.chain)
            if built is not None and not (built.first_before_second or built.loops):
                continue
            if _switched_off(model, relation.first_chain, rebinding.assignment):
                continue
            return sched_step, opt_step
    return None


def _switched_off(model, chain, rebinding: Assignment) -> bool:
    """The scheduler steps only under ``if not use_rl:`` (or ``if use_xe:``), and the branch
    that re-creates the optimizer first sets that flag the other way: once the optimizer is
    new, the scheduler is never stepped again (meshed-memory-transformer's switch to RL)."""
    for node, branch in chain_path(chain):
        if not isinstance(node, cst.If):
            continue
        flag, needs = _flag_test(node.test)
        if flag is None:
            continue
        needs = needs if branch == "body" else not needs
        for assignment in rebinding.scope.assignments.get(flag, ()):
            value = assignment.value
            if (assignment.order < rebinding.order and isinstance(value, cst.Name)
                    and value.value in ("True", "False")
                    and (value.value == "True") is not needs
                    and _encloses(assignment.path, rebinding.path)):
                return True
    return False


def _flag_test(test: cst.BaseExpression) -> tuple[str | None, bool]:
    """``flag`` -> (flag, True); ``not flag`` -> (flag, False): the value the test needs."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not) \
            and isinstance(test.expression, cst.Name):
        return test.expression.value, False
    if isinstance(test, cst.Name):
        return test.value, True
    return None, False


def _encloses(outer: tuple, inner: tuple) -> bool:
    """``outer`` (a block path) is ``inner`` or one of its prefixes: code at ``outer`` runs
    whenever code at ``inner`` does."""
    return len(outer) <= len(inner) and all(a[0] is b[0] and a[1] == b[1]
                                            for a, b in zip(outer, inner))
