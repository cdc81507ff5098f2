"""Which value keeps a curve from being drawn, in words, and how the user can supply it.

When a scheduler argument does not fold, the reason the folder gives ("call to DataLoader()")
names the symptom. This module walks the argument's expression (through names assigned once,
arithmetic and calls of known functions) down to the smallest pieces that are unknown: the
``len(train_loader)``, ``args.epochs`` or ``num_epochs`` lrlint cannot know without running the
code, each of which ``--set`` (or, for the length of a loop's data, ``--steps-per-epoch``) can
supply.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.evaluate import Unknown, evaluate_binding
from lrlint.analysis.facts import Scope
from lrlint.analysis.model import ModuleModel, TrackedObject
from lrlint.analysis.values import ModelEnv, canonical_code, fold_in
from lrlint.explain.find import one_line

_MAX_DEPTH = 12
# How the sentence names an argument; others are named as written.
_ARGUMENT_WORDS = {
    "num_training_steps": "the number of training steps",
    "total_steps": "the number of training steps",
    "num_warmup_steps": "the number of warmup steps",
    "epochs": "the number of epochs",
    "steps_per_epoch": "the number of steps per epoch",
    "lr": "the optimizer's lr",
}


@dataclass(frozen=True)
class Missing:
    """Arguments that do not fold, and the unknown values they depend on."""

    arguments: tuple[str, ...]  # "num_training_steps", "lr" (the optimizer's)
    inputs: tuple[str, ...]  # "len(train_loader)", "args.epochs"
    options: tuple[str, ...]  # per input: "--steps-per-epoch N or --set len(loader)=N"

    def sentence(self) -> str:
        words = [_ARGUMENT_WORDS.get(a, f"`{a}`") for a in self.arguments]
        verb = "depends" if len(words) == 1 else "depend"
        inputs = _join(self.inputs)
        return (f"{_join(words)} {verb} on {inputs}, which lrlint cannot know without running "
                f"the code: pass {' and '.join(self.options)}")


def missing_values(model: ModuleModel, scheduler: TrackedObject,
                   optimizer: TrackedObject | None, loader_codes: set[str]) -> Missing | None:
    """What the scheduler's unfolded arguments (and its optimizer's lr) depend on."""
    by_argument: list[tuple[str, list[str]]] = []
    if optimizer is not None and optimizer.site is not None and "lr" in optimizer.args:
        site = optimizer.site
        by_argument.append(("lr", _unknown_parts(model, optimizer.args["lr"], site.scope,
                                                 site.order)))
    site = scheduler.site
    if site is not None:
        for name, expr in scheduler.args.items():
            if name not in ("optimizer", "schedulers"):
                by_argument.append((name, _unknown_parts(model, expr, site.scope, site.order)))
    arguments = tuple(name for name, parts in by_argument if parts)
    inputs = tuple(dict.fromkeys(part for _, parts in by_argument for part in parts))
    if not inputs:
        return None
    return Missing(arguments, inputs, _options(inputs, loader_codes))


def _options(inputs: tuple[str, ...], loader_codes: set[str]) -> tuple[str, ...]:
    """How to supply each input: ``--set CODE=N``, or ``--steps-per-epoch N`` for the length
    of what a training loop iterates."""
    loaders = {canonical_code(f"len({code})") for code in loader_codes}
    return tuple(f"--steps-per-epoch N or --set {code}=N" if canonical_code(code) in loaders
                 else f"--set {code}=N" for code in inputs)


def _join(words) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _unknown_parts(model: ModuleModel, expr: cst.BaseExpression, scope: Scope, order: int,
                   depth: int = 0) -> list[str]:
    """The code of the smallest unknown pieces of ``expr``; empty when it folds."""
    if isinstance(expr, (cst.Lambda, cst.FunctionDef)):
        return _free_unknowns(model, expr, scope, order, depth)
    if _is_function(model, expr, scope, order):
        return []
    if not isinstance(fold_in(model, expr, scope, order), Unknown):
        return []
    code = one_line(model.module.code_for_node(expr))
    if depth >= _MAX_DEPTH or isinstance(expr, (cst.Attribute, cst.Subscript)) or _is_len(expr):
        return [code]
    if isinstance(expr, cst.Name):
        return _name_parts(model, expr, scope, order, depth) or [code]
    if isinstance(expr, cst.Call):
        function = evaluate_binding(expr.func, ModelEnv(model, scope, order))
        if isinstance(function, Unknown):
            return [code]
        parts = [p for arg in expr.args
                 for p in _unknown_parts(model, arg.value, scope, order, depth + 1)]
        return parts or [code]
    parts = [p for child in _subexpressions(expr)
             for p in _unknown_parts(model, child, scope, order, depth + 1)]
    return parts or [code]


def _subexpressions(node: cst.CSTNode):
    """The expressions directly inside ``node``, through ``Arg``, ``Element``, ``Index`` ..."""
    for child in node.children:
        if isinstance(child, cst.BaseExpression):
            yield child
        else:
            yield from _subexpressions(child)


def _name_parts(model: ModuleModel, name: cst.Name, scope: Scope, order: int,
                depth: int) -> list[str]:
    """Through ``total = epochs * len(loader)`` to its parts; the name itself when its value is
    opaque as a whole (``steps = get_steps()``: ``--set steps=N`` is the handle)."""
    scope = model.scope_of(name) or scope
    order = model.facts.name_orders.get(name, order)
    assignments = model.assignments_reaching(name.value, scope, order)
    if len(assignments) != 1:
        return []
    assignment = assignments[0]
    if assignment.kind not in ("assign", "annassign") or assignment.value is None \
            or assignment.unpack:
        return []
    value = assignment.value
    parts = _unknown_parts(model, value, assignment.scope, assignment.order, depth + 1)
    if parts == [one_line(model.module.code_for_node(value))] and not _is_len(value):
        return []
    return parts


def _free_unknowns(model: ModuleModel, function: cst.CSTNode, scope: Scope, order: int,
                   depth: int) -> list[str]:
    """The unknown pieces of a lambda's body that do not involve its parameters."""
    if not isinstance(function, cst.Lambda):
        return []
    params = {p.name.value for p in _params(function)}
    return list(dict.fromkeys(_parts_without(model, function.body, params, scope, order, depth)))


def _parts_without(model: ModuleModel, expr: cst.BaseExpression, params: set[str],
                   scope: Scope, order: int, depth: int) -> list[str]:
    if not any(name.value in params for name in _names(expr)):
        return _unknown_parts(model, expr, scope, order, depth + 1)
    if isinstance(expr, cst.Lambda):
        return []  # a nested lambda: its own parameters shadow
    return [p for child in _subexpressions(expr)
            for p in _parts_without(model, child, params, scope, order, depth + 1)]


def _params(function: cst.CSTNode) -> list[cst.Param]:
    params = function.params
    return [*params.posonly_params, *params.params, *params.kwonly_params]


def _names(node: cst.CSTNode) -> list[cst.Name]:
    found: list[cst.Name] = []

    class _Visitor(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name)

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)
            return False  # `.attr` is not a name read

    node.visit(_Visitor())
    return found


def _is_function(model: ModuleModel, expr: cst.BaseExpression, scope: Scope,
                 order: int) -> bool:
    """A function value (``warmup_then_cosine(total)``, ``min``, ``math.cos``): not a
    constant, but not unknown either."""
    from lrlint.analysis.evaluate import FunctionValue
    from lrlint.analysis.evaluate_natives import NativeFunction

    value = evaluate_binding(expr, ModelEnv(model, scope, order))
    return isinstance(value, (FunctionValue, NativeFunction))


def _is_len(expr: cst.BaseExpression) -> bool:
    return (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name)
            and expr.func.value == "len" and len(expr.args) == 1)
