"""Constant folding against the module model: the bridge between ``model.py`` (who binds what,
where) and ``evaluate.py`` (what an expression computes).

A free name folds to the value of the assignment that reaches it; several reaching assignments
fold only when they all agree. Results are memoised per (expression, scope) on the model, so the
rules can ask freely.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING

import libcst as cst

from lrlint.analysis.evaluate import (
    BUILTIN,
    Unknown,
    evaluate_binding,
    fold,
    function_value,
    make_step_function,
)

if TYPE_CHECKING:
    from lrlint.analysis.facts import Assignment, Scope
    from lrlint.analysis.model import ModuleModel

_MAX_NAME_DEPTH = 24
_SUPPLIED = ("supplied",)  # the fold_cache key of the model's SuppliedValues
_SUPPLIED_KINDS = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)
_NO_MODULE = cst.Module(body=[])  # renders any node's code


def canonical_code(code: str) -> str:
    """One spelling per expression: ``len( loader )`` and ``len(loader)``, ``c['x']`` and
    ``c["x"]`` match."""
    try:
        return ast.unparse(ast.parse(f"({code.strip()})", mode="eval"))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return "".join(code.split())


class SuppliedValues:
    """Values the user gives for expressions as the code writes them (``lrlint explain --set
    len(train_loader)=500 --set args.epochs=3``): wherever the folder meets that expression,
    it takes the value instead of computing it."""

    def __init__(self, values: Mapping[str, object]) -> None:
        self.by_code = {canonical_code(code): value for code, value in values.items()}
        self._codes: dict[cst.CSTNode, str] = {}

    def value_of(self, node: cst.CSTNode) -> tuple[object] | None:
        if not isinstance(node, _SUPPLIED_KINDS):
            return None
        code = self._codes.get(node)
        if code is None:
            code = self._codes[node] = canonical_code(_NO_MODULE.code_for_node(node))
        return (self.by_code[code],) if code in self.by_code else None


def supply_values(model: ModuleModel, values: Mapping[str, object]) -> None:
    """Make every later fold on ``model`` use ``values`` (see ``SuppliedValues``)."""
    model.fold_cache.clear()  # what was folded without them may differ
    if values:
        model.fold_cache[_SUPPLIED] = SuppliedValues(values)


class ModelEnv:
    """``EvalEnv`` over a module model, seen from one scope at one point of the source."""

    def __init__(self, model: ModuleModel, scope: Scope, order: int, depth: int = 0) -> None:
        self.model = scope.module_model or model  # the module the scope belongs to
        self.scope = scope
        self.order = order
        self.depth = depth
        self.supplied: SuppliedValues | None = self.model.fold_cache.get(_SUPPLIED)  # type: ignore

    def supplied_value(self, node: cst.CSTNode) -> tuple[object] | None:
        return None if self.supplied is None else self.supplied.value_of(node)

    def lookup(self, name: str, node: cst.CSTNode) -> object:
        model = self.model
        if self.supplied is not None and name in self.supplied.by_code:
            return self.supplied.by_code[name]
        scope = model.facts.name_scopes.get(node, self.scope) if isinstance(node, cst.Name) else self.scope
        order = model.facts.name_orders.get(node, self.order) if isinstance(node, cst.Name) else self.order
        model = scope.module_model or model
        if scope.lookup_scope(name) is None:
            if name in model.imports:
                return _imported(model, name)
            return BUILTIN
        if self.depth >= _MAX_NAME_DEPTH:
            return Unknown(f"'{name}' is defined too indirectly")
        assignments = model.assignments_reaching(name, scope, order)
        values = [self._value_of(assignment) for assignment in assignments]
        if not values:
            return Unknown(f"name '{name}' has no value here")
        first = values[0]
        for other in values[1:]:
            if other is not first and not _same(first, other):
                return Unknown(f"'{name}' takes different values on different paths")
        return first

    def qualified_name(self, expr: cst.BaseExpression) -> str | None:
        return self.model.qualified_name(expr)

    def attribute(self, node: cst.Attribute) -> object:
        """``args.epochs``, ``cfg.gamma``, ``settings.EPOCHS``: see ``attributes.py``."""
        if self.depth >= _MAX_NAME_DEPTH:
            return Unknown("attribute defined too indirectly")
        from lrlint.analysis.attributes import attribute_value

        leftmost = node.value
        while isinstance(leftmost, cst.Attribute):
            leftmost = leftmost.value
        # Seen from where the attribute is written (inside a lambda: its own scope).
        scope = self.model.facts.name_scopes.get(leftmost, self.scope)
        order = self.model.facts.name_orders.get(leftmost, self.order)
        return attribute_value(self.model, node, scope, order, self.depth)

    def _value_of(self, assignment: Assignment) -> object:
        model = self.model
        key = ("value", assignment)
        cache = model.fold_cache
        if key in cache:
            return cache[key]
        cache[key] = Unknown(f"'{assignment.name}' is defined in terms of itself")  # cycles
        env = ModelEnv(model, assignment.scope, assignment.order, self.depth + 1)
        if assignment.kind == "def" and assignment.function is not None:
            value = function_value(assignment.function.node, env)
        elif assignment.kind in ("assign", "annassign", "walrus") and assignment.value is not None:
            value = evaluate_binding(assignment.value, env)
            for index in assignment.unpack:
                if isinstance(value, (tuple, list)) and index < len(value):
                    value = value[index]
                else:
                    value = Unknown(f"cannot unpack the value of '{assignment.name}'")
                    break
        elif assignment.kind == "param":
            value = self._parameter_value(assignment)
        elif assignment.kind == "import" and assignment.name in model.imports_absolute:
            value = _imported(model, assignment.name)  # from config import WARMUP_STEPS
        else:
            value = Unknown(f"'{assignment.name}' is bound by {assignment.kind}")
        cache[key] = value
        return value


    def _parameter_value(self, assignment: Assignment) -> object:
        """A parameter's value when every call in the module passes the same constant (or leaves
        the same default): ``build_optimizer(model, LEARNING_RATE)`` folds ``lr`` inside it."""
        model = self.model
        function, param = assignment.scope.function, assignment.param
        unknown = Unknown(f"'{assignment.name}' is a parameter")
        if function is None or param is None or param.star:
            return unknown
        callers = model.callers(function)
        if not callers:
            # Nothing in the project calls it: what a call that leaves the parameter out gets.
            if param.default is None:
                return unknown
            outer = assignment.scope.parent or assignment.scope
            return fold(param.default, ModelEnv(model, outer, assignment.order, self.depth + 1))
        passed = {}
        for site, argument in model.arguments_for(function, param):
            passed[site] = fold(argument, ModelEnv(model, site.scope, site.order, self.depth + 1))
        values = []
        for site in callers:
            if site in passed:
                values.append(passed[site])
            elif param.default is not None and not any(arg.star for arg in site.node.args):
                outer = assignment.scope.parent or assignment.scope
                values.append(fold(param.default, ModelEnv(model, outer, assignment.order,
                                                           self.depth + 1)))
            else:
                return unknown
        first = values[0]
        if isinstance(first, Unknown) or not all(_same(first, other) for other in values[1:]):
            return unknown
        return first


def _imported(model: ModuleModel, name: str) -> object:
    """A name imported from another module of the project: its value there."""
    from lrlint.analysis.attributes import module_constant

    target = model.imports_absolute.get(name)
    symbol = model.project.symbol(target) if target else None
    value = module_constant(*symbol) if symbol is not None and symbol[1] else None
    return value if value is not None else Unknown(f"name '{name}' is imported")


def _same(a: object, b: object) -> bool:
    try:
        return type(a) is type(b) and a == b
    except Exception:
        return False


def fold_in(model: ModuleModel, expr: cst.BaseExpression | None, scope: Scope, order: int) -> object:
    """The value of ``expr`` at (scope, order), or Unknown."""
    if expr is None:
        return Unknown("no expression")
    model = scope.module_model or model
    key = ("expr", expr, scope)
    cache = model.fold_cache
    if key not in cache:
        cache[key] = fold(expr, ModelEnv(model, scope, order))
    return cache[key]


def step_function_in(model: ModuleModel, node: cst.Lambda | cst.FunctionDef, scope: Scope, order: int):
    """A callable for a lambda or local ``def`` (``StepFunction``), or Unknown."""
    return make_step_function(node, ModelEnv(model, scope, order))
