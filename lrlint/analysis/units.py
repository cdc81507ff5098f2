"""In which unit a count is written: epochs, or iterations (batches / optimizer steps).

``T_max=args.epochs`` counts epochs; ``total_steps=EPOCHS * len(train_loader)`` counts
iterations. The unit of an expression comes from strong signals only, traced through the
assignments that reach each name:

* ``len(...)`` is a number of batches (or samples): ITERATION;
* a name or attribute that says "per epoch" in steps (``steps_per_epoch``,
  ``iters_per_epoch``, ``num_update_steps_per_epoch``, ``epoch_size``) is ITERATION;
* any other name mentioning ``epoch`` (``EPOCHS``, ``args.epochs``, ``cfg.MAX_EPOCH``) is EPOCH;
* literals, and names, attributes or config entries folding to constants (an argparse or config
  default), are unit-less (LITERAL); batch sizes and accumulation factors are NEUTRAL divisors.

A bare ``steps`` / ``lr_step_size`` says nothing (torchvision's ``args.lr_steps`` are epochs):
such names are UNKNOWN, and so is any combination the arithmetic below cannot settle.
"""

from __future__ import annotations

import re
from enum import Enum

import libcst as cst

from lrlint.analysis.collect import dotted_name, subscript_key
from lrlint.analysis.facts import Scope
from lrlint.analysis.model import ModuleModel
from lrlint.analysis.torch_api import HF_SCHEDULES

_MAX_DEPTH = 8

# The constructor arguments that count steps (the schedule's length), per scheduler.
HORIZON_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "StepLR": ("step_size",),
    "MultiStepLR": ("milestones",),
    "CosineAnnealingLR": ("T_max",),
    "CosineAnnealingWarmRestarts": ("T_0",),
    "LinearLR": ("total_iters",),
    "ConstantLR": ("total_iters",),
    "PolynomialLR": ("total_iters",),
    "OneCycleLR": ("total_steps", "epochs", "steps_per_epoch"),
    "CyclicLR": ("step_size_up", "step_size_down"),
    "SequentialLR": ("milestones",),
    # The schedule's total length first: messages quote the first argument that decides.
    **{name: ("num_training_steps", "num_warmup_steps", "num_stable_steps", "num_decay_steps")
       for name in (*HF_SCHEDULES, "get_scheduler")},
}


class Unit(str, Enum):
    EPOCH = "epoch"
    ITERATION = "iteration"
    LITERAL = "literal"  # a constant: compatible with either unit
    NEUTRAL = "neutral"  # a batch size or accumulation factor: a divisor, not a count
    UNKNOWN = "unknown"


_ITERATION_NAME = re.compile(
    r"(steps?|iters?|iterations?|batch(es)?|updates?)_?per_?epoch"
    r"|epoch_?(size|len|length|steps?|iters?|iterations?|batches)$"
    r"|^(n|num)_?(batches|iters|iterations)$|estimated_stepping_batches"
    r"|^(len|n)_?(train_?)?(data_?)?loader$",
    re.IGNORECASE,
)
_NEUTRAL_NAME = re.compile(
    r"batch_?size|^bs$|accum|world_?size|n_?gpus?$|num_?gpus|num_?devices|num_?processes",
    re.IGNORECASE,
)
_EPOCH_NAME = re.compile(r"epoch", re.IGNORECASE)
_PER_EPOCH = re.compile(r"per_?epoch", re.IGNORECASE)
# Calls whose result has the unit of their arguments.
_PASS_THROUGH = frozenset({"int", "round", "float", "abs", "math.ceil", "math.floor", "math.trunc",
                           "numpy.ceil", "numpy.floor", "np.ceil", "np.floor"})


def _counts(value: object) -> bool:
    """A folded count: a number, or a non-empty list/tuple of numbers (milestones)."""
    values = value if isinstance(value, (list, tuple)) else [value]
    return bool(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                for v in values)


def name_unit(identifier: str) -> Unit:
    """The unit a name (or attribute, or dict key) announces, from its spelling alone."""
    if _ITERATION_NAME.search(identifier):
        return Unit.ITERATION
    if _NEUTRAL_NAME.search(identifier):
        return Unit.NEUTRAL
    if _EPOCH_NAME.search(identifier) and not _PER_EPOCH.search(identifier):
        return Unit.EPOCH
    return Unit.UNKNOWN


def _add(a: Unit, b: Unit) -> Unit:
    """Units of ``a + b`` (also ``a - b``, ``max(a, b)``, list elements)."""
    if a is Unit.LITERAL:
        return b if b is not Unit.NEUTRAL else Unit.UNKNOWN
    if b is Unit.LITERAL:
        return a if a is not Unit.NEUTRAL else Unit.UNKNOWN
    return a if a is b and a in (Unit.EPOCH, Unit.ITERATION) else Unit.UNKNOWN


def _multiply(a: Unit, b: Unit) -> Unit:
    if a is Unit.LITERAL:
        return b if b in (Unit.EPOCH, Unit.ITERATION, Unit.LITERAL) else Unit.UNKNOWN
    if b is Unit.LITERAL:
        return a if a in (Unit.EPOCH, Unit.ITERATION) else Unit.UNKNOWN
    if {a, b} == {Unit.EPOCH, Unit.ITERATION}:
        return Unit.ITERATION  # epochs x batches per epoch
    return Unit.UNKNOWN


def _divide(a: Unit, b: Unit) -> Unit:
    if b in (Unit.LITERAL, Unit.NEUTRAL) and a in (Unit.EPOCH, Unit.ITERATION, Unit.LITERAL):
        return a
    return Unit.UNKNOWN


class UnitReader:
    """Reads the unit of count expressions of one module (memoised per node)."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self._memo: dict[tuple[int, int], Unit] = {}

    def unit(self, expr: cst.BaseExpression, scope: Scope, order: int, depth: int = 0) -> Unit:
        key = (id(expr), id(scope))
        if key not in self._memo:
            self._memo[key] = Unit.UNKNOWN  # cycles
            self._memo[key] = self._unit(expr, scope, order, depth)
        return self._memo[key]

    def _unit(self, expr, scope: Scope, order: int, depth: int) -> Unit:
        if depth > _MAX_DEPTH:
            return Unit.UNKNOWN
        if isinstance(expr, (cst.Integer, cst.Float)):
            return Unit.LITERAL
        if isinstance(expr, cst.Name):
            return self._name(expr, scope, order, depth)
        if isinstance(expr, cst.Attribute):
            spelled = name_unit(expr.attr.value)
            if spelled is not Unit.UNKNOWN:
                return spelled
            # `args.milestones` whose argparse default is [30, 60, 80]
            return self._or_folded(self._self_attribute(expr, scope, depth), expr, scope, order)
        if isinstance(expr, cst.Subscript):
            key = subscript_key(expr)
            spelled = name_unit(key) if key is not None else Unit.UNKNOWN
            return self._or_folded(spelled, expr, scope, order)  # `cfg["lr_step"]`, default 30
        if isinstance(expr, cst.BinaryOperation):
            left = self.unit(expr.left, scope, order, depth + 1)
            right = self.unit(expr.right, scope, order, depth + 1)
            if isinstance(expr.operator, (cst.Add, cst.Subtract)):
                return _add(left, right)
            if isinstance(expr.operator, cst.Multiply):
                return _multiply(left, right)
            if isinstance(expr.operator, (cst.Divide, cst.FloorDivide)):
                return _divide(left, right)
            return Unit.UNKNOWN
        if isinstance(expr, cst.UnaryOperation):
            return self.unit(expr.expression, scope, order, depth + 1)
        if isinstance(expr, cst.Call):
            return self._call(expr, scope, order, depth)
        if isinstance(expr, cst.IfExp):
            body = self.unit(expr.body, scope, order, depth + 1)
            orelse = self.unit(expr.orelse, scope, order, depth + 1)
            return body if body is orelse else Unit.UNKNOWN
        if isinstance(expr, (cst.List, cst.Tuple)):
            return self.combined([e.value for e in expr.elements], scope, order, depth + 1)
        return Unit.UNKNOWN

    def _or_folded(self, found: Unit, expr, scope: Scope, order: int) -> Unit:
        """``found``, or LITERAL when it is unknown and ``expr`` folds to a count (a value the
        code fixes elsewhere: an argparse or config default)."""
        if found is Unit.UNKNOWN and _counts(self.model.fold(expr, scope, order)):
            return Unit.LITERAL
        return found

    def combined(self, exprs, scope: Scope, order: int, depth: int = 0) -> Unit:
        """The unit shared by several counts (list elements, several arguments)."""
        result = Unit.LITERAL
        for expr in exprs:
            result = _add(result, self.unit(expr, scope, order, depth))
            if result is Unit.UNKNOWN:
                break
        return result

    def _call(self, call: cst.Call, scope: Scope, order: int, depth: int) -> Unit:
        name = dotted_name(call.func)
        args = [a.value for a in call.args if not a.star and a.keyword is None]
        if name == "len" and len(args) == 1:
            return Unit.ITERATION
        if name in _PASS_THROUGH and args:
            return self.unit(args[0], scope, order, depth + 1)
        if name in ("max", "min") and args:
            return self.combined(args, scope, order, depth + 1)
        if name is not None:
            spelled = name_unit(name.rpartition(".")[2])  # self.steps_per_epoch()
            if spelled in (Unit.ITERATION, Unit.EPOCH):
                return spelled
        return Unit.UNKNOWN

    def _name(self, expr: cst.Name, scope: Scope, order: int, depth: int) -> Unit:
        model = self.model
        scope = model.scope_of(expr) or scope
        order = model.facts.name_orders.get(expr, order)
        spelled = name_unit(expr.value)
        values: list[Unit] = []
        for assignment in model.assignments_reaching(expr.value, scope, order):
            value = assignment.value
            if assignment.kind in ("assign", "annassign", "walrus") and value is not None \
                    and not assignment.unpack:
                values.append(self.unit(value, assignment.scope, assignment.order, depth + 1))
            else:
                values.append(Unit.UNKNOWN)
        traced = values[0] if values and all(v is values[0] for v in values) else Unit.UNKNOWN
        if traced in (Unit.EPOCH, Unit.ITERATION):
            return traced  # the value is the truth, whatever the name says
        if spelled is not Unit.UNKNOWN:
            return spelled
        return traced

    def _self_attribute(self, expr: cst.Attribute, scope: Scope, depth: int) -> Unit:
        model = self.model
        owner = model.instance_class(expr.value, scope)
        if owner is None:
            return Unit.UNKNOWN
        units = [
            self.unit(a.value, a.scope, a.order, depth + 1)
            for a in model.class_attribute_assignments(owner, expr.attr.value)
            if a.value is not None and not a.unpack and a.kind in ("assign", "annassign")
        ]
        return units[0] if units and all(u is units[0] for u in units) else Unit.UNKNOWN


