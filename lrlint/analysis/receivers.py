"""Whether a call's receiver can only ever be a tracked torch object.

The model resolves ``scheduler.step(epoch)`` to every tracked scheduler ``scheduler`` may hold.
It does not say whether ``scheduler`` may also hold something lrlint does not track, or a
scheduler with another stepping API, as in ``scheduler = create_scheduler(...) if args.timm
else StepLR(...)``: there ``step(epoch)`` is timm's intended API on one path. Rules that judge the *call* (not the object) ask
:func:`only_tracked` first.
"""

from __future__ import annotations

import libcst as cst

from lrlint.analysis.facts import Assignment, CallSite, Scope
from lrlint.analysis.model import ModuleModel

_MAX_DEPTH = 8


def only_tracked(model: ModuleModel, site: CallSite) -> bool:
    """True when every binding the receiver of ``site`` may see holds a tracked object with
    torch's stepping API (not a timm scheduler, whose ``step(epoch)`` is its own)."""
    if not every_binding_tracked(model, site):
        return False
    return not any(ref.obj.family == "timm"
                   for ref in model.resolve(site.receiver, site.scope, site.order, site.path))


def every_binding_tracked(model: ModuleModel, site: CallSite) -> bool:
    """True when every binding the receiver of ``site`` may see holds a tracked object."""
    receiver = site.receiver
    return receiver is not None and _expr(model, receiver, site.scope, site.order, site.path, 0)


def _expr(model: ModuleModel, expr: cst.BaseExpression, scope: Scope, order: int, path: tuple,
          depth: int) -> bool:
    if depth > _MAX_DEPTH:
        return False
    if isinstance(expr, cst.Name) and expr.value == "None":
        return True  # `if scheduler is not None: scheduler.step(...)`
    if isinstance(expr, cst.IfExp):
        return _expr(model, expr.body, scope, order, path, depth + 1) and _expr(
            model, expr.orelse, scope, order, path, depth + 1)
    if isinstance(expr, cst.Call):
        if expr in model.object_at:
            return True
        # A local factory: every value it returns must be tracked.
        returns = [(value, function.scope, value_order)
                   for function in model.called_functions(expr, scope)
                   for value, value_order in function.returns]
        return bool(returns) and all(_expr(model, value, value_scope, value_order, (), depth + 1)
                                     for value, value_scope, value_order in returns)
    if isinstance(expr, cst.Name):
        scope = model.scope_of(expr) or scope
        assignments = model.assignments_reaching(expr.value, scope, order, path)
        return bool(assignments) and all(_assignment(model, a, depth + 1) for a in assignments)
    if isinstance(expr, cst.Subscript):  # kwargs["scheduler"]
        arguments = model.keyword_item_arguments(expr, scope, order, path)
        return bool(arguments) and all(
            _expr(model, argument, site.scope, site.order, site.path, depth + 1)
            for site, argument in arguments)
    if isinstance(expr, cst.Attribute):
        owner = model.instance_class(expr.value, scope)
        if owner is None:
            return False
        assignments = model.class_attribute_assignments(owner, expr.attr.value)
        return bool(assignments) and all(_assignment(model, a, depth + 1) for a in assignments)
    return False


def _assignment(model: ModuleModel, assignment: Assignment, depth: int) -> bool:
    if assignment.kind == "param":
        param = assignment.param
        if param.node in model.object_at:
            return True  # annotated with a torch scheduler type
        function = assignment.scope.function
        arguments = list(model.arguments_for(function, param)) if function is not None else []
        return bool(arguments) and all(
            _expr(model, argument, site.scope, site.order, site.path, depth + 1)
            for site, argument in arguments
        )
    if assignment.value is None or assignment.kind not in ("assign", "annassign", "walrus"):
        return False
    if assignment.unpack:
        # `optimizer, scheduler = build(...)`: the model resolved it; nothing finer is known.
        return bool(model.resolve(assignment.node, assignment.scope, assignment.order + 1))
    return _expr(model, assignment.value, assignment.scope, assignment.order, assignment.path,
                 depth + 1)
