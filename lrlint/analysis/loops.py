"""What a training loop iterates over: epochs, or batches.

A loop is a BATCH loop when it iterates a data loader (a ``torch.utils.data.DataLoader``, or an
iterable spelled like one: ``train_loader``, ``self.val_dataloader()``, ``dataloaders[phase]``,
``train_dl``), possibly through ``enumerate``/``tqdm``/``zip``/``iter``, or counts to an
iteration-unit bound (``range(len(loader))``, ``range(steps_per_epoch)``).

A loop is an EPOCH loop when it counts to an epoch-unit bound (``range(EPOCHS)``,
``range(start_epoch, args.epochs)``, ``trange(cfg.MAX_EPOCH)``, ``while epoch < max_epochs``) or
its counter is called ``epoch``.

Loops are seen through calling contexts (``chains.Frame``), so a batch loop in
``train_one_epoch`` and the epoch loop of its caller are both around ``optimizer.step()``.
"""

from __future__ import annotations

import re
from enum import Enum

import libcst as cst

from lrlint.analysis.chains import Frame
from lrlint.analysis.collect import dotted_name
from lrlint.analysis.facts import Loop, Scope
from lrlint.analysis.model import ModuleModel
from lrlint.analysis.units import Unit, UnitReader
from lrlint.analysis.walk import child_nodes

# `loaders` (plural) holds several loaders; `loaders[phase]` is one again.
_LOADER_NAME = re.compile(r"loader(?!s$)|(^|_)dl$|^batches$|batch_?iter|data_?iter|epoch_iterator",
                          re.IGNORECASE)
_LOADERS_NAME = re.compile(r"loaders$|(^|_)dls$", re.IGNORECASE)
_EPOCH_COUNTER = re.compile(r"^(ep|epoch\w*|\w*_epoch|i_?ep)$", re.IGNORECASE)
# Wrappers that iterate their (first) argument: enumerate(loader), tqdm(loader), iter(loader).
_WRAPPERS = frozenset({"enumerate", "tqdm", "iter", "track", "progress_bar", "prefetch", "islice",
                       "zip", "ProgressBar", "Bar"})
_RANGES = frozenset({"range", "trange", "xrange"})
_MAX_DEPTH = 6


class LoopKind(str, Enum):
    EPOCH = "epoch"
    BATCH = "batch"
    OTHER = "other"


Bounds = tuple[cst.BaseExpression, "cst.BaseExpression | None"]


def range_bounds(expr: cst.BaseExpression | None) -> Bounds | None:
    """(stop, start) of ``range(...)``/``trange(...)``, also inside enumerate/tqdm wrappers."""
    expr = _unwrap(expr)
    if not isinstance(expr, cst.Call):
        return None
    name = dotted_name(expr.func)
    if name is None or name.rpartition(".")[2] not in _RANGES:
        return None
    args = [a.value for a in expr.args if a.keyword is None and not a.star]
    if len(args) == 1:
        return args[0], None
    if len(args) >= 2:
        return args[1], args[0]
    return None


def _unwrap(expr: cst.BaseExpression | None) -> cst.BaseExpression | None:
    while isinstance(expr, cst.Call):
        name = dotted_name(expr.func)
        if name is None or name.rpartition(".")[2] not in _WRAPPERS - {"zip"}:
            return expr
        args = [a.value for a in expr.args if a.keyword is None and not a.star]
        if not args:
            return expr
        expr = args[0]
    return expr


class LoopClassifier:
    """Classifies the loops of one module (memoised)."""

    def __init__(self, model: ModuleModel, units: UnitReader) -> None:
        self.model = model
        self.units = units
        self._memo: dict[tuple[int, int], LoopKind] = {}

    def kind(self, frame: Frame) -> LoopKind:
        key = (id(frame.loop), id(frame.scope))
        if key not in self._memo:
            self._memo[key] = self._kind(frame.loop, frame.scope)
        return self._memo[key]

    def _kind(self, loop: Loop, scope: Scope) -> LoopKind:
        order = loop.order_start
        if loop.kind == "while":
            test = loop.node.test
            if isinstance(test, cst.Comparison) and any(
                self.units.unit(side, scope, order) is Unit.EPOCH
                for side in (test.left, *(c.comparator for c in test.comparisons))
            ):
                return LoopKind.EPOCH
            return LoopKind.BATCH if self._pulls_batches(loop, scope) else LoopKind.OTHER
        bounds = range_bounds(loop.iter)
        if bounds is not None:
            unit = self.units.unit(bounds[0], scope, order)
            if unit is Unit.ITERATION:
                return LoopKind.BATCH
            if unit is Unit.EPOCH:
                return LoopKind.EPOCH
        elif self.is_loader(loop.iter, scope, order):
            return LoopKind.BATCH
        if any(_EPOCH_COUNTER.match(name) for name in loop.target_names[:1]):
            return LoopKind.EPOCH
        if self._pulls_batches(loop, scope):
            return LoopKind.BATCH  # `while step < max_steps: batch = next(data_iter)`
        return LoopKind.OTHER

    def _pulls_batches(self, loop: Loop, scope: Scope) -> bool:
        """Each iteration takes a batch: ``next(it)`` on a loader's iterator in the loop's own
        body (not in a loop nested in it)."""
        for node in _own_body(loop.node.body):
            if isinstance(node, cst.Call) and dotted_name(node.func) == "next" and node.args \
                    and self.is_loader(node.args[0].value, scope, loop.order_start):
                return True
        return False

    def epoch_count(self, frame: Frame) -> object:
        """The folded number of iterations of an epoch loop ``range(...)`` (or Unknown)."""
        bounds = range_bounds(frame.loop.iter)
        if bounds is None:
            return None
        stop, start = bounds
        order = frame.loop.order_start
        stop_value = self.model.fold(stop, frame.scope, order)
        start_value = self.model.fold(start, frame.scope, order) if start is not None else 0
        if isinstance(stop_value, int) and isinstance(start_value, int) \
                and not isinstance(stop_value, bool):
            return stop_value - start_value
        return None

    def is_loader(self, expr: cst.BaseExpression | None, scope: Scope, order: int,
                  depth: int = 0) -> bool:
        """True when ``expr`` is (or wraps) a data loader, as far as the module shows."""
        if expr is None or depth > _MAX_DEPTH:
            return False
        model = self.model
        if isinstance(expr, cst.Call):
            name = dotted_name(expr.func)
            short = name.rpartition(".")[2] if name else None
            if short == "zip":
                return any(self.is_loader(a.value, scope, order, depth + 1) for a in expr.args)
            if short in _WRAPPERS:
                args = [a.value for a in expr.args if a.keyword is None and not a.star]
                return bool(args) and self.is_loader(args[0], scope, order, depth + 1)
            qualified = model.qualified_name(expr.func)
            if qualified is not None and qualified.rpartition(".")[2] == "DataLoader":
                return True
            return short is not None and bool(_LOADER_NAME.search(short))
        if isinstance(expr, cst.Subscript):
            container = expr.value
            spelled = container.attr.value if isinstance(container, cst.Attribute) else \
                container.value if isinstance(container, cst.Name) else ""
            return bool(_LOADERS_NAME.search(spelled)) or \
                self.is_loader(container, scope, order, depth + 1)
        if isinstance(expr, cst.Attribute):
            if _LOADER_NAME.search(expr.attr.value):
                return True
            owner = model.instance_class(expr.value, scope)
            if owner is None:
                return False
            return any(
                a.value is not None and self.is_loader(a.value, a.scope, a.order, depth + 1)
                for a in model.class_attribute_assignments(owner, expr.attr.value)
            )
        if isinstance(expr, cst.Name):
            if _LOADER_NAME.search(expr.value):
                return True
            scope = model.scope_of(expr) or scope
            order = model.facts.name_orders.get(expr, order)
            return any(self.is_loader(value, value_scope, value_order, depth + 1)
                       for value, value_scope, value_order in _values_of(model, expr, scope, order))
        return False


def _values_of(model: ModuleModel, name: cst.Name, scope: Scope, order: int):
    """(expression, scope, order) of what may be bound to ``name``: assigned values, and the
    arguments local callers pass for a parameter."""
    for assignment in model.assignments_reaching(name.value, scope, order):
        function = assignment.scope.function
        if assignment.kind == "param" and function is not None:
            for site, argument in model.arguments_for(function, assignment.param):
                yield argument, site.scope, site.order
        elif assignment.value is not None and not assignment.unpack:
            yield assignment.value, assignment.scope, assignment.order


def _own_body(node: cst.CSTNode):
    """The nodes of a loop body that run once per iteration of that loop: nested loops,
    functions and classes are not entered."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(child for child in child_nodes(current)
                     if not isinstance(child, (cst.For, cst.While, cst.FunctionDef, cst.ClassDef,
                                               cst.Lambda)))
