"""The questions rules ask of the training model, answered once and memoised.

``ModuleModel`` (``model.py``) resolves names to tracked objects; this mixin adds what rules build
on top of that: folded values, declared schedules, the unit and loop readers, escape analysis,
and the schedulers worth checking on their own. Every query here is typed and never raises for
a fact it cannot establish: it answers ``Unknown``/``None`` instead.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import libcst as cst

if TYPE_CHECKING:
    from lrlint.analysis.declared import Declared
    from lrlint.analysis.escape import EscapeAnalysis
    from lrlint.analysis.facts import Scope
    from lrlint.analysis.loops import LoopClassifier
    from lrlint.analysis.model import ModuleModel, TrackedObject
    from lrlint.analysis.units import UnitReader


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def argument(call: cst.Call, name: str, position: int | None) -> cst.Arg | None:
    """The Arg node passing parameter ``name`` (by keyword, or at ``position``)."""
    positional = 0
    for arg in call.args:
        if arg.star == "*":
            position = None  # positions after *args are unknowable
            continue
        if arg.star:
            continue
        if arg.keyword is not None:
            if arg.keyword.value == name:
                return arg
        else:
            if positional == position:
                return arg
            positional += 1
    return None


class ModelQueries:
    """Mixed into ``ModuleModel``: derived facts, memoised on the model."""

    # -- values ----------------------------------------------------------------------------

    def fold(self: ModuleModel, expr: cst.BaseExpression | None, scope: Scope, order: int) -> object:
        """The constant value of ``expr`` as seen at (scope, order), or ``Unknown``."""
        from lrlint.analysis.values import fold_in

        return fold_in(self, expr, scope, order)

    def folded_arg(self: ModuleModel, obj: TrackedObject, name: str, default: object) -> object:
        """The folded constructor argument ``name`` of ``obj`` (``default`` when not passed)."""
        expr = obj.args.get(name)
        if expr is None:
            return default
        return self.fold(expr, obj.site.scope, obj.site.order)

    def code_for(self: ModuleModel, node: cst.CSTNode) -> str:
        """The source text of ``node``."""
        return self.module.code_for_node(node)

    # -- objects ---------------------------------------------------------------------------

    @cached_property
    def standalone_schedulers(self: ModuleModel) -> list[TrackedObject]:
        """Schedulers built here that are not a child of a SequentialLR/ChainedScheduler: the
        ones whose own steps and arguments a rule judges."""
        composed = self.composed_children()
        return [s for s in self.schedulers if s.site is not None and s not in composed]

    def binding_names(self: ModuleModel, obj: TrackedObject) -> list[str]:
        """The names (or ``self.<attr>``) an object's constructor result is assigned to."""
        if obj.site is None:
            return [obj.param.name] if obj.param is not None else []
        names: list[str] = []
        for target in obj.site.assigned_to:
            if isinstance(target, cst.Name):
                names.append(target.value)
            elif isinstance(target, cst.Attribute):
                names.append(target.attr.value)
        return names

    def callables_of(self: ModuleModel, expr: cst.BaseExpression, scope: Scope,
                     order: int, depth: int = 0) -> list[cst.CSTNode]:
        """The lambdas / ``def``s an ``lr_lambda`` argument refers to (one or a list), also
        when a function returns them (``make_lambda(warmup, total)`` returning its inner
        ``def``)."""
        if depth > 4:
            return []
        if isinstance(expr, (cst.List, cst.Tuple)):
            found: list[cst.CSTNode] = []
            for element in expr.elements:
                found.extend(self.callables_of(element.value, scope, order, depth))
            return found
        if isinstance(expr, cst.Call):
            return [node for function in self.called_functions(expr, scope)
                    for value, value_order in function.returns
                    for node in self.callables_of(value, function.scope, value_order, depth + 1)]
        if isinstance(expr, cst.Lambda):
            return [expr]
        if isinstance(expr, cst.Name):
            found = []
            for assignment in self.assignments_reaching(expr.value, scope, order):
                if assignment.kind == "def" and assignment.function is not None:
                    found.append(assignment.function.node)
                elif isinstance(assignment.value, cst.Lambda) and not assignment.unpack:
                    found.append(assignment.value)
            return found
        return []

    def inside_scheduler_class(self: ModuleModel, scope: Scope) -> bool:
        """The scope is (in) a method of a scheduler subclass: code that is the scheduler's own
        machinery (its get_lr, a wrapper forwarding step(epoch) to the scheduler it wraps)."""
        from lrlint.analysis.torch_api import Kind

        current: Scope | None = scope
        while current is not None:
            class_info = current.class_info or (
                current.function.class_info if current.function else None)
            if class_info is not None:
                kind = self.class_kind(class_info)
                if kind is not None and kind[0] is Kind.SCHEDULER:
                    return True
            current = current.parent
        return False

    # -- learning rates and schedules ------------------------------------------------------

    def optimizer_lr(self: ModuleModel, optimizer: TrackedObject) -> object:
        """The LR an optimizer was built with: its folded ``lr`` argument, or torch's default."""
        from lrlint.analysis.declared import optimizer_lr

        return optimizer_lr(self, optimizer)

    def scheduler_base_lr(self: ModuleModel, scheduler: TrackedObject) -> object:
        """The base LR a scheduler starts from (that of the single optimizer it drives)."""
        from lrlint.analysis.evaluate import Unknown

        values = {self.optimizer_lr(o) for o in self.optimizers_of(scheduler)}
        if len(values) == 1:
            value = values.pop()
            if is_number(value):
                return value
        return Unknown("base lr not known")

    def schedule_of(self: ModuleModel, scheduler: TrackedObject) -> Declared:
        """The schedule ``scheduler`` declares, or why there is none; never raises."""
        from lrlint.analysis.declared import schedule_of

        return schedule_of(self, scheduler)

    def schedule_values(self: ModuleModel, scheduler: TrackedObject, n: int) -> list[float] | None:
        """The first ``n`` LRs (first param group) the scheduler declares, or None when unknown."""
        declared = self.schedule_of(scheduler)
        if not declared.ok:
            return None
        try:
            values = declared.schedule.values(n)
        except Exception:  # torch would raise while stepping: LR007's business
            return None
        return [v[0] if isinstance(v, list) else v for v in values]

    # -- readers shared by the rules -------------------------------------------------------

    @cached_property
    def units(self: ModuleModel) -> UnitReader:
        from lrlint.analysis.units import UnitReader

        return UnitReader(self)

    @cached_property
    def loop_kinds(self: ModuleModel) -> LoopClassifier:
        from lrlint.analysis.loops import LoopClassifier

        return LoopClassifier(self, self.units)

    @cached_property
    def escapes(self: ModuleModel) -> EscapeAnalysis:
        from lrlint.analysis.escape import EscapeAnalysis

        return EscapeAnalysis(self)
