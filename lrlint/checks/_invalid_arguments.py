"""The construction errors of torch that ``lrlint.schedules``' mirror does not model (LR007).

Each check proves the error from the model and folded literals only, and quotes torch's message
(the tests raise the same error in real torch).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.model import TrackedObject
from lrlint.analysis.queries import argument, is_number
from lrlint.analysis.torch_api import Kind
from lrlint.checks.base import RuleContext
from lrlint.checks.common import fmt

# torch optimizers whose defaults hold neither ``momentum`` nor ``betas`` (torch 2.13).
NO_MOMENTUM = frozenset({"Adagrad", "Adadelta", "ASGD", "Rprop", "LBFGS", "Adafactor"})
# Optimizers that refuse a tensor LR with foreach=True unless capturable=True.
_FOREACH_TENSOR_LR = frozenset({"Adam", "AdamW"})
_TENSOR_FACTORIES = frozenset({"torch.tensor", "torch.as_tensor"})
_COMPOSITES = frozenset({"SequentialLR", "ChainedScheduler"})
# How far a fractional StepLR step_size is searched for a step it divides.
_DECAY_SEARCH = 100_000


@dataclass(frozen=True)
class Problem:
    node: cst.CSTNode
    message: str


def lacks_momentum(context: RuleContext, scheduler: TrackedObject) -> bool:
    """The scheduler's optimizer is a torch optimizer without momentum or betas."""
    optimizers = context.model.optimizers_of(scheduler)
    return len(optimizers) == 1 and optimizers[0].custom is None and (
        optimizers[0].torch_class in NO_MOMENTUM)


def not_callable_lambda(context: RuleContext, scheduler: TrackedObject) -> Problem | None:
    """``LambdaLR(opt, 0.95)``: a number where a function belongs."""
    if scheduler.short not in ("LambdaLR", "MultiplicativeLR"):
        return None
    expr = scheduler.args.get("lr_lambda")
    if expr is None or isinstance(expr, (cst.List, cst.Tuple)):
        return None
    value = context.fold(expr, scheduler.site.scope, scheduler.site.order)
    if not (value is None or isinstance(value, (int, float, str, bool))):
        return None
    kind = type(value).__name__
    if scheduler.short == "LambdaLR":
        error = f"'{kind}' object is not callable"  # from the initial step's lr_lambda(0)
    else:
        error = f"lr_lambda should be a function, but got {kind}"
    shown = " ".join(context.code_for(expr).split())
    return Problem(expr, f"{scheduler.short}(lr_lambda={shown}): torch raises TypeError when "
                         f"it is built: {error}; lr_lambda is a function of the step that "
                         "returns a factor")


def foreign_child(context: RuleContext, scheduler: TrackedObject) -> Problem | None:
    """A child of SequentialLR/ChainedScheduler built on another optimizer than the parent's."""
    if scheduler.short not in _COMPOSITES:
        return None
    model = context.model
    site = scheduler.site
    args = scheduler.args
    expr = args.get("schedulers")
    if not isinstance(expr, (cst.List, cst.Tuple)):
        return None
    children: list[TrackedObject | None] = []
    for element in expr.elements:
        refs = [r.obj for r in model.resolve(element.value, site.scope, site.order, site.path)
                if r.obj.kind is Kind.SCHEDULER]
        children.append(refs[0] if len(set(refs)) == 1 else None)
    if "optimizer" in args:
        parent = _single([r.obj for r in model.resolve(args["optimizer"], site.scope, site.order,
                                                       site.path) if r.obj.kind is Kind.OPTIMIZER])
    else:  # ChainedScheduler's optimizer defaults to its first child's
        parent = _single(model.optimizers_of(children[0])) if children and children[0] else None
    if parent is None:
        return None
    for index, child in enumerate(children):
        if child is None or child.short == "ReduceLROnPlateau":
            return None  # torch raises something else first, or we cannot tell
        own = _single(model.optimizers_of(child))
        if own is None:
            return None
        if own is not parent:
            return Problem(element_node(expr, index), (
                f"{scheduler.short}: torch raises ValueError when it is built: "
                f"{scheduler.short} expects all schedulers to belong to the same optimizer, but "
                f"got scheduler {child.short} at index {index} has {own.short} "
                f"(`{short_code(context, own.node)}`), which is different from "
                f"{parent.short}."))
    return None


def element_node(expr: cst.List | cst.Tuple, index: int) -> cst.CSTNode:
    return expr.elements[index].value


def short_code(context: RuleContext, node: cst.CSTNode) -> str:
    """The code of ``node`` on one line, cut to 40 characters."""
    code = " ".join(context.code_for(node).split())
    return code if len(code) <= 40 else code[:37] + "..."


def _single(objects: list[TrackedObject]) -> TrackedObject | None:
    unique = list(dict.fromkeys(objects))
    return unique[0] if len(unique) == 1 else None


def fractional_step_size(context: RuleContext, scheduler: TrackedObject) -> Problem | None:
    """``StepLR(step_size=epochs / 3)``: torch decays only when ``last_epoch % step_size == 0``."""
    if scheduler.short != "StepLR" or "step_size" not in scheduler.args:
        return None
    expr = scheduler.args["step_size"]
    value = context.fold(expr, scheduler.site.scope, scheduler.site.order)
    if not isinstance(value, float) or value.is_integer() or value <= 0:
        return None
    first = next((k for k in range(1, _DECAY_SEARCH + 1) if k % value == 0), None)
    shown = f"StepLR(step_size={fmt(value)})"
    if first is None:
        when = f"no step up to {_DECAY_SEARCH:,} is one, so the LR never decays"
    else:
        when = f"the first is step {first}, so it decays every {first} steps, not every {fmt(value)}"
    return Problem(expr, f"{shown}: torch multiplies the LR by gamma only at steps that are "
                         f"multiples of step_size (`last_epoch % step_size == 0`); {when}; "
                         "pass an int")


def tensor_lr(context: RuleContext, optimizer: TrackedObject) -> Problem | None:
    """A tensor ``lr`` torch refuses: not one element, or foreach=True without capturable."""
    if optimizer.site is None or optimizer.custom is not None or optimizer.has_star_args:
        return None
    passed = argument(optimizer.site.node, "lr", None)  # by keyword: what the prefilter sees
    expr = passed.value if passed is not None else None
    if not isinstance(expr, cst.Call) or context.model.qualified_name(expr.func) not in _TENSOR_FACTORIES:
        return None
    site = optimizer.site
    name = optimizer.torch_class
    if name in _FOREACH_TENSOR_LR:
        foreach = _flag(context, optimizer, "foreach")
        capturable = _flag(context, optimizer, "capturable")
        if foreach is True and capturable is False:
            return Problem(expr, f"{name}(lr=<tensor>, foreach=True): torch raises ValueError "
                                 "when it is built: lr as a Tensor is not supported for "
                                 "capturable=False and foreach=True")
    data = context.fold(expr.args[0].value, site.scope, site.order) if expr.args else None
    size = _numel(data)
    if size is not None and size != 1:
        return Problem(expr, f"{name}(lr=<tensor of {size} elements>): torch raises ValueError "
                             "when it is built: Tensor lr must be 1-element")
    return None


def _flag(context: RuleContext, optimizer: TrackedObject, name: str) -> object:
    expr = optimizer.args.get(name)
    if expr is None:
        return False
    value = context.fold(expr, optimizer.site.scope, optimizer.site.order)
    return bool(value) if isinstance(value, (bool, int, type(None))) else value


def _numel(data: object) -> int | None:
    if is_number(data):
        return 1
    if isinstance(data, (list, tuple)):
        sizes = [_numel(item) for item in data]
        if any(size is None for size in sizes):
            return None
        return sum(sizes)  # type: ignore[arg-type]
    return None


_RAISES = frozenset({"raises", "assertRaises", "assertRaisesRegex"})


def expected_error_nodes(context: RuleContext) -> set[int]:
    """The ids of every node inside ``with pytest.raises(...)`` / ``self.assertRaises(...)``:
    code that is there to raise."""
    from lrlint.analysis.walk import iter_tree

    inside: set[int] = set()
    for node in iter_tree(context.module):
        if isinstance(node, cst.With) and any(_is_raises(item.item) for item in node.items):
            inside.update(id(child) for child in iter_tree(node.body))
    return inside


def _is_raises(expr: cst.BaseExpression) -> bool:
    if not isinstance(expr, cst.Call):
        return False
    func = expr.func
    name = func.attr.value if isinstance(func, cst.Attribute) else (
        func.value if isinstance(func, cst.Name) else None)
    return name in _RAISES


# torch messages about the number of param groups.
_GROUP_COUNT_MESSAGES = ("same length as optimizer.param_groups", "lr_lambdas, but got",
                         "min_lrs, got")


def depends_on_group_count(error: Exception) -> bool:
    return any(fragment in str(error) for fragment in _GROUP_COUNT_MESSAGES)
