"""In what a schedule's length is counted, relative to the optimizer updates of one process.

A training run over a dataset of ``S`` samples, with per-process batch size ``B``, gradient
accumulation ``K`` and ``N`` processes, makes ``U = S / (B K N)`` optimizer updates per epoch on
each process. A length written from the data is a product of powers of ``N``, ``K`` and ``B``
times ``U`` (and epochs):

* ``len(train_dataset)``: samples, ``N K B U``;
* ``len(loader)`` of a plain ``DataLoader`` (each process iterates all of it until accelerate
  shards it): ``N K U`` micro-batches; of a loader that went through ``accelerator.prepare``:
  ``K U``, the micro-batches of one process;
* dividing by a batch size, an accumulation factor or ``accelerator.num_processes`` removes
  ``B``, ``K`` or ``N``; multiplying adds them;
* a step count from the configuration (``args.max_train_steps``, ``cfg.optimization.steps``)
  is ``U`` itself, as the loop that runs that many updates on each process reads it.

``length_versions`` gives the exponents of ``(N, K, B)`` for each way the value may be computed
(``args.max_train_steps`` assigned from the loader in one branch, from the command line in the
other), with the leaves it met; anything it cannot place makes the version unknown. A Trainer
steps its scheduler once per update (``(*, 0, 0)`` is right); a scheduler prepared by accelerate
steps ``N`` times per update (``(1, 0, 0)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from lrlint.analysis.accelerate import is_prepare_call
from lrlint.analysis.collect import dotted_name
from lrlint.analysis.units import Unit, name_unit
from lrlint.analysis.walk import child_nodes, iter_tree

if TYPE_CHECKING:
    from lrlint.analysis.facts import Scope
    from lrlint.analysis.model import ModuleModel

_MAX_DEPTH = 10
_MAX_VERSIONS = 8

_PROCESSES = re.compile(r"^_*(num_processes|world_size|n_?gpus?|num_gpus|num_devices|n_devices"
                        r"|nprocs|num_replicas|n_procs)$", re.IGNORECASE)
_ACCUMULATION = re.compile(r"accum|update_freq", re.IGNORECASE)
_BATCH = re.compile(r"batch_?size|^bs$", re.IGNORECASE)
# max_train_steps, num_training_steps, lr_warmup_steps, total_iters, steps: optimizer steps.
_STEP_COUNT = re.compile(r"(^|_)(steps|iters|iterations|updates)$", re.IGNORECASE)
_DATASET = re.compile(r"data_?set|^ds$|_ds$|samples|examples", re.IGNORECASE)
_LOADER = re.compile(r"loader", re.IGNORECASE)
_PASS_THROUGH = frozenset({"int", "round", "float", "math.ceil", "math.floor", "np.ceil",
                           "numpy.ceil", "math.trunc", "abs"})
_DATA_LOADERS = frozenset({"torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"})

# What a leaf is, in words, for messages.
SAMPLES, MICRO_BATCHES, PROCESS_MICRO_BATCHES, LOADER, COUNT = (
    "samples", "micro-batches", "micro-batches of one process", "micro-batches (a loader)",
    "step count")


@dataclass(frozen=True)
class Leaf:
    kind: str  # SAMPLES, MICRO_BATCHES, PROCESS_MICRO_BATCHES, COUNT
    node: cst.BaseExpression  # the len(...) call or the count as written


@dataclass(frozen=True)
class Version:
    """One way the length may be computed: exponents of (N, K, B), and its data leaves."""

    processes: int = 0
    accumulation: int = 0
    batch: int = 0
    leaves: tuple[Leaf, ...] = ()
    divisors: tuple[cst.BaseExpression, ...] = field(default=())  # K or N factors seen
    processes_unknown: bool = False  # a loader whose sharding is not known

    def times(self, other: Version, sign: int = 1) -> Version:
        return Version(self.processes + sign * other.processes,
                       self.accumulation + sign * other.accumulation,
                       self.batch + sign * other.batch,
                       self.leaves + other.leaves, self.divisors + other.divisors,
                       self.processes_unknown or other.processes_unknown)

    @property
    def exponents(self) -> tuple[int, int, int]:
        return self.processes, self.accumulation, self.batch

    @property
    def from_data(self) -> bool:
        return any(leaf.kind != COUNT for leaf in self.leaves)


NEUTRAL = Version()


class LengthReader:
    """Reads length expressions of one module (see the module docstring)."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model

    def versions(self, expr: cst.BaseExpression, scope: Scope, order: int) -> list[Version] | None:
        """The versions of ``expr``, or None when some part of it cannot be placed."""
        return self._versions(expr, scope, order, 0)

    def _versions(self, expr, scope: Scope, order: int, depth: int) -> list[Version] | None:
        if depth > _MAX_DEPTH:
            return None
        model = scope.module_model or self.model
        if isinstance(expr, (cst.Integer, cst.Float)):
            return [NEUTRAL]
        if isinstance(expr, cst.BinaryOperation):
            return self._binary(expr, scope, order, depth)
        if isinstance(expr, cst.UnaryOperation):
            return self._versions(expr.expression, scope, order, depth + 1)
        if isinstance(expr, cst.IfExp):
            body = self._versions(expr.body, scope, order, depth + 1)
            orelse = self._versions(expr.orelse, scope, order, depth + 1)
            return None if body is None or orelse is None else _limit(body + orelse)
        if isinstance(expr, cst.Call):
            return self._call(model, expr, scope, order, depth)
        if isinstance(expr, cst.Name):
            return self._name(model, expr, scope, order, depth)
        if isinstance(expr, cst.Attribute):
            return self._attribute(model, expr, scope, order, depth)
        return None

    def _binary(self, expr: cst.BinaryOperation, scope, order, depth) -> list[Version] | None:
        left = self._versions(expr.left, scope, order, depth + 1)
        right = self._versions(expr.right, scope, order, depth + 1)
        if left is None or right is None:
            return None
        operator = expr.operator
        if isinstance(operator, cst.Multiply):
            return _limit([a.times(b) for a in left for b in right])
        if isinstance(operator, (cst.Divide, cst.FloorDivide)):
            if any(b.exponents == (0, 0, 0) and not b.leaves for b in right):
                return None  # divided by a number it cannot name (a batch size written 16?)
            return _limit([a.times(b, -1) for a in left for b in right])
        if isinstance(operator, (cst.Add, cst.Subtract)):
            found = []
            for a in left:
                for b in right:
                    if a.exponents == b.exponents or not b.leaves:
                        found.append(Version(*a.exponents, a.leaves + b.leaves, a.divisors,
                                             a.processes_unknown or b.processes_unknown))
                    elif not a.leaves:
                        found.append(b)
                    else:
                        return None
            return _limit(found)
        return None

    def _call(self, model, call: cst.Call, scope, order, depth) -> list[Version] | None:
        name = dotted_name(call.func)
        args = [a.value for a in call.args if a.keyword is None and not a.star]
        if name == "len" and len(args) == 1:
            leaf = self._len_leaf(model, call, args[0], scope, order)
            return None if leaf is None else [_leaf_version(leaf)]
        if name in _PASS_THROUGH and args:
            return self._versions(args[0], scope, order, depth + 1)
        if name in ("max", "min") and args:
            versions = [self._versions(a, scope, order, depth + 1) for a in args]
            data = [v for v in versions if v is not None and any(x.leaves for x in v)]
            return data[0] if len(data) == 1 and all(v is not None for v in versions) else None
        return None

    def _name(self, model, expr: cst.Name, scope, order, depth) -> list[Version] | None:
        name_scope = model.scope_of(expr) or scope
        name_order = model.facts.name_orders.get(expr, order)
        bindings = model.assignments_reaching(expr.value, name_scope, name_order)
        if not bindings:
            return _spelled(expr.value, expr)
        found: list[Version] = []
        for binding in bindings:
            if binding.kind in ("assign", "annassign") and binding.value is not None \
                    and not binding.unpack:
                versions = self._versions(binding.value, binding.scope, binding.order, depth + 1)
            elif binding.kind == "augassign" and binding.value is not None:
                versions = None
            elif binding.kind == "param" and binding.scope.function is not None:
                versions = self._parameter(model, binding, depth) or _spelled(expr.value, expr)
            else:
                versions = _spelled(expr.value, expr)
            if versions is None:
                return None
            found.extend(versions)
        return _limit(found)

    def _parameter(self, model, binding, depth) -> list[Version] | None:
        passed = list(model.arguments_for(binding.scope.function, binding.param))
        if not passed:
            return None
        found: list[Version] = []
        for site, argument in passed:
            versions = self._versions(argument, site.scope, site.order, depth + 1)
            if versions is None:
                return None
            found.extend(versions)
        return _limit(found)

    def _attribute(self, model, expr: cst.Attribute, scope, order, depth) -> list[Version] | None:
        spelled = _spelled(expr.attr.value, expr)
        if spelled is None:
            return None
        if spelled[0].leaves and spelled[0].leaves[0].kind == COUNT:
            # `args.max_train_steps = epochs * per_epoch` earlier in the function
            assigned = self._assigned_attribute(model, expr, scope, order, depth)
            if assigned is None:
                return None
            versions, always = assigned
            return _limit(versions if always else spelled + versions)
        return spelled

    def _assigned_attribute(self, model, expr: cst.Attribute, scope, order, depth):
        """Versions of ``a.b = value`` statements before ``order`` in the same function (and
        whether one of them always runs), or None when one cannot be placed."""
        function_scope = scope
        while function_scope.kind not in ("function", "module") and function_scope.parent:
            function_scope = function_scope.parent
        target = model.code_for(expr)
        found: list[Version] = []
        always = False
        for statement, conditional in _attribute_assignments(function_scope.node, target):
            value_order = _order_of(model, statement.targets[0].target)
            if value_order is None or value_order >= order:
                continue
            versions = self._versions(statement.value, scope, value_order, depth + 1)
            if versions is None:
                return None
            if not conditional:
                found, always = [], True
            found.extend(versions)
        return _limit(found), always

    def _len_leaf(self, model, call: cst.Call, data: cst.BaseExpression, scope,
                  order: int) -> Leaf | None:
        """What ``len(data)`` counts: samples, micro-batches, or those of one process."""
        values = _bound_values(model, data, scope, order)
        if values:
            kinds = set()
            for value, value_scope, kind in values:
                if kind == "prepared":
                    kinds.add(PROCESS_MICRO_BATCHES)
                elif isinstance(value, cst.Call) and _is_data_loader(model, value):
                    kinds.add(MICRO_BATCHES)
                else:
                    kinds.add(None)
            if len(kinds) == 1 and None not in kinds:
                return Leaf(kinds.pop(), call)
        spelled = _last_identifier(data)
        if spelled is None:
            return None
        if _LOADER.search(spelled):
            return Leaf(LOADER, call)  # a loader whose sharding is not known
        if _DATASET.search(spelled):
            return Leaf(SAMPLES, call)
        return None


def _limit(versions: list[Version]) -> list[Version] | None:
    unique = list(dict.fromkeys(versions))
    return unique if len(unique) <= _MAX_VERSIONS else None


def _leaf_version(leaf: Leaf) -> Version:
    if leaf.kind == SAMPLES:
        return Version(1, 1, 1, (leaf,))
    if leaf.kind == MICRO_BATCHES:
        return Version(1, 1, 0, (leaf,))
    return Version(0, 1, 0, (leaf,), processes_unknown=leaf.kind == LOADER)


def _spelled(identifier: str, node: cst.BaseExpression) -> list[Version] | None:
    """A leaf known by its name: processes, accumulation, batch size, epochs, a step count."""
    if _PROCESSES.match(identifier):
        return [Version(1, 0, 0, divisors=(node,))]
    if _ACCUMULATION.search(identifier):
        return [Version(0, 1, 0, divisors=(node,))]
    if _BATCH.search(identifier):
        return [Version(0, 0, 1)]
    if _STEP_COUNT.search(identifier):
        return [Version(leaves=(Leaf(COUNT, node),))]
    if name_unit(identifier) is Unit.EPOCH:
        return [NEUTRAL]
    return None


def _last_identifier(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return None


def _bound_values(model, data: cst.BaseExpression, scope, order: int):
    """(value, scope, "prepared" | "plain") for each binding of a loader name or ``self.``
    attribute that reaches ``order``."""
    found = []
    if isinstance(data, cst.Name):
        name_scope = model.scope_of(data) or scope
        name_order = model.facts.name_orders.get(data, order)
        bindings = model.assignments_reaching(data.value, name_scope, name_order)
    elif isinstance(data, cst.Attribute):
        owner = model.instance_class(data.value, scope)
        bindings = model.class_attribute_assignments(owner, data.attr.value) if owner else []
    else:
        return found
    for binding in bindings:
        value = binding.value
        if binding.kind not in ("assign", "annassign") or value is None:
            return []
        owner = binding.scope.module_model or model
        if isinstance(value, cst.Call) and is_prepare_call(owner, value, binding.scope,
                                                            binding.order):
            found.append((value, binding.scope, "prepared"))
        elif binding.unpack:
            return []
        else:
            found.append((value, binding.scope, "plain"))
    return found


def _is_data_loader(model, call: cst.Call) -> bool:
    name = model.qualified_name(call.func) or dotted_name(call.func) or ""
    return name in _DATA_LOADERS or name.rpartition(".")[2] == "DataLoader"


def _attribute_assignments(root: cst.CSTNode, target: str, conditional: bool = False):
    """(Assign, conditional) for ``<target> = value`` statements in ``root``'s body, in source
    order (not in nested functions or classes)."""
    for node in child_nodes(root):
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0].target, cst.Attribute) \
                and _code(node.targets[0].target) == target:
            yield node, conditional
            continue
        inner = conditional or isinstance(node, (cst.If, cst.For, cst.While, cst.Try,
                                                 cst.ExceptHandler, cst.Else))
        yield from _attribute_assignments(node, target, inner)


_RENDER = cst.Module(body=[])


def _code(node: cst.CSTNode) -> str:
    return _RENDER.code_for_node(node)


def _order_of(model, target: cst.Attribute) -> int | None:
    leftmost = target
    while isinstance(leftmost, cst.Attribute):
        leftmost = leftmost.value
    return model.facts.name_orders.get(leftmost) if isinstance(leftmost, cst.Name) else None


def bounds_a_loop(model: ModuleModel, count: cst.BaseExpression) -> bool:
    """The count bounds a training loop of the project: ``range(<count> ...)``,
    ``while step < <count>``, ``if step >= <count>: break`` (same dotted tail): it counts what
    each process runs."""
    tail = _tail(count)
    if tail is None:
        return False
    return tail in _loop_bounds(model)


def _loop_bounds(model) -> set[str]:
    """Dotted tails of every name read in a ``range(...)``, in the comparisons of a ``while``
    test, or of an ``if`` whose body leaves the loop (``break``, a bare ``return``),
    project-wide. (``if step < warmup: return step / warmup`` in an LR lambda bounds nothing.)"""
    memo = model.project.memo
    found = memo.get("schedule_length.bounds")
    if found is not None:
        return found
    found = set()
    for member in model.project.members or [model]:
        for node in iter_tree(member.module):
            if isinstance(node, cst.Call) and dotted_name(node.func) == "range":
                _add_names(node, found)
            elif isinstance(node, cst.While) or (isinstance(node, cst.If)
                                                 and _leaves_the_loop(node.body)):
                for inner in iter_tree(node.test):
                    if isinstance(inner, cst.Comparison) and all(
                            isinstance(c.operator, _BOUND_OPERATORS) for c in inner.comparisons):
                        _add_names(inner, found)
    memo["schedule_length.bounds"] = found
    return found


_BOUND_OPERATORS = (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual,
                    cst.Equal)


def _add_names(node: cst.CSTNode, found: set[str]) -> None:
    for inner in iter_tree(node):
        if isinstance(inner, (cst.Name, cst.Attribute)):
            tail = _tail(inner)
            if tail is not None:
                found.add(tail)


def _leaves_the_loop(body: cst.BaseSuite) -> bool:
    """``break`` or a bare ``return`` directly in the body (not in a nested loop or function)."""
    stack = list(child_nodes(body))
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Break) or (isinstance(node, cst.Return) and (
                node.value is None or (isinstance(node.value, cst.Name)
                                       and node.value.value == "None"))):
            return True
        if not isinstance(node, (cst.For, cst.While, cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            stack.extend(child_nodes(node))
    return False


def _tail(node: cst.BaseExpression) -> str | None:
    """The last two parts of a dotted name (``optimization.steps`` of
    ``self._config.optimization.steps``), or the name alone."""
    name = dotted_name(node)
    if name is None:
        return None
    parts = [part for part in name.split(".") if part != "self"]
    return ".".join(parts[-2:]) if parts else None


def scales_by_processes(node: cst.CSTNode) -> bool:
    """A name like ``num_processes`` or ``world_size`` is read somewhere in ``node``."""
    for inner in iter_tree(node):
        if isinstance(inner, (cst.Name, cst.Attribute)):
            name = dotted_name(inner)
            if name is not None and _PROCESSES.match(name.rsplit(".", 1)[-1]):
                return True
    return False
