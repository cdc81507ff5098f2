"""The training model of one module: which objects are optimizers, schedulers and grad scalers,
how they were built, and every method called on them, with the loops around each call.

Rules are queries over this model. It is built from the facts of one walk (``collect.py``) and
answers name resolution lazily, with memoisation, so a module nobody asks about costs nothing
beyond the walk.

Resolution never trusts a variable's name: an object is an optimizer because it was built by a
torch optimizer class (or a local subclass), returned by a function that builds one, passed to a
parameter by a caller that holds one, or declared with a torch type annotation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import libcst as cst

from lrlint.analysis.accelerate import passed_through
from lrlint.analysis.collect import Collector, dotted_name, subscript_key
from lrlint.analysis.facts import (
    Assignment,
    CallSite,
    ClassInfo,
    FunctionInfo,
    Loop,
    Param,
    Scope,
)
from lrlint.analysis.frameworks import TIMM_FACTORIES, TIMM_STEP_METHODS
from lrlint.analysis.queries import ModelQueries

if TYPE_CHECKING:
    from lrlint.analysis.project import ModuleName, Project
from lrlint.analysis.torch_api import (
    COMPOSITE_SCHEDULERS,
    OPTIMIZER_POSITIONAL,
    Kind,
    classify,
    family,
)

MAX_DEPTH = 12  # resolution recursion through names, calls and parameters
MAX_CONTEXT_DEPTH = 4  # caller chains considered when relating two calls


@dataclass(eq=False)
class TrackedObject:
    """An optimizer, scheduler or grad scaler instance the module creates or receives."""

    kind: Kind
    short: str  # torch class name ("StepLR"), HF function name, or the local class name
    qualified: str | None
    site: CallSite | None  # the constructor call; None for an annotated parameter
    args: dict[str, cst.BaseExpression] = field(default_factory=dict)
    has_star_args: bool = False
    custom: ClassInfo | None = None  # a subclass defined in this module
    base_short: str | None = None  # the torch class a local subclass derives from
    param: Param | None = None
    param_scope: Scope | None = None
    events: list[Event] = field(default_factory=list)

    @property
    def node(self) -> cst.CSTNode:
        if self.site is not None:
            return self.site.node
        assert self.param is not None
        return self.param.node

    @property
    def scope(self) -> Scope:
        if self.site is not None:
            return self.site.scope
        assert self.param_scope is not None
        return self.param_scope

    @property
    def order(self) -> int:
        return self.site.order if self.site is not None else 0

    @property
    def torch_class(self) -> str:
        """The torch class whose behaviour this object has (a subclass's base)."""
        return self.base_short or self.short

    @property
    def family(self) -> str:
        """"torch", "hf" or "timm": whose stepping API the scheduler has."""
        return family(self.torch_class)

    @property
    def steps(self) -> list[Event]:
        """The calls that move a scheduler: ``step()``, and timm's ``step_update()`` too."""
        methods = TIMM_STEP_METHODS if self.family == "timm" else ("step",)
        return self.events_named(*methods)

    def events_named(self, *methods: str) -> list[Event]:
        return [event for event in self.events if event.method in methods]

    def __repr__(self) -> str:  # readable in test failures
        where = f"@{self.site.order}" if self.site else f"param {self.param.name}"
        return f"<{self.kind.value} {self.short} {where}>"


@dataclass(frozen=True, eq=False)
class Ref:
    """An object an expression evaluates to, the caller sites it was passed through (``via``),
    and the factory calls that returned it (``made_by``, innermost last: the calls of local
    functions that built it, so that a factory called twice builds two distinguishable
    objects: ``t_sched = make(t_opt)``, ``s_sched = make(s_opt)``)."""

    obj: TrackedObject
    via: tuple[CallSite, ...] = ()
    made_by: tuple[CallSite, ...] = ()


@dataclass(eq=False)
class Event:
    """A method call on a tracked object: ``obj.<method>(...)`` at ``site``."""

    obj: TrackedObject
    method: str
    site: CallSite
    via: tuple[CallSite, ...]
    scaler: TrackedObject | None = None  # set for ``scaler.step(optimizer)``
    made_by: tuple[CallSite, ...] = ()  # the factory calls that built the object (see Ref)

    @property
    def chain(self) -> tuple[CallSite, ...]:
        return self.via + (self.site,)

    @property
    def node(self) -> cst.Call:
        return self.site.node


@dataclass(frozen=True, eq=False)
class Relation:
    """How two calls relate in one execution context."""

    loops: tuple[Loop, ...]  # the loops enclosing both, outermost first
    first_before_second: bool  # in source order inside the innermost shared frame
    first_chain: tuple[CallSite, ...]
    second_chain: tuple[CallSite, ...]

    @property
    def innermost_loop(self) -> Loop | None:
        return self.loops[-1] if self.loops else None


class ModuleModel(ModelQueries):
    """The model of one module. Alone (``ModuleModel(module)``) it is a project of one module;
    built by a ``Project`` it follows names into the project's other modules."""

    def __init__(self, module: cst.Module, project: Project | None = None,
                 name: ModuleName | None = None, path: str | None = None) -> None:
        from lrlint.analysis.project import Project

        self.module = module
        self.module_name = name
        self.path = path
        facts = Collector(module).run()
        self.facts = facts
        self.imports = facts.imports
        self.module_scope = facts.module_scope
        self.module_scope.model = self
        self.calls = facts.calls
        self.functions = facts.functions
        self.classes = facts.classes
        self.attribute_uses = facts.attribute_uses
        self.item_writes = facts.item_writes
        self._memo: dict[tuple, list[Ref]] = {}
        self._in_progress: set[tuple] = set()
        self._class_kind_memo: dict[ClassInfo, tuple[Kind, str] | None] = {}
        self._classified: set[cst.Call] = set()
        self._local_call_maps: dict[bool, dict[FunctionInfo, list[CallSite]]] = {}
        self.fold_cache: dict[tuple, object] = {}  # used by values.py
        self.objects: list[TrackedObject] = []
        self.objects_created = False
        self._seen: dict[TrackedObject, None] = {}
        self._annotated: dict[Assignment, TrackedObject | None] = {}
        self._node_ids: set[int] | None = None
        alone = project is None
        self.project = project if project is not None else Project()
        self._share_node_facts()
        if alone:
            self.project.members.append(self)
            self.project._register(self)
            self.project.finish()

    def _share_node_facts(self) -> None:
        """Node-keyed facts live in the project, so any model can answer for any node."""
        project = self.project
        for mine, shared in (("name_scopes", project.name_scopes),
                             ("name_orders", project.name_orders),
                             ("attribute_of", project.attribute_of),
                             ("calls_by_node", project.calls_by_node)):
            shared.update(getattr(self.facts, mine))
            setattr(self.facts, mine, shared)
        self.object_at = project.object_at

    @cached_property
    def imports_absolute(self) -> dict[str, str]:
        """The module's imports with relative targets (``.sched.Warmup``) made absolute."""
        if self.module_name is None:
            return {local: target for local, target in self.imports.items()
                    if not target.startswith(".")}
        found = {}
        for local, target in self.imports.items():
            absolute = self.module_name.absolute(target)
            if absolute is not None:
                found[local] = absolute
        return found

    def top_level(self, name: str) -> str | None:
        """How the module binds ``name`` at top level: "class", "def", "import", "assign"
        (anything else that binds it), or None."""
        assignments = self.module_scope.assignments.get(name)
        if not assignments:
            return None
        kinds = {a.kind for a in assignments}
        for kind in ("class", "def", "import"):
            if kinds == {kind}:
                return kind
        return "assign"

    def owner(self, scope: Scope) -> ModuleModel:
        """The model a scope (of any module of the project) belongs to."""
        model = scope.module_model
        return model if model is not None else self

    # -- names ---------------------------------------------------------------------------

    def qualified_name(self, expr: cst.BaseExpression) -> str | None:
        """The import-resolved dotted name of ``expr`` (``optim.SGD`` -> ``torch.optim.SGD``)."""
        name = dotted_name(expr)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        scope = self.facts.name_scopes.get(_leftmost_name(expr))
        if scope is not None and scope.module_model not in (None, self):
            return scope.module_model.qualified_name(expr)
        if scope is not None:
            binding_scope = scope.lookup_scope(head)
            if binding_scope is not None:
                kinds = {a.kind for a in binding_scope.assignments.get(head, ())}
                if kinds != {"import"}:
                    return None  # a local variable shadows any import of that name
        full = self.imports_absolute.get(head)
        if full is None:
            full = self._star_imported(head)
            if full is None:
                return None
        return f"{full}.{rest}" if rest else full

    def _star_imported(self, name: str) -> str | None:
        for module in self.facts.star_imports:
            absolute = self.module_name.absolute(module) if self.module_name else module
            if absolute is None or absolute.startswith("."):
                continue
            candidate = f"{absolute}.{name}"
            if classify(candidate) is not None:
                return candidate
            found = self.project.model_for_module(absolute)
            if found is not None and found.top_level(name) is not None:
                return candidate
        return None

    def scope_of(self, node: cst.Name) -> Scope | None:
        return self.facts.name_scopes.get(node)

    def assignments_reaching(self, name: str, scope: Scope, order: int,
                             path: tuple = ()) -> list[Assignment]:
        """The bindings of ``name`` that a load at (scope, order, path) may see."""
        binding_scope = scope.lookup_scope(name)
        if binding_scope is None:
            return []
        assignments = binding_scope.assignments.get(name, [])
        if binding_scope is not scope:
            # Read from an inner function: it usually runs after the outer code finished.
            return list(assignments)
        before = [a for a in assignments if a.order < order]
        if not before:
            return list(assignments)
        reaching: list[Assignment] = []
        for assignment in reversed(before):
            reaching.append(assignment)
            if _is_prefix(assignment.path, path):
                break  # unconditional relative to the use: earlier ones are overwritten
        # A loop around the use may carry a later assignment back to it.
        for assignment in assignments:
            if assignment.order > order and any(
                loop.order_start <= order <= loop.order_end
                and loop.order_start <= assignment.order <= loop.order_end
                for loop in assignment.loops
            ):
                reaching.append(assignment)
        return reaching

    # -- resolution ----------------------------------------------------------------------

    def resolve(self, expr: cst.BaseExpression, scope: Scope, order: int,
                path: tuple = (), depth: int = 0) -> list[Ref]:
        """The tracked objects ``expr`` may evaluate to."""
        if depth > MAX_DEPTH:
            return []
        owner = scope.module_model
        if owner is not None and owner is not self:
            return owner.resolve(expr, scope, order, path, depth)
        key = (expr, scope, order)
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        if key in self._in_progress:
            return []
        self._in_progress.add(key)
        try:
            refs = _unique(self._resolve(expr, scope, order, path, depth))
        finally:
            self._in_progress.discard(key)
        self._memo[key] = refs
        return refs

    def _resolve(self, expr, scope, order, path, depth) -> list[Ref]:
        if isinstance(expr, cst.Call):
            obj = self.tracked_call(expr)
            if obj is not None:
                return [Ref(obj)]
            passed = passed_through(self, expr, scope, None)  # accelerator.prepare(sched)
            if passed is not None:
                return self.resolve(passed, scope, order, path, depth + 1)
            return self._resolve_call_result(expr, scope, depth)
        if isinstance(expr, cst.Name):
            return self._resolve_name(expr.value, scope, order, path, depth)
        if isinstance(expr, cst.Attribute):
            return self._resolve_attribute(expr, scope, order, depth)
        if isinstance(expr, cst.IfExp):
            return self.resolve(expr.body, scope, order, path, depth + 1) + self.resolve(
                expr.orelse, scope, order, path, depth + 1
            )
        if isinstance(expr, cst.BooleanOperation):
            return self.resolve(expr.left, scope, order, path, depth + 1) + self.resolve(
                expr.right, scope, order, path, depth + 1
            )
        if isinstance(expr, cst.NamedExpr):
            return self.resolve(expr.value, scope, order, path, depth + 1)
        if isinstance(expr, cst.Subscript):
            if subscript_key(expr) is not None:
                return self._resolve_keyword_item(expr, scope, order, path, depth)
            return self._resolve_elements(expr.value, scope, order, depth)
        return []

    def _resolve_elements(self, container: cst.BaseExpression, scope: Scope, order: int,
                          depth: int) -> list[Ref]:
        """The objects a list holds (``schedulers[0]``, ``for s in self.schedulers``)."""
        return [ref for element, element_scope, element_order in
                self.container_elements(container, scope, order)
                for ref in self.resolve(element, element_scope, element_order, (), depth + 1)]

    def container_elements(self, container: cst.BaseExpression, scope: Scope,
                           order: int) -> list[tuple[cst.BaseExpression, Scope, int]]:
        """What a list variable or ``self.<attr>`` list may hold: the elements of the list
        literals bound to it, and what is ``append``ed to it (or ``extend``ed with a literal)."""
        if isinstance(container, cst.Name):
            key = container.value
            bindings = self.assignments_reaching(container.value, scope, order)
            same = lambda site: isinstance(site.receiver, cst.Name) and \
                site.receiver.value == container.value and \
                site.scope.lookup_scope(container.value) is scope.lookup_scope(container.value)
        elif isinstance(container, cst.Attribute):
            owner = self.instance_class(container.value, scope)
            if owner is None:
                return []
            key = container.attr.value
            bindings = self.class_attribute_assignments(owner, container.attr.value)
            family = self.class_family(owner)
            same = lambda site: isinstance(site.receiver, cst.Attribute) and \
                site.receiver.attr.value == container.attr.value and \
                self.instance_class(site.receiver.value, site.scope) in family
        else:
            return []
        found: list[tuple[cst.BaseExpression, Scope, int]] = []
        for binding in bindings:
            if isinstance(binding.value, (cst.List, cst.Tuple)) and not binding.unpack:
                found.extend((e.value, binding.scope, binding.order)
                             for e in binding.value.elements if isinstance(e, cst.Element))
        if self.project.members:
            sites = self.project.container_calls(key)
        else:
            sites = [site for site in self.calls if site.method in ("append", "extend", "insert")
                     and site.node.args]
        for site in sites:
            if not same(site):
                continue
            value = site.node.args[-1].value
            if site.method == "extend":
                if isinstance(value, (cst.List, cst.Tuple)):
                    found.extend((e.value, site.scope, site.order) for e in value.elements
                                 if isinstance(e, cst.Element))
            else:
                found.append((value, site.scope, site.order))
        return found

    def _resolve_keyword_item(self, expr: cst.Subscript, scope, order, path, depth) -> list[Ref]:
        return [Ref(ref.obj, (site,) + ref.via, ref.made_by)
                for site, argument in self.keyword_item_arguments(expr, scope, order, path)
                for ref in self.resolve(argument, site.scope, site.order, site.path, depth + 1)]

    def keyword_item_arguments(self, expr: cst.Subscript, scope: Scope, order: int,
                               path: tuple = ()) -> list[tuple[CallSite, cst.BaseExpression]]:
        """``kwargs["scheduler"]`` where ``kwargs`` is a ``**`` parameter: (call site, argument)
        for what each caller passes as ``scheduler=``."""
        key = subscript_key(expr)
        if key is None or not isinstance(expr.value, cst.Name):
            return []
        bindings = self.assignments_reaching(expr.value.value, scope, order, path)
        if len(bindings) != 1 or bindings[0].kind != "param" or bindings[0].param.star != "**":
            return []
        function = bindings[0].scope.function
        return [(site, arg.value) for site in (self.callers(function) if function else ())
                for arg in site.node.args if arg.keyword is not None and arg.keyword.value == key]

    def _resolve_name(self, name, scope, order, path, depth) -> list[Ref]:
        refs: list[Ref] = []
        for assignment in self.assignments_reaching(name, scope, order, path):
            refs.extend(self._resolve_assignment(assignment, depth))
        return refs

    def _resolve_assignment(self, assignment: Assignment, depth: int) -> list[Ref]:
        owner = assignment.scope.module_model
        if owner is not None and owner is not self:
            return owner._resolve_assignment(assignment, depth)
        if assignment.kind == "param":
            return self._resolve_param(assignment, depth)
        if assignment.kind == "for" and not assignment.unpack and assignment.loops \
                and isinstance(assignment.node, cst.Name):
            iterable = assignment.loops[-1].iter
            if iterable is not None and assignment.loops[-1].target_names == (assignment.name,):
                return self._resolve_elements(iterable, assignment.scope,
                                              assignment.loops[-1].order_start, depth)
        if assignment.value is None:
            return []
        if assignment.kind == "augassign":
            return []
        if not assignment.unpack:
            refs = self.resolve(assignment.value, assignment.scope, assignment.order,
                                assignment.path, depth + 1)
            if not refs and assignment.annotation is not None:
                return self._declared_by_annotation(assignment)
            return refs
        refs: list[Ref] = []
        for element, scope, order in self._unpacked(assignment, depth):
            refs.extend(self.resolve(element, scope, order, (), depth + 1))
        return refs

    def _unpacked(self, assignment: Assignment, depth: int) -> list[tuple[cst.BaseExpression, Scope, int]]:
        """What a tuple-unpacking target receives: ``a, b = x, y`` or ``a, b = build()``."""
        candidates = [(assignment.value, assignment.scope, assignment.order)]
        for index in assignment.unpack:
            next_candidates = []
            for value, scope, order in candidates:
                if isinstance(value, (cst.Tuple, cst.List)):
                    element = _tuple_element(value, index)
                    if element is not None:
                        next_candidates.append((element, scope, order))
                elif isinstance(value, cst.Call) and index == 0 and \
                        getattr(self.tracked_call(value), "short", None) in TIMM_FACTORIES:
                    next_candidates.append((value, scope, order))  # (scheduler, num_epochs)
                elif isinstance(value, cst.Call) and \
                        (passed := passed_through(self, value, scope, index)) is not None:
                    next_candidates.append((passed, scope, order))  # accelerator.prepare(...)
                elif isinstance(value, cst.Call):
                    site = self.facts.calls_by_node.get(value)
                    for function in self.called_functions(value, scope, depth):
                        for returned, returned_order in function.returns:
                            element = _tuple_element(returned, index)
                            if element is not None:
                                next_candidates.append(self._returned(
                                    function, element, returned_order, site))
            candidates = next_candidates
        return candidates

    def _declared_by_annotation(self, assignment: Assignment) -> list[Ref]:
        """``scheduler: LRScheduler = instantiate(cfg.lr_scheduler)``: an object lrlint cannot
        see built, of the annotated kind (its arguments unknown)."""
        obj = self._annotated.get(assignment)
        if obj is None and assignment not in self._annotated:
            self._annotated[assignment] = None
            site = self.facts.calls_by_node.get(assignment.value) \
                if isinstance(assignment.value, cst.Call) else None
            found = self._annotation_kind(assignment.annotation, assignment.scope) \
                if site is not None else None
            if found is not None:
                kind, short, qualified, custom, base = found
                obj = TrackedObject(kind, short, qualified, site, has_star_args=True,
                                    custom=custom, base_short=base)
                self.objects.append(obj)
                self._annotated[assignment] = obj
        return [Ref(obj)] if obj is not None else []

    def _returned(self, function: FunctionInfo, value: cst.BaseExpression, order: int,
                  site: CallSite | None) -> tuple[cst.BaseExpression, Scope, int]:
        """Where a returned value comes from for this call: a function that returns one of its
        parameters (``return model, optimizer, scheduler`` after loading them) returns what
        this call passed, not what every caller passes."""
        if site is not None and isinstance(value, cst.Name):
            bindings = self.assignments_reaching(value.value, function.scope, order)
            if len(bindings) == 1 and bindings[0].kind == "param" \
                    and bindings[0].scope is function.scope:
                passed = [argument for caller, argument in
                          self.arguments_for(function, bindings[0].param) if caller is site]
                if len(passed) == 1:
                    return passed[0], site.scope, site.order
        return value, function.scope, order

    def _resolve_param(self, assignment: Assignment, depth: int) -> list[Ref]:
        param = assignment.param
        assert param is not None
        function = assignment.scope.function
        refs: list[Ref] = []
        if function is not None:
            for site, argument in self.arguments_for(function, param, depth):
                for ref in self.resolve(argument, site.scope, site.order, site.path, depth + 1):
                    refs.append(Ref(ref.obj, (site,) + ref.via, ref.made_by))
        if not refs:
            obj = self.object_at.get(param.node)
            if obj is not None:
                refs.append(Ref(obj))
        return refs

    def _resolve_attribute(self, expr: cst.Attribute, scope, order, depth) -> list[Ref]:
        owner = self.instance_class(expr.value, scope, depth)
        if owner is None:
            found = self._module_attribute(expr, scope)
            if found is None:
                return []
            model, assignments = found
            return [ref for a in assignments for ref in model._resolve_assignment(a, depth + 1)]
        refs: list[Ref] = []
        for assignment in self.class_attribute_assignments(owner, expr.attr.value):
            # Read in a later method call, not inside the call that stored it: what
            # `self.optimizer = optimizer` in `__init__` was passed through (the constructor
            # call, a `super().__init__(...)`) is not where `self.optimizer.step()` runs.
            refs.extend(Ref(ref.obj, (), ref.made_by)
                        for ref in self._resolve_assignment(assignment, depth + 1))
        return refs

    def _resolve_call_result(self, call: cst.Call, scope, depth) -> list[Ref]:
        refs: list[Ref] = []
        site = self.facts.calls_by_node.get(call)
        for function in self.called_functions(call, scope, depth):
            for value, order in function.returns:
                value, value_scope, order = self._returned(function, value, order, site)
                for ref in self.resolve(value, value_scope, order, (), depth + 1):
                    made_by = ref.made_by
                    if site is not None and ref.obj.site is not None \
                            and _inside(ref.obj.site.scope, function.scope):
                        made_by = (site,) + made_by
                    refs.append(Ref(ref.obj, ref.via, made_by))
        return refs

    # -- classes and functions -----------------------------------------------------------

    def instance_class(self, expr: cst.BaseExpression, scope: Scope,
                       depth: int = 0) -> ClassInfo | None:
        """The class ``expr`` is an instance of: ``self`` in a method, or a name bound to a call
        of a class of the project (``trainer = Trainer(cfg)``)."""
        if isinstance(expr, cst.Name):
            function = _enclosing_function(scope)
            if function is not None and expr.value == function.self_name:
                return function.class_info
            if depth < MAX_DEPTH:
                return self._instance_of_class(expr, scope)
        return None

    def _module_attribute(self, expr: cst.Attribute,
                          scope: Scope) -> tuple[ModuleModel, list[Assignment]] | None:
        """``config.optimizer`` where ``config`` is a module: that module's top-level
        assignments of the name."""
        qualified = self.qualified_name(expr)
        if qualified is None:
            return None
        found = self.project.symbol(qualified)
        if found is None or not found[1]:
            return None
        model, name = found
        assignments = [a for a in model.module_scope.assignments.get(name, ())
                       if a.kind in ("assign", "annassign")]
        return (model, assignments) if assignments else None

    def class_attribute_assignments(self, class_info: ClassInfo, attr: str) -> list[Assignment]:
        """``self.<attr> = ...`` in the class, its bases, and its subclasses in the project (a
        base class's method may run on a subclass that sets the attribute)."""
        assignments: list[Assignment] = []
        for cls in self.class_family(class_info):
            assignments.extend(cls.attributes.get(attr, ()))
        return assignments

    def class_family(self, class_info: ClassInfo) -> list[ClassInfo]:
        """The class, its bases (nearest first), then its subclasses among the project's
        modules."""
        family = self.class_lineage(class_info)
        family.extend(cls for cls in self.project.subclasses(class_info) if cls not in family)
        return family

    def class_lineage(self, class_info: ClassInfo) -> list[ClassInfo]:
        """The class and its base classes in the project (nearest first)."""
        lineage = [class_info]
        index = 0
        while index < len(lineage) and len(lineage) < 16:
            for base in lineage[index].bases:
                found = self.class_for(base, lineage[index].outer)
                if found is not None and found not in lineage:
                    lineage.append(found)
            index += 1
        return lineage

    def class_for(self, expr: cst.BaseExpression, scope: Scope) -> ClassInfo | None:
        """The class ``expr`` names: one defined in this module, or one imported from another
        module of the project or from an installed package's source."""
        return self._definition(expr, scope, "class")

    def function_for(self, expr: cst.BaseExpression, scope: Scope) -> FunctionInfo | None:
        """The function ``expr`` names (defined here, or imported: ``from engine import
        train_one_epoch``, ``engine.train_one_epoch``)."""
        return self._definition(expr, scope, "def")

    def _definition(self, expr: cst.BaseExpression, scope: Scope, kind: str):
        owner = scope.module_model
        if owner is not None and owner is not self:
            return owner._definition(expr, scope, kind)
        if isinstance(expr, cst.Name):
            binding_scope = scope.lookup_scope(expr.value)
            if binding_scope is None:
                return None
            assignments = binding_scope.assignments.get(expr.value, [])
            matching = [a for a in assignments if a.kind == kind]
            if matching:
                return matching[-1].class_info if kind == "class" else matching[-1].function
            if any(a.kind != "import" for a in assignments):
                return None
        elif not isinstance(expr, cst.Attribute):
            return None
        qualified = self.qualified_name(expr)
        if qualified is None or classify(qualified) is not None:
            return None
        symbol = self.project.symbol(qualified)
        if symbol is None or not symbol[1]:
            return None
        model, name = symbol
        if model.top_level(name) != kind:
            return None
        found = model.module_scope.assignments[name][-1]
        return found.class_info if kind == "class" else found.function

    def called_functions(self, call: cst.Call, scope: Scope, depth: int = 0) -> list[FunctionInfo]:
        """Functions or methods of the project a call may run (class calls run ``__init__``)."""
        owner = scope.module_model
        if owner is not None and owner is not self:
            return owner.called_functions(call, scope, depth)
        func = call.func
        if isinstance(func, cst.Attribute) and _is_super_call(func.value):
            return self._base_methods(scope, func.attr.value)
        if isinstance(func, cst.Attribute):
            receiver = self.instance_class(func.value, scope, depth)
            if receiver is not None:
                method = self._method(receiver, func.attr.value)
                found = [method] if method is not None else []
                if self._is_own_self(func.value, scope):
                    found += self._overrides(receiver, func.attr.value, found)
                return found
        function = self.function_for(func, scope)
        if function is not None:
            return [function]
        cls = self.class_for(func, scope)
        if cls is not None:
            init = self._method(cls, "__init__")
            return [init] if init is not None else []
        return []

    def _instance_of_class(self, name: cst.Name, scope: Scope) -> ClassInfo | None:
        order = self.facts.name_orders.get(name, 0)
        for assignment in self.assignments_reaching(name.value, scope, order):
            value = assignment.value
            if assignment.kind in ("assign", "annassign", "with") and isinstance(value, cst.Call) \
                    and not assignment.unpack:
                cls = self.class_for(value.func, assignment.scope)
                if cls is not None:
                    return cls
        return None

    def _base_methods(self, scope: Scope, name: str) -> list[FunctionInfo]:
        """What ``super().<name>(...)`` in a method runs: the nearest base class's ``name``."""
        function = self.function_containing(scope)
        if function is None or function.class_info is None:
            return []
        for base in self.class_lineage(function.class_info)[1:]:
            if name in base.methods:
                return [base.methods[name]]
        return []

    def _is_own_self(self, expr: cst.BaseExpression, scope: Scope) -> bool:
        """``expr`` is the ``self`` of the method the call is made in."""
        function = self.function_containing(scope)
        return isinstance(expr, cst.Name) and function is not None \
            and function.class_info is not None and expr.value == function.self_name

    def _overrides(self, class_info: ClassInfo, name: str,
                   found: list[FunctionInfo]) -> list[FunctionInfo]:
        """The project's overrides of method ``name`` below ``class_info``: a base class's loop
        calling ``self.before_iter()`` runs the hook its subclass defines (template method)."""
        if self.project is None:
            return []
        overrides = [sub.methods[name] for sub in self.project.subclasses(class_info)
                     if name in sub.methods]
        return [method for method in dict.fromkeys(overrides) if method not in found]

    def _method(self, class_info: ClassInfo, name: str) -> FunctionInfo | None:
        for cls in self.class_lineage(class_info):
            if name in cls.methods:
                return cls.methods[name]
        return None

    def local_call_map(self, everything: bool) -> dict[FunctionInfo, list[CallSite]]:
        """Function -> the call sites of this module that may call it. With ``everything``
        false, only calls of this module's own functions (a module loaded for its definitions
        must not pull in every module it imports)."""
        found = self._local_call_maps.get(everything)
        if found is not None:
            return found
        found = {}
        for site in self.calls:
            if not everything and not self._calls_own_function(site):
                continue
            for function in self.called_functions(site.node, site.scope):
                found.setdefault(function, []).append(site)
        self._local_call_maps[everything] = found
        return found

    def _calls_own_function(self, site: CallSite) -> bool:
        func = site.node.func
        if isinstance(func, cst.Attribute):
            func = func.value  # self.method(), obj.method(): a class of this module, or nothing
        if not isinstance(func, cst.Name):
            return False
        binding = site.scope.lookup_scope(func.value)
        return binding is not None and all(
            a.kind != "import" for a in binding.assignments.get(func.value, ()))

    def callers(self, function: FunctionInfo) -> list[CallSite]:
        """Every known call site of ``function``, in any module of the project."""
        return self.project.callers(function)

    def arguments_for(self, function: FunctionInfo, param: Param,
                      depth: int = 0) -> Iterator[tuple[CallSite, cst.BaseExpression]]:
        """(call site, argument expression) for every local call binding ``param``."""
        if param.star:
            return
        for site in self.callers(function):
            call = site.node
            skip_self = function.is_method and not (
                isinstance(call.func, cst.Name) and self.function_for(call.func, site.scope) is function
            )
            positional = [a for a in call.args if a.keyword is None and not a.star]
            index = param.index
            if index is not None and skip_self:
                index -= 1
            found = False
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == param.name:
                    yield site, arg.value
                    found = True
            if not found and index is not None and 0 <= index < len(positional):
                if not any(a.star == "*" for a in call.args[: call.args.index(positional[index])]):
                    yield site, positional[index].value

    def contexts(self, function: FunctionInfo | None, depth: int = 0,
                 seen: frozenset = frozenset()) -> list[tuple[CallSite, ...]]:
        """Chains of local call sites that lead into ``function`` (outermost first).

        The empty chain stands for "called from outside the module" and is always included
        for functions nobody here calls.
        """
        if function is None or depth >= MAX_CONTEXT_DEPTH or function in seen:
            return [()]
        sites = self.callers(function)
        if not sites:
            return [()]
        chains: list[tuple[CallSite, ...]] = []
        for site in sites:
            for outer in self.contexts(site.function, depth + 1, seen | {function}):
                chains.append(outer + (site,))
        return chains

    def relate(self, first: Event, second: Event) -> Relation | None:
        """Relate two events in a shared calling context, if they have one."""
        return self.relate_chains(first.chain, second.chain)

    def relate_chains(self, first: tuple[CallSite, ...],
                      second: tuple[CallSite, ...]) -> Relation | None:
        best: Relation | None = None
        for a in self._full_chains(first):
            for b in self._full_chains(second):
                relation = _relate(a, b)
                if relation is not None and (best is None or len(relation.loops) > len(best.loops)):
                    best = relation
        return best

    def _full_chains(self, chain: tuple[CallSite, ...]) -> list[tuple[CallSite, ...]]:
        return [outer + chain for outer in self.contexts(chain[0].function)]

    # -- objects -------------------------------------------------------------------------

    def classify_call(self, call: cst.Call, scope: Scope) -> tuple[Kind, str, str | None, ClassInfo | None, str | None] | None:
        """(kind, short name, qualified name, project class, torch base) for a constructor
        call: a torch (or Hugging Face) class or factory, or a class of the project (this
        module, another module, an installed package's source) that derives from one."""
        qualified = self.qualified_name(call.func)
        if qualified is not None:
            found = classify(qualified)
            if found is not None:
                return found[0], found[1], qualified, None, None
        cls = self.class_for(call.func, scope)
        if cls is not None:
            kind = self.class_kind(cls)
            if kind is not None:
                return kind[0], cls.name, qualified, cls, kind[1]
        return None

    def class_kind(self, class_info: ClassInfo) -> tuple[Kind, str] | None:
        """(kind, torch base class) when a class of the project derives from a torch
        optimizer/scheduler, through any chain of project or installed classes."""
        owner = class_info.outer.module_model
        if owner is not None and owner is not self:
            return owner.class_kind(class_info)
        if class_info in self._class_kind_memo:
            return self._class_kind_memo[class_info]
        self._class_kind_memo[class_info] = None  # cycles
        result = None
        for base in class_info.bases:
            qualified = self.qualified_name(base)
            if qualified is not None:
                found = classify(qualified)
                if found is not None:
                    result = found
                    break
            local = self.class_for(base, class_info.outer)
            if local is not None:
                found = self.class_kind(local)
                if found is not None:
                    result = found
                    break
        self._class_kind_memo[class_info] = result
        return result

    def create_objects(self) -> None:
        """Create the tracked object of every constructor call and annotated parameter."""
        if self.objects_created:
            return
        self.objects_created = True
        for site in self.calls:
            self.tracked_call(site.node)
        for function in self.functions:
            for param in function.params:
                if param.annotation is None:
                    continue
                found = self._annotation_kind(param.annotation, function.scope)
                if found is not None:
                    kind, short, qualified, custom, base = found
                    obj = TrackedObject(kind, short, qualified, None, param=param,
                                        param_scope=function.scope, custom=custom,
                                        base_short=base)
                    self.objects.append(obj)
                    self.object_at[param.node] = obj

    def tracked_call(self, call: cst.Call) -> TrackedObject | None:
        """The tracked object ``call`` constructs, if it is a constructor call (classified on
        first use: a module loaded for its definitions classifies only what is asked)."""
        if call in self._classified:
            return self.object_at.get(call)
        site = self.facts.calls_by_node.get(call)
        owner = site.scope.module_model if site is not None else None
        if owner is not None and owner is not self:
            return owner.tracked_call(call)
        self._classified.add(call)
        if site is None:
            return None
        found = self.classify_call(call, site.scope)
        if found is None:
            return None
        kind, short, qualified, custom, base = found
        obj = TrackedObject(kind, short, qualified, site, custom=custom, base_short=base)
        obj.args, obj.has_star_args = self._bind_arguments(obj)
        self.objects.append(obj)
        self.object_at[call] = obj
        return obj

    def _annotation_kind(self, annotation: cst.BaseExpression, scope: Scope):
        # Optional[X], X | None, "X": look through to X.
        if isinstance(annotation, cst.Subscript) and len(annotation.slice) == 1:
            inner = annotation.slice[0].slice
            if isinstance(inner, cst.Index):
                return self._annotation_kind(inner.value, scope)
        if isinstance(annotation, cst.BinaryOperation):
            return self._annotation_kind(annotation.left, scope) or self._annotation_kind(
                annotation.right, scope
            )
        qualified = self.qualified_name(annotation)
        found = classify(qualified) if qualified is not None else None
        if found is not None:
            return found[0], found[1], qualified, None, None
        cls = self.class_for(annotation, scope) if isinstance(
            annotation, (cst.Name, cst.Attribute)) else None
        kind = self.class_kind(cls) if cls is not None else None
        return (kind[0], cls.name, qualified, cls, kind[1]) if kind is not None else None

    def _bind_arguments(self, obj: TrackedObject) -> tuple[dict[str, cst.BaseExpression], bool]:
        call = obj.site.node
        names = self.positional_names(obj)
        args: dict[str, cst.BaseExpression] = {}
        star = False
        position = 0
        for arg in call.args:
            if arg.star:
                star = True
                if arg.star == "*":
                    position = len(names)  # later positionals cannot be placed
                continue
            if arg.keyword is not None:
                args[arg.keyword.value] = arg.value
            else:
                if position < len(names):
                    args[names[position]] = arg.value
                position += 1
        return args, star

    def positional_names(self, obj: TrackedObject) -> tuple[str, ...]:
        if obj.custom is not None:
            init = self._method(obj.custom, "__init__")
            if init is not None:
                return tuple(p.name for p in init.params[1:] if p.index is not None)
            return ()
        if obj.kind is Kind.OPTIMIZER:
            return OPTIMIZER_POSITIONAL
        if obj.kind is Kind.SCALER:
            return ("device", "init_scale", "growth_factor", "backoff_factor", "growth_interval", "enabled")
        return scheduler_parameters(obj.short)

    # -- events --------------------------------------------------------------------------

    def record_events(self) -> None:
        """Attach every method call of this module on a tracked object (of any module) to
        that object."""
        for site in self.calls:
            method = site.method
            if method is None:
                continue
            for ref in self.resolve(site.receiver, site.scope, site.order, site.path):
                event = Event(ref.obj, method, site, ref.via, made_by=ref.made_by)
                ref.obj.events.append(event)
                self._see(ref.obj)
                if ref.obj.kind is Kind.SCALER and method == "step" and site.node.args:
                    first = site.node.args[0]
                    if first.keyword is None and not first.star:
                        for opt in self.resolve(first.value, site.scope, site.order, site.path):
                            if opt.obj.kind is Kind.OPTIMIZER:
                                opt.obj.events.append(
                                    Event(opt.obj, "step", site, opt.via, scaler=ref.obj)
                                )
                                self._see(opt.obj)

    def _see(self, obj: TrackedObject) -> None:
        """Remember an object of another module that this module calls methods on."""
        if obj.scope.module_model is not self and obj not in self._seen:
            self._seen[obj] = None

    # -- queries -------------------------------------------------------------------------

    @property
    def visible_objects(self) -> list[TrackedObject]:
        """The objects built here, then those of other modules this module calls methods on
        (a scheduler built in ``solver/build.py`` and stepped in ``engine.py``)."""
        return self.objects + list(self._seen)

    @property
    def optimizers(self) -> list[TrackedObject]:
        return [o for o in self.visible_objects if o.kind is Kind.OPTIMIZER]

    @property
    def schedulers(self) -> list[TrackedObject]:
        return [o for o in self.visible_objects if o.kind is Kind.SCHEDULER]

    @property
    def scalers(self) -> list[TrackedObject]:
        return [o for o in self.visible_objects if o.kind is Kind.SCALER]

    def owns(self, node: cst.CSTNode) -> bool:
        """True when ``node`` is part of this module (rules report only on their own module)."""
        if self._node_ids is None:
            from lrlint.analysis.walk import iter_tree

            self._node_ids = {id(n) for n in iter_tree(self.module)}
        return id(node) in self._node_ids

    def optimizers_of(self, scheduler: TrackedObject,
                      made_by: tuple[CallSite, ...] = ()) -> list[TrackedObject]:
        """The optimizers a scheduler drives (through its ``optimizer`` argument); with
        ``made_by`` (an event's factory calls), those of the scheduler one call built."""
        expr = scheduler.args.get("optimizer")
        if expr is None or scheduler.site is None:
            return []
        site = scheduler.site
        expr, scope, order, path = self._through_factories(expr, site.scope, site.order, site.path,
                                                            made_by)
        return _unique_objects(r.obj for r in self.resolve(expr, scope, order, path)
                               if r.obj.kind is Kind.OPTIMIZER)

    def _through_factories(self, expr, scope, order, path, made_by):
        """Follow a factory's parameter to the argument the given factory call passed."""
        for call in reversed(made_by):
            if not isinstance(expr, cst.Name):
                break
            assignments = self.assignments_reaching(expr.value, scope, order, path)
            if len(assignments) != 1 or assignments[0].kind != "param":
                break
            function = assignments[0].scope.function
            arguments = [arg for site, arg in self.arguments_for(function, assignments[0].param)
                         if site is call] if function is not None else []
            if len(arguments) != 1:
                break
            expr, scope, order, path = arguments[0], call.scope, call.order, call.path
        return expr, scope, order, path

    def children_of(self, scheduler: TrackedObject) -> list[TrackedObject]:
        """The schedulers a SequentialLR / ChainedScheduler composes."""
        if scheduler.torch_class not in COMPOSITE_SCHEDULERS or scheduler.site is None:
            return []
        expr = scheduler.args.get("schedulers")
        if not isinstance(expr, (cst.List, cst.Tuple)):
            if isinstance(expr, cst.Name):
                site = scheduler.site
                values = [a.value for a in self.assignments_reaching(expr.value, site.scope, site.order, site.path)]
                expr = next((v for v in values if isinstance(v, (cst.List, cst.Tuple))), None)
            if expr is None:
                return []
        children: list[TrackedObject] = []
        site = scheduler.site
        for element in expr.elements:
            for ref in self.resolve(element.value, site.scope, site.order, site.path):
                if ref.obj.kind is Kind.SCHEDULER and ref.obj not in children:
                    children.append(ref.obj)
        return children

    def composed_children(self) -> set[TrackedObject]:
        """Every scheduler that is a child of a composite scheduler in this module."""
        return {child for s in self.schedulers for child in self.children_of(s)}

    def loads_of(self, obj: TrackedObject) -> list[tuple[cst.BaseExpression, Scope, int]]:
        """Every expression in the module that may evaluate to ``obj``."""
        return self._loads_by_object.get(obj, [])

    @cached_property
    def _loads_by_object(self) -> dict[TrackedObject, list[tuple[cst.BaseExpression, Scope, int]]]:
        index: dict[TrackedObject, list[tuple[cst.BaseExpression, Scope, int]]] = {}
        uses = [use for group in self.facts.loads.values() for use in group]
        uses += [use for group in self.facts.self_attribute_loads.values() for use in group]
        for node, scope, order in uses:
            for ref in self.resolve(node, scope, order):
                index.setdefault(ref.obj, []).append((node, scope, order))
        return index

    def param_group_owners(self, container: cst.BaseExpression, scope: Scope, order: int,
                           path: tuple = ()) -> list[Ref]:
        """The optimizers whose param group ``container`` is: ``opt.param_groups[i]``, or the
        variable of ``for group in opt.param_groups`` (``enumerate`` too)."""
        if isinstance(container, cst.Subscript):
            groups = container.value
            if isinstance(groups, cst.Attribute) and groups.attr.value == "param_groups":
                return self._optimizer_refs(groups.value, scope, order, path)
            return []
        if not isinstance(container, cst.Name):
            return []
        refs: list[Ref] = []
        for assignment in self.assignments_reaching(container.value, scope, order, path):
            if assignment.kind != "for" or not assignment.loops:
                continue
            iterable = assignment.loops[-1].iter
            if (isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name)
                    and iterable.func.value == "enumerate" and iterable.args):
                iterable = iterable.args[0].value
            if isinstance(iterable, cst.Attribute) and iterable.attr.value == "param_groups":
                loop_scope = assignment.scope
                refs.extend(self._optimizer_refs(iterable.value, loop_scope, assignment.order,
                                                 assignment.path))
        return refs

    def _optimizer_refs(self, expr, scope, order, path) -> list[Ref]:
        return [r for r in self.resolve(expr, scope, order, path) if r.obj.kind is Kind.OPTIMIZER]

    def attribute_receiver(self, name: cst.Name) -> cst.Attribute | None:
        """The attribute access ``name`` is the receiver of, if any."""
        return self.facts.attribute_of.get(name)

    def function_containing(self, scope: Scope) -> FunctionInfo | None:
        return _enclosing_function(scope)


# -- helpers ----------------------------------------------------------------------------------

_SCHEDULER_PARAMETERS: dict[str, tuple[str, ...]] = {}


def scheduler_parameters(short: str) -> tuple[str, ...]:
    """Positional parameter names, ``optimizer`` included where torch puts it (from
    ``lrlint.schedules``; ``ChainedScheduler(schedulers, optimizer=None)`` takes it second)."""
    cached = _SCHEDULER_PARAMETERS.get(short)
    if cached is not None:
        return cached
    from lrlint import schedules  # pure Python; imported only when a scheduler is seen

    if short == "get_scheduler":  # transformers/diffusers: the schedule's name comes first
        names = ["name", "optimizer", "num_warmup_steps", "num_training_steps"]
    else:
        name = f"timm.{short}" if family(short) == "timm" else short
        try:
            names = [p.name for p in schedules.signature(name)]
            names.insert(schedules.optimizer_position(name), "optimizer")
        except schedules.ScheduleError:  # a base class lrlint has no model of
            names = ["optimizer"]
    _SCHEDULER_PARAMETERS[short] = tuple(names)
    return _SCHEDULER_PARAMETERS[short]


def _is_super_call(expr: cst.BaseExpression) -> bool:
    """``super()`` (or ``super(Cls, self)``)."""
    return isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) \
        and expr.func.value == "super"


def _enclosing_function(scope: Scope | None) -> FunctionInfo | None:
    while scope is not None:
        if scope.function is not None:
            return scope.function
        scope = scope.parent
    return None


def _leftmost_name(expr: cst.BaseExpression) -> cst.Name | None:
    while isinstance(expr, cst.Attribute):
        expr = expr.value
    return expr if isinstance(expr, cst.Name) else None


def _is_prefix(prefix: tuple, path: tuple) -> bool:
    return len(prefix) <= len(path) and all(a[0] is b[0] and a[1] == b[1] for a, b in zip(prefix, path))


def _tuple_element(value: cst.BaseExpression, index: int) -> cst.BaseExpression | None:
    if isinstance(value, (cst.Tuple, cst.List)) and index < len(value.elements):
        element = value.elements[index]
        if not isinstance(element, cst.StarredElement):
            return element.value
    return None


def _inside(scope: Scope | None, outer: Scope) -> bool:
    """True when ``scope`` is ``outer`` or nested in it."""
    while scope is not None:
        if scope is outer:
            return True
        scope = scope.parent
    return False


def _unique_objects(objects: Iterable[TrackedObject]) -> list[TrackedObject]:
    return list(dict.fromkeys(objects))


def _unique(refs: Iterable[Ref]) -> list[Ref]:
    seen: set[tuple] = set()
    unique: list[Ref] = []
    for ref in refs:
        key = (id(ref.obj), tuple(id(s) for s in ref.via), tuple(id(s) for s in ref.made_by))
        if key not in seen:
            seen.add(key)
            unique.append(ref)
    return unique


def _common_loops(a: tuple[Loop, ...], b: tuple[Loop, ...]) -> tuple[Loop, ...]:
    common: list[Loop] = []
    for x, y in zip(a, b):
        if x is not y:
            break
        common.append(x)
    return tuple(common)


def _relate(first: tuple[CallSite, ...], second: tuple[CallSite, ...]) -> Relation | None:
    if first[0].function is not second[0].function:
        return None
    loops: tuple[Loop, ...] = ()
    for index, (a, b) in enumerate(zip(first, second)):
        if a is b:
            loops += a.loops
            continue
        if a.function is not b.function:
            return None
        loops += _common_loops(a.loops, b.loops)
        return Relation(loops, a.order < b.order, first, second)
    return None  # one chain contains the other: not two distinct calls
