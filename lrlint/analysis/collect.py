"""One walk over a libcst module that records the facts of ``facts.py``.

The walk dispatches on node type through a dict; nodes it has no handler for are descended
generically. Nothing here resolves names: that is ``model.py``'s job, done lazily afterwards.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from lrlint.analysis.facts import (
    Assignment,
    AttributeUse,
    Block,
    CallSite,
    ClassInfo,
    FunctionInfo,
    ItemWrite,
    Loop,
    Param,
    Scope,
    Statement,
)
from lrlint.analysis.walk import child_nodes

# Attributes whose uses are recorded (reads and writes); everything else is just walked.
TRACKED_ATTRIBUTES = frozenset({"lr", "param_groups", "base_lrs", "last_epoch"})


def dotted_name(expr: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a chain of names, else None."""
    parts: list[str] = []
    while isinstance(expr, cst.Attribute):
        parts.append(expr.attr.value)
        expr = expr.value
    if isinstance(expr, cst.Name):
        parts.append(expr.value)
        return ".".join(reversed(parts))
    return None


def string_value(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.SimpleString):
        try:
            value = expr.evaluated_value
        except Exception:  # a malformed literal: not a key we can name
            return None
        return value if isinstance(value, str) else None
    return None


def subscript_key(expr: cst.Subscript) -> str | None:
    """The string key of ``x["key"]``, else None."""
    if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
        return None
    return string_value(expr.slice[0].slice.value)


class Collector:
    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.module_scope = Scope("module", module, None)
        self.scope = self.module_scope
        self.order = 0
        self.path: tuple[Block, ...] = ()
        self.loops: tuple[Loop, ...] = ()
        self.conditions: tuple[cst.If, ...] = ()
        self.statement: Statement | None = None
        self.block_stack: list[cst.CSTNode] = []
        self._annotation: cst.BaseExpression | None = None  # of the AnnAssign being stored
        self.class_stack: list[ClassInfo] = []

        self.imports: dict[str, str] = {}
        self.star_imports: list[str] = []
        self.calls: list[CallSite] = []
        self.functions: list[FunctionInfo] = []
        self.classes: list[ClassInfo] = []
        self.attribute_uses: list[AttributeUse] = []
        self.item_writes: list[ItemWrite] = []
        self.name_scopes: dict[cst.Name, Scope] = {}
        self.name_orders: dict[cst.Name, int] = {}
        self.loads: dict[str, list[tuple[cst.Name, Scope, int]]] = {}
        self.all_loops: list[Loop] = []
        self.calls_by_node: dict[cst.Call, CallSite] = {}
        self.line_index = 0
        # Name node -> the Attribute it is the receiver of (``opt`` in ``opt.step``).
        self.attribute_of: dict[cst.Name, cst.Attribute] = {}
        # (class, attr) -> loads of ``self.<attr>`` inside that class's methods.
        self.self_attribute_loads: dict[tuple, list[tuple[cst.Attribute, Scope, int]]] = {}

        self._handlers: dict[type, Callable[[cst.CSTNode], None]] = {
            cst.Module: self._visit_module,
            cst.IndentedBlock: self._visit_block,
            cst.SimpleStatementLine: self._visit_simple_line,
            cst.Import: self._visit_import,
            cst.ImportFrom: self._visit_import_from,
            cst.Assign: self._visit_assign,
            cst.AugAssign: self._visit_augassign,
            cst.AnnAssign: self._visit_annassign,
            cst.Return: self._visit_return,
            cst.FunctionDef: self._visit_function,
            cst.Lambda: self._visit_lambda,
            cst.ClassDef: self._visit_class,
            cst.For: self._visit_for,
            cst.While: self._visit_while,
            cst.If: self._visit_if,
            cst.Try: self._visit_try,
            cst.TryStar: self._visit_try,
            cst.With: self._visit_with,
            cst.Global: self._visit_global,
            cst.Nonlocal: self._visit_nonlocal,
            cst.ListComp: self._visit_comprehension,
            cst.SetComp: self._visit_comprehension,
            cst.GeneratorExp: self._visit_comprehension,
            cst.DictComp: self._visit_comprehension,
            cst.Call: self._visit_call,
            cst.Attribute: self._visit_attribute,
            cst.Name: self._visit_name,
            cst.NamedExpr: self._visit_walrus,
            cst.Del: self._visit_del,
        }

    # -- driving -------------------------------------------------------------------------

    def run(self) -> Collector:
        self.visit(self.module)
        return self

    def visit(self, node: cst.CSTNode) -> None:
        self.order += 1
        handler = self._handlers.get(type(node))
        if handler is not None:
            handler(node)
        else:
            for child in child_nodes(node):
                self.visit(child)

    def visit_all(self, nodes) -> None:
        for node in nodes:
            self.visit(node)

    def _descend(self, node: cst.CSTNode) -> None:
        for child in child_nodes(node):
            self.visit(child)

    # -- bindings ------------------------------------------------------------------------

    def _binding_scope(self, name: str) -> Scope:
        scope = self.scope
        if name in scope.global_names:
            return self.module_scope
        if name in scope.nonlocal_names:
            outer = scope.parent
            while outer is not None and (outer.kind == "class" or name not in outer.assignments):
                outer = outer.parent
            return outer or self.module_scope
        return scope

    def bind(
        self,
        name: str,
        kind,
        value: cst.BaseExpression | None,
        node: cst.CSTNode,
        unpack: tuple[int, ...] = (),
        **extra,
    ) -> Assignment:
        scope = self._binding_scope(name)
        if kind == "annassign" and not unpack:
            extra.setdefault("annotation", self._annotation)
        assignment = Assignment(
            name=name, scope=scope, kind=kind, value=value, unpack=unpack, node=node,
            order=self.order, path=self.path, loops=self.loops, **extra,
        )
        scope.assignments.setdefault(name, []).append(assignment)
        return assignment

    def _store(
        self,
        target: cst.BaseExpression,
        value: cst.BaseExpression | None,
        kind,
        unpack: tuple[int, ...] = (),
        operator: str | None = None,
    ) -> None:
        """Record a store into ``target`` and walk the loads inside it."""
        self.order += 1
        if isinstance(target, cst.Name):
            self.bind(target.value, kind, value, target, unpack)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for index, element in enumerate(target.elements):
                inner = element.value
                if isinstance(element, cst.StarredElement):
                    self._store(inner, None, kind, unpack, operator)
                else:
                    self._store(inner, value, kind, unpack + (index,), operator)
        elif isinstance(target, cst.StarredElement):
            self._store(target.value, None, kind, unpack, operator)
        elif isinstance(target, cst.Attribute):
            self._store_attribute(target, value, kind, unpack, operator)
        elif isinstance(target, cst.Subscript):
            self._store_item(target, value, operator)
        else:
            self.visit(target)

    def _store_attribute(self, target, value, kind, unpack, operator) -> None:
        function = self._current_function()
        if (
            function is not None
            and function.self_name is not None
            and isinstance(target.value, cst.Name)
            and target.value.value == function.self_name
            and function.class_info is not None
        ):
            assignment = Assignment(
                name=target.attr.value, scope=self.scope, kind=kind, value=value, unpack=unpack,
                node=target, order=self.order, path=self.path, loops=self.loops,
                annotation=self._annotation if kind == "annassign" else None,
            )
            function.class_info.attributes.setdefault(target.attr.value, []).append(assignment)
        if target.attr.value in TRACKED_ATTRIBUTES:
            context = "store" if operator is None else "augstore"
            if kind == "del":
                context = "del"
            self.attribute_uses.append(
                AttributeUse(
                    node=target, context=context, scope=self.scope, order=self.order,
                    path=self.path, loops=self.loops, statement=self.statement,
                    value=value, operator=operator,
                )
            )
        self.visit(target.value)

    def _store_item(self, target: cst.Subscript, value, operator) -> None:
        key = subscript_key(target) if value is not None else None
        if key is not None:
            self.item_writes.append(
                ItemWrite(
                    node=target, key=key, container=target.value, value=value,
                    operator=operator, scope=self.scope, order=self.order,
                    path=self.path, loops=self.loops, statement=self.statement,
                )
            )
        self.visit(target.value)
        self.visit_all(target.slice)

    def _current_function(self) -> FunctionInfo | None:
        scope: Scope | None = self.scope
        while scope is not None:
            if scope.function is not None:
                return scope.function
            if scope.kind == "class":
                return None
            scope = scope.parent
        return None

    # -- statements ----------------------------------------------------------------------

    def _visit_module(self, node: cst.Module) -> None:
        self._visit_block(node)

    def _visit_block(self, node: cst.Module | cst.IndentedBlock) -> None:
        self.block_stack.append(node)
        for index, statement in enumerate(node.body):
            self.line_index = index
            self.visit(statement)
        self.block_stack.pop()

    def _visit_simple_line(self, node: cst.SimpleStatementLine) -> None:
        block = self.block_stack[-1] if self.block_stack else self.module
        index = self.line_index
        saved = self.statement
        for small in node.body:
            self.statement = Statement(line=node, small=small, block=block, index=index)
            self.visit(small)
        self.statement = saved

    def _visit_import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted_name(alias.name)
            if full is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
                self.imports[local] = full
            else:
                local = full.split(".")[0]
                self.imports.setdefault(local, local)
            self.bind(local, "import", None, alias)

    def _visit_import_from(self, node: cst.ImportFrom) -> None:
        module = dotted_name(node.module) if node.module is not None else ""
        prefix = "." * len(node.relative) + (module or "")
        if isinstance(node.names, cst.ImportStar):
            self.star_imports.append(prefix)
            return
        for alias in node.names:
            name = dotted_name(alias.name)
            if name is None:
                continue
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.imports[local] = f"{prefix}.{name}" if prefix and not prefix.endswith(".") else prefix + name
            self.bind(local, "import", None, alias)

    def _visit_assign(self, node: cst.Assign) -> None:
        self.visit(node.value)
        if isinstance(node.value, cst.Call):
            self.calls_by_node[node.value].assigned_to = tuple(t.target for t in node.targets)
        for target in node.targets:
            self._store(target.target, node.value, "assign")

    def _visit_augassign(self, node: cst.AugAssign) -> None:
        self.visit(node.value)
        target = node.target
        operator = type(node.operator).__name__
        if isinstance(target, cst.Name):
            self._visit_name(target)
        self._store(target, node.value, "augassign", operator=operator)

    def _visit_annassign(self, node: cst.AnnAssign) -> None:
        self.visit(node.annotation)
        if node.value is not None:
            self.visit(node.value)
            if isinstance(node.value, cst.Call):
                self.calls_by_node[node.value].assigned_to = (node.target,)
        self._annotation = node.annotation.annotation
        self._store(node.target, node.value, "annassign")
        self._annotation = None

    def _visit_del(self, node: cst.Del) -> None:
        target = node.target
        if isinstance(target, cst.Attribute) and target.attr.value in TRACKED_ATTRIBUTES:
            self._store_attribute(target, None, "del", (), None)
        else:
            self.visit(target)

    def _visit_walrus(self, node: cst.NamedExpr) -> None:
        self.visit(node.value)
        self._store(node.target, node.value, "walrus")

    def _visit_return(self, node: cst.Return) -> None:
        if node.value is not None:
            self.visit(node.value)
            function = self._current_function()
            if function is not None:
                function.returns.append((node.value, self.order))

    def _visit_global(self, node: cst.Global) -> None:
        self.scope.global_names.update(item.name.value for item in node.names)

    def _visit_nonlocal(self, node: cst.Nonlocal) -> None:
        self.scope.nonlocal_names.update(item.name.value for item in node.names)

    # -- scopes --------------------------------------------------------------------------

    def _enter(self, scope: Scope):
        saved = (self.scope, self.path, self.loops, self.conditions, self.statement)
        self.scope = scope
        self.path, self.loops, self.conditions, self.statement = (), (), (), None
        return saved

    def _leave(self, saved) -> None:
        self.scope, self.path, self.loops, self.conditions, self.statement = saved

    def _params(self, parameters: cst.Parameters) -> list[Param]:
        params: list[Param] = []
        index = 0
        for param in (*parameters.posonly_params, *parameters.params):
            params.append(Param(param.name.value, index, param, _annotation(param), param.default, ""))
            index += 1
        if isinstance(parameters.star_arg, cst.Param):
            star = parameters.star_arg
            params.append(Param(star.name.value, None, star, _annotation(star), None, "*"))
        for param in parameters.kwonly_params:
            params.append(Param(param.name.value, None, param, _annotation(param), param.default, ""))
        if parameters.star_kwarg is not None:
            star = parameters.star_kwarg
            params.append(Param(star.name.value, None, star, _annotation(star), None, "**"))
        return params

    def _visit_parameter_defaults(self, params: list[Param]) -> None:
        for param in params:
            if param.default is not None:
                self.visit(param.default)
            if param.annotation is not None:
                self.visit(param.annotation)

    def _bind_params(self, function: FunctionInfo) -> None:
        for param in function.params:
            self.bind(param.name, "param", None, param.node, param=param)

    def _visit_function(self, node: cst.FunctionDef) -> None:
        decorators = tuple(filter(None, (dotted_name(_decorator_target(d)) for d in node.decorators)))
        for decorator in node.decorators:
            self.visit(decorator.decorator)
        class_info = self.class_stack[-1] if self.scope.kind == "class" and self.class_stack else None
        scope = Scope("function", node, self.scope)
        function = FunctionInfo(node.name.value, node, scope, class_info, decorators=decorators)
        scope.function = function
        function.params = self._params(node.params)
        self._visit_parameter_defaults(function.params)
        if node.returns is not None:
            self.visit(node.returns.annotation)
        self.bind(node.name.value, "def", None, node, function=function)
        if class_info is not None:
            class_info.methods[node.name.value] = function
        self.functions.append(function)
        saved = self._enter(scope)
        self._bind_params(function)
        self.visit(node.body)
        self._leave(saved)

    def _visit_lambda(self, node: cst.Lambda) -> None:
        scope = Scope("lambda", node, self.scope)
        function = FunctionInfo("<lambda>", node, scope, None)
        scope.function = function
        function.params = self._params(node.params)
        self._visit_parameter_defaults(function.params)
        self.functions.append(function)
        saved = self._enter(scope)
        self._bind_params(function)
        self.visit(node.body)
        function.returns.append((node.body, self.order))
        self._leave(saved)

    def _visit_class(self, node: cst.ClassDef) -> None:
        for decorator in node.decorators:
            self.visit(decorator.decorator)
        bases = tuple(arg.value for arg in node.bases if arg.keyword is None and not arg.star)
        self.visit_all(arg.value for arg in node.bases)
        self.visit_all(arg.value for arg in node.keywords)
        scope = Scope("class", node, self.scope)
        class_info = ClassInfo(node.name.value, node, scope, self.scope, bases)
        scope.class_info = class_info
        self.bind(node.name.value, "class", None, node, class_info=class_info)
        self.classes.append(class_info)
        self.class_stack.append(class_info)
        saved = self._enter(scope)
        self.visit(node.body)
        self._leave(saved)
        self.class_stack.pop()

    def _visit_comprehension(self, node) -> None:
        # Comprehension targets live in their own scope; the first iterable is evaluated
        # outside it, as in Python.
        clauses = []
        clause = node.for_in
        while clause is not None:
            clauses.append(clause)
            clause = clause.inner_for_in
        self.visit(clauses[0].iter)
        scope = Scope("comprehension", node, self.scope)
        outer = self.scope
        self.scope = scope
        for index, clause in enumerate(clauses):
            if index:
                self.visit(clause.iter)
            self._store(clause.target, None, "other")
            self.visit_all(condition.test for condition in clause.ifs)
        if isinstance(node, cst.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        self.scope = outer

    # -- control flow --------------------------------------------------------------------

    def _visit_for(self, node: cst.For) -> None:
        self.visit(node.iter)
        loop = Loop(node, "for", self.loops[-1] if self.loops else None,
                    _target_names(node.target), node.iter, self.order)
        self._visit_loop(loop, lambda: self._store(node.target, None, "for"))

    def _visit_while(self, node: cst.While) -> None:
        loop = Loop(node, "while", self.loops[-1] if self.loops else None, (), None, self.order)
        self._visit_loop(loop, lambda: self.visit(node.test))

    def _visit_loop(self, loop: Loop, enter: Callable[[], None]) -> None:
        """Walk a loop's body inside the loop (``enter`` runs first, inside it), then its else."""
        node = loop.node
        saved_path, saved_loops = self.path, self.loops
        self.loops = self.loops + (loop,)
        self.path = self.path + ((node, "body"),)
        enter()
        self.visit(node.body)
        self.loops = saved_loops
        loop.order_end = self.order
        self.all_loops.append(loop)
        if node.orelse is not None:
            self.path = saved_path + ((node, "else"),)
            self.visit(node.orelse)
        self.path = saved_path

    def _visit_if(self, node: cst.If) -> None:
        self.visit(node.test)
        saved_path, saved_conditions = self.path, self.conditions
        self.path = saved_path + ((node, "body"),)
        self.conditions = saved_conditions + (node,)
        self.visit(node.body)
        if node.orelse is not None:
            self.path = saved_path + ((node, "else"),)
            orelse = node.orelse
            self.visit(orelse.body if isinstance(orelse, cst.Else) else orelse)
        self.path, self.conditions = saved_path, saved_conditions

    def _visit_try(self, node) -> None:
        # The try body and finally run unconditionally (as far as bindings go); handlers and
        # the else branch may not.
        self.visit(node.body)
        saved = self.path
        for handler in node.handlers:
            self.path = saved + ((handler, "except"),)
            if handler.type is not None:
                self.visit(handler.type)
            if handler.name is not None:
                self._store(handler.name.name, None, "except")
            self.visit(handler.body)
        if node.orelse is not None:
            self.path = saved + ((node, "else"),)
            self.visit(node.orelse.body)
        self.path = saved
        if node.finalbody is not None:
            self.visit(node.finalbody.body)

    def _visit_with(self, node: cst.With) -> None:
        for item in node.items:
            self.visit(item.item)
            if item.asname is not None:
                self._store(item.asname.name, item.item, "with")
        self.visit(node.body)

    # -- expressions ---------------------------------------------------------------------

    def _visit_call(self, node: cst.Call) -> None:
        site = CallSite(
            node=node, scope=self.scope, order=self.order, path=self.path, loops=self.loops,
            conditions=self.conditions, statement=self.statement,
        )
        self.calls.append(site)
        self.calls_by_node[node] = site
        self.visit(node.func)
        for arg in node.args:
            self.visit(arg.value)

    def _visit_attribute(self, node: cst.Attribute) -> None:
        receiver = node.value
        if isinstance(receiver, cst.Name):
            self.attribute_of[receiver] = node
            function = self._current_function()
            if function is not None and receiver.value == function.self_name:
                self.self_attribute_loads.setdefault(
                    (function.class_info, node.attr.value), []
                ).append((node, self.scope, self.order))
        if node.attr.value in TRACKED_ATTRIBUTES:
            self.attribute_uses.append(
                AttributeUse(
                    node=node, context="load", scope=self.scope, order=self.order,
                    path=self.path, loops=self.loops, statement=self.statement,
                )
            )
        self.visit(node.value)

    def _visit_name(self, node: cst.Name) -> None:
        self.name_scopes[node] = self.scope
        self.name_orders[node] = self.order
        self.loads.setdefault(node.value, []).append((node, self.scope, self.order))


def _annotation(param: cst.Param) -> cst.BaseExpression | None:
    return param.annotation.annotation if param.annotation is not None else None


def _decorator_target(decorator: cst.Decorator) -> cst.BaseExpression:
    target = decorator.decorator
    return target.func if isinstance(target, cst.Call) else target


def _target_names(target: cst.BaseExpression) -> tuple[str, ...]:
    if isinstance(target, cst.Name):
        return (target.value,)
    if isinstance(target, (cst.Tuple, cst.List)):
        names: list[str] = []
        for element in target.elements:
            names.extend(_target_names(element.value))
        return tuple(names)
    return ()
