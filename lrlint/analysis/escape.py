"""Where a tracked object goes: whether something outside the module's view could step it.

Every use of the object (``model.loads_of``) and its construction site are classified. Neutral
uses cannot step it: reading ``get_last_lr()``/``state_dict()``/``last_epoch``, comparisons,
``print(scheduler)``, aliasing it to another local name, passing it to a local function (whose
parameter's own uses are in ``loads_of`` too). Anything else is an escape: returned or yielded,
put in a list/tuple/dict, stored on another object or in a container, passed to a function
lrlint cannot see (a trainer, a callback, ``accelerator.prepare``), an unknown attribute.

An object stored on ``self`` escapes when the class has a base other than ``object`` or
``torch.nn.Module`` (a Hugging Face ``Trainer`` subclass setting ``self.lr_scheduler`` is stepped
by its base class).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.collect import dotted_name
from lrlint.analysis.facts import Scope
from lrlint.analysis.frameworks import TIMM_FACTORIES
from lrlint.analysis.model import ModuleModel, TrackedObject
from lrlint.analysis.walk import child_nodes

# Scheduler attributes and methods that never step it.
_NEUTRAL_ATTRIBUTES = frozenset({
    "get_last_lr", "get_lr", "state_dict", "load_state_dict", "last_epoch", "base_lrs",
    "optimizer", "_last_lr", "print_lr", "_step_count", "verbose", "lr_lambdas", "milestones",
    "T_max", "eta_min", "gamma", "step_size", "total_iters",
})
_NEUTRAL_CALLS = frozenset({"print", "isinstance", "type", "id", "repr", "str", "hasattr"})
_HARMLESS_BASES = frozenset({"object", "torch.nn.Module", "torch.nn.modules.module.Module"})
_NEUTRAL_PARENTS = (cst.Comparison, cst.ComparisonTarget, cst.If, cst.While, cst.IfExp,
                    cst.BooleanOperation, cst.UnaryOperation, cst.Del, cst.Assert,
                    cst.FormattedStringExpression, cst.Expr)


@dataclass(frozen=True)
class Escape:
    """Where an object may go: ``anywhere`` when something outside the module's view could step
    it; ``on_self`` when it is kept in a ``self.<attr>`` of a class that keeps it (code outside
    the module can still reach it through the instance)."""

    anywhere: bool
    on_self: bool
    # Where a factory that returns it hands it (caller model, call site), when followed.
    returned_to: tuple = ()


class EscapeAnalysis:
    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self._parents: dict[int, cst.CSTNode] | None = None
        self._on_self = False
        self._memo: dict[TrackedObject, Escape] = {}
        self._returning: set = set()  # factories whose callers are being followed (cycles)
        self._object: TrackedObject | None = None  # the object whose uses are being read
        self._followed: list = []  # (caller model, call site) of the factories followed

    def of(self, obj: TrackedObject) -> Escape:
        """Whether ``obj`` escapes, or a ``.step()`` the model could not resolve may be its."""
        found = self._memo.get(obj)
        if found is None:
            self._on_self = False
            self._object = obj
            self._followed = []
            anywhere = self._constructor_escapes(obj) or self._unresolved_step_by_name(obj) or any(
                self._use_escapes(node, scope) for node, scope, _ in self.model.loads_of(obj))
            found = self._memo[obj] = Escape(anywhere, self._on_self, tuple(self._followed))
        return found

    # -- construction ----------------------------------------------------------------------

    def _constructor_escapes(self, obj: TrackedObject) -> bool:
        site = obj.site
        if not site.assigned_to:
            if isinstance(self._parent(site.node), cst.Return):  # `return StepLR(...)`
                return self._returned_escapes(obj, self.model.function_containing(site.scope))
            return not site.is_statement  # nested in a call, a list...: it goes there
        targets = site.assigned_to
        if obj.short in TIMM_FACTORIES:  # `scheduler, num_epochs = create_scheduler(...)`
            targets = tuple(t.elements[0].value if isinstance(t, (cst.Tuple, cst.List))
                            and t.elements else t for t in targets)
        return not self._stored_locally(targets, site.scope)

    def _stored_locally(self, targets, scope: Scope) -> bool:
        """Bound to local names, or to ``self.<attr>`` of a class that keeps it."""
        for target in targets:
            if isinstance(target, cst.Name):
                continue
            if self._self_attribute(target, scope) and self._class_keeps_it(scope):
                self._on_self = True
                continue
            return False  # `trainer.scheduler = ...`, `schedulers["a"] = ...`, unpacking
        return True

    def _self_attribute(self, target: cst.BaseExpression, scope: Scope) -> bool:
        function = self.model.function_containing(scope)
        return (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                and function is not None and target.value.value == function.self_name)

    def _class_keeps_it(self, scope: Scope) -> bool:
        """The class (and its local bases) derive from nothing that could step its attributes."""
        function = self.model.function_containing(scope)
        if function is None or function.class_info is None:
            return False
        for cls in self.model.class_lineage(function.class_info):
            for base in cls.bases:
                if self.model.class_for(base, cls.outer) is not None:
                    continue
                name = self.model.qualified_name(base) or dotted_name(base)
                if name not in _HARMLESS_BASES:
                    return False
        return True

    def _returned_escapes(self, obj: TrackedObject, function) -> bool:
        """A factory's result goes wherever its callers put it: it stays in view only when the
        project calls the factory, and every call binds the result to local names whose uses
        stay in view too (or discards it)."""
        project = self.model.project
        if function is None or project is None:
            return True
        if function in self._returning:
            return False  # its callers are being followed already (by the caller of this)
        callers = project.callers(function)
        if not callers:
            return True  # called from outside the project's view
        self._returning.add(function)
        try:
            return any(self._caller_lets_it_escape(obj, site) for site in callers)
        finally:
            self._returning.discard(function)

    def _caller_lets_it_escape(self, obj: TrackedObject, site) -> bool:
        if not site.assigned_to:
            return not site.is_statement  # `build(opt)` alone discards it
        if not all(isinstance(target, cst.Name) for target in site.assigned_to):
            return True
        caller = self.model.owner(site.scope)
        self._followed.append((caller, site))
        analysis = caller.escapes if caller is not self.model else self
        names = {target.value for target in site.assigned_to}
        if analysis._unresolved_step_on(names):
            return True
        # Borrow the caller's analysis for this object, leaving its own state as it was (it may
        # be in the middle of another object).
        saved = (analysis._object, set(analysis._returning), analysis._on_self,
                 list(analysis._followed))
        analysis._object, analysis._returning = obj, analysis._returning | self._returning
        analysis._on_self = False
        try:
            escapes = any(analysis._use_escapes(node, scope)
                          for node, scope, _ in caller.loads_of(obj))
            # Kept on `self` by the caller: an outer driver may step it; not followed further.
            return escapes or analysis._on_self
        finally:
            (analysis._object, analysis._returning, analysis._on_self,
             analysis._followed) = saved

    def _unresolved_step_by_name(self, obj: TrackedObject) -> bool:
        """A ``something.<name>.step()`` / ``<name>.step()`` the model did not resolve, where
        ``<name>`` is what the scheduler was bound to: it may well be this scheduler."""
        names = {t.value if isinstance(t, cst.Name) else t.attr.value
                 for t in obj.site.assigned_to if isinstance(t, (cst.Name, cst.Attribute))}
        return self._unresolved_step_on(names)

    def _unresolved_step_on(self, names: set[str]) -> bool:
        for site in self.model.calls:
            if site.method != "step":
                continue
            receiver = site.receiver
            last = receiver.value if isinstance(receiver, cst.Name) else \
                receiver.attr.value if isinstance(receiver, cst.Attribute) else None
            resolved = self.model.resolve(receiver, site.scope, site.order, site.path)
            if last in names and not resolved:
                return True
        return False

    # -- uses ------------------------------------------------------------------------------

    def _use_escapes(self, node: cst.BaseExpression, scope: Scope) -> bool:
        parent = self._parent(node)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            return parent.attr.value not in _NEUTRAL_ATTRIBUTES
        if isinstance(parent, cst.Arg):
            return self._argument_escapes(node, parent, scope)
        if isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is node:
            targets = [t.target for t in parent.targets] if isinstance(parent, cst.Assign) \
                else [parent.target]
            return not self._stored_locally(targets, scope)
        if isinstance(parent, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
            return False  # the object is the target's owner: `scheduler.x = ...` has no step
        if isinstance(parent, cst.Return):
            return self._returned_escapes(self._object, self.model.function_containing(scope))
        return not isinstance(parent, _NEUTRAL_PARENTS)

    def _argument_escapes(self, node, arg: cst.Arg, scope: Scope) -> bool:
        call = self._parent(arg)
        if not isinstance(call, cst.Call) or arg.star:
            return True
        if dotted_name(call.func) in _NEUTRAL_CALLS:
            return False
        functions = self.model.called_functions(call, scope)
        if not functions:
            return True  # a trainer, a callback, accelerator.prepare, a library function
        # A local function: its parameter's uses are among the object's loads, unless the
        # argument lands in *args/**kwargs.
        return not all(self._binds_named_parameter(f, call, arg, scope) for f in functions)

    def _binds_named_parameter(self, function, call: cst.Call, arg: cst.Arg, scope: Scope) -> bool:
        if arg.keyword is not None:
            return any(p.name == arg.keyword.value and not p.star for p in function.params)
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if any(a.star == "*" for a in call.args[: call.args.index(arg)]):
            return False
        index = positional.index(arg)
        called_as_function = isinstance(call.func, cst.Name) and \
            self.model.function_for(call.func, scope) is function
        if function.is_method and not called_as_function:
            index += 1  # `self` (or the new instance of a class call)
        params = [p for p in function.params if p.index is not None]
        return index < len(params)

    def _parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        if self._parents is None:
            self._parents = {}
            stack = [self.model.module]
            while stack:
                current = stack.pop()
                for child in child_nodes(current):
                    self._parents[id(child)] = current
                    stack.append(child)
        return self._parents.get(id(node))
