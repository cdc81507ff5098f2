"""The facts one walk over a module records: scopes, bindings, calls, loops and LR accesses.

Every fact carries ``order`` (its pre-order index in the tree, i.e. source order) and ``path``
(the conditional blocks around it inside its function) so that later queries can reason about
which assignment reaches a use and which of two calls runs first, without walking the tree again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

ScopeKind = Literal["module", "function", "class", "lambda", "comprehension"]
# A conditional region: (the compound statement, which branch).
Block = tuple[cst.CSTNode, str]


@dataclass(eq=False)
class Scope:
    kind: ScopeKind
    node: cst.CSTNode
    parent: Scope | None
    function: FunctionInfo | None = None  # for function scopes
    class_info: ClassInfo | None = None  # for class scopes
    assignments: dict[str, list[Assignment]] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    nonlocal_names: set[str] = field(default_factory=set)
    model: object = None  # set on a module scope: the ModuleModel it belongs to

    @property
    def module_model(self):  # -> ModuleModel | None (untyped: facts know nothing of models)
        """The model of the module this scope belongs to."""
        return _module_scope(self).model

    def lookup_scope(self, name: str) -> Scope | None:
        """The scope whose binding of ``name`` a load in this scope sees (Python's LEGB)."""
        scope: Scope | None = self
        first = True
        while scope is not None:
            if name in scope.global_names:
                return _module_scope(scope)
            if (first or scope.kind != "class") and name in scope.assignments:
                if name not in scope.nonlocal_names:
                    return scope
            first = False
            scope = scope.parent
        return None


def _module_scope(scope: Scope) -> Scope:
    while scope.parent is not None:
        scope = scope.parent
    return scope


@dataclass(eq=False)
class Loop:
    node: cst.For | cst.While
    kind: Literal["for", "while"]
    parent: Loop | None
    target_names: tuple[str, ...]
    iter: cst.BaseExpression | None  # the iterable of a for loop
    order_start: int
    order_end: int = 0


@dataclass(eq=False)
class Assignment:
    """One binding of a name (or of ``self.<attr>``)."""

    name: str
    scope: Scope
    kind: Literal[
        "assign", "augassign", "annassign", "for", "with", "import", "def", "class", "param",
        "walrus", "except", "other",
    ]
    value: cst.BaseExpression | None
    unpack: tuple[int, ...]  # index path when the target was a tuple/list element
    node: cst.CSTNode  # the target node
    order: int
    path: tuple[Block, ...]
    loops: tuple[Loop, ...]
    function: FunctionInfo | None = None  # kind == "def"
    class_info: ClassInfo | None = None  # kind == "class"
    param: Param | None = None  # kind == "param"
    annotation: cst.BaseExpression | None = None  # kind == "annassign"


@dataclass(eq=False)
class Param:
    name: str
    index: int | None  # positional index, None for keyword-only / *args / **kwargs
    node: cst.Param
    annotation: cst.BaseExpression | None
    default: cst.BaseExpression | None
    star: str  # "", "*" or "**"


@dataclass(eq=False)
class FunctionInfo:
    name: str
    node: cst.FunctionDef | cst.Lambda
    scope: Scope  # the function's own scope
    class_info: ClassInfo | None  # set for methods
    params: list[Param] = field(default_factory=list)
    returns: list[tuple[cst.BaseExpression, int]] = field(default_factory=list)  # (value, order)
    decorators: tuple[str, ...] = ()

    @property
    def is_method(self) -> bool:
        return self.class_info is not None and not self.is_static

    @property
    def is_static(self) -> bool:
        return "staticmethod" in self.decorators

    @property
    def self_name(self) -> str | None:
        if self.is_method and self.params and self.params[0].star == "":
            return self.params[0].name
        return None


@dataclass(eq=False)
class ClassInfo:
    name: str
    node: cst.ClassDef
    scope: Scope  # the class body scope
    outer: Scope
    bases: tuple[cst.BaseExpression, ...]
    methods: dict[str, FunctionInfo] = field(default_factory=dict)
    attributes: dict[str, list[Assignment]] = field(default_factory=dict)  # self.<attr> = ...


@dataclass(eq=False)
class Statement:
    """The simple statement line around a call, and where it sits in its block."""

    line: cst.SimpleStatementLine
    small: cst.BaseSmallStatement  # the small statement holding the call
    block: cst.CSTNode  # IndentedBlock or Module whose body holds ``line``
    index: int  # position of ``line`` in that body


@dataclass(eq=False)
class CallSite:
    node: cst.Call
    scope: Scope
    order: int
    path: tuple[Block, ...]
    loops: tuple[Loop, ...]  # innermost last, within the call's own function
    conditions: tuple[cst.If, ...]  # enclosing if statements, innermost last
    statement: Statement | None
    assigned_to: tuple[cst.BaseExpression, ...] = ()  # targets when the call is an RHS

    @property
    def function(self) -> FunctionInfo | None:
        scope: Scope | None = self.scope
        while scope is not None:
            if scope.function is not None:
                return scope.function
            scope = scope.parent
        return None

    @property
    def is_statement(self) -> bool:
        """True when the call is the whole statement (``x.step()`` on its own line)."""
        st = self.statement
        return (
            st is not None
            and isinstance(st.small, cst.Expr)
            and st.small.value is self.node
            and len(st.line.body) == 1
        )

    @property
    def method(self) -> str | None:
        func = self.node.func
        return func.attr.value if isinstance(func, cst.Attribute) else None

    @property
    def receiver(self) -> cst.BaseExpression | None:
        func = self.node.func
        return func.value if isinstance(func, cst.Attribute) else None


@dataclass(eq=False)
class AttributeUse:
    """A use of ``<receiver>.<attr>`` for an attribute lrlint cares about (``lr``, ...)."""

    node: cst.Attribute
    context: Literal["load", "store", "augstore", "del"]
    scope: Scope
    order: int
    path: tuple[Block, ...]
    loops: tuple[Loop, ...]
    statement: Statement | None
    value: cst.BaseExpression | None = None  # the assigned value for stores
    operator: str | None = None  # "+=" etc. for augmented stores


@dataclass(eq=False)
class ItemWrite:
    """``<container>["key"] = value`` (or ``op=``) with a string key."""

    node: cst.Subscript
    key: str
    container: cst.BaseExpression
    value: cst.BaseExpression
    operator: str | None
    scope: Scope
    order: int
    path: tuple[Block, ...]
    loops: tuple[Loop, ...]
    statement: Statement | None
