"""Static facts about a lambda or def that the evaluator needs before running it.

Python decides at compile time which names are local to a function: every name bound
anywhere in its body (assignment, ``for`` target, ``import``, nested ``def`` ...), unless
declared ``global``/``nonlocal``. The evaluator follows the same rule, so a name read before
its local assignment is an ``UnboundLocalError``, not the module constant of that name.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.walk import child_nodes

FunctionNode = cst.Lambda | cst.FunctionDef

_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def target_names(target: cst.CSTNode) -> Iterator[str]:
    """Names an assignment target binds (``a, (b, *c) = ...`` binds a, b, c)."""
    kind = type(target)
    if kind is cst.Name:
        yield target.value  # type: ignore[attr-defined]
    elif kind in (cst.Tuple, cst.List):
        for element in target.elements:  # type: ignore[attr-defined]
            yield from target_names(element.value)
    elif kind is cst.StarredElement:
        yield from target_names(target.value)  # type: ignore[attr-defined]


def dotted_name(expr: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a chain of attribute accesses on a name, else None."""
    if type(expr) is cst.Name:
        return expr.value
    if type(expr) is cst.Attribute:
        base = dotted_name(expr.value)
        return None if base is None else f"{base}.{expr.attr.value}"
    return None


def _alias_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None:
        return alias.asname.name.value  # type: ignore[attr-defined]
    name = alias.name
    while isinstance(name, cst.Attribute):  # `import a.b` binds `a`
        name = name.value
    return name.value  # type: ignore[union-attr]


@dataclass
class BoundNames:
    """What the statements of one function scope bind and declare."""

    bound: set[str]
    global_names: set[str]
    nonlocal_names: set[str]
    yields: bool = False


def _bound_by(node: cst.CSTNode, names: BoundNames) -> bool:
    """Record what ``node`` itself binds; False when its children belong to another scope."""
    kind = type(node)
    if kind is cst.AssignTarget or kind is cst.AugAssign or kind is cst.AnnAssign \
            or kind is cst.For or kind is cst.Del or kind is cst.NamedExpr:
        names.bound.update(target_names(node.target))  # type: ignore[attr-defined]
    elif kind is cst.AsName:  # with ... as x, except E as x, import a as x
        names.bound.update(target_names(node.name))  # type: ignore[attr-defined]
    elif kind is cst.ImportAlias:
        names.bound.add(_alias_name(node))  # type: ignore[arg-type]
        return False
    elif kind is cst.FunctionDef or kind is cst.ClassDef:
        names.bound.add(node.name.value)  # type: ignore[attr-defined]
        return False
    elif kind is cst.Lambda:
        return False
    elif kind is cst.Global:
        names.global_names.update(item.name.value for item in node.names)  # type: ignore
    elif kind is cst.Nonlocal:
        names.nonlocal_names.update(item.name.value for item in node.names)  # type: ignore
    elif kind is cst.Yield:
        names.yields = True
    elif kind is cst.MatchAs or kind is cst.MatchStar:
        if node.name is not None:  # type: ignore[attr-defined]
            names.bound.add(node.name.value)  # type: ignore[attr-defined]
    elif kind is cst.MatchMapping and node.rest is not None:  # type: ignore[attr-defined]
        names.bound.add(node.rest.value)  # type: ignore[attr-defined]
    return True


def bound_names(roots: Iterable[cst.CSTNode]) -> BoundNames:
    """Names bound in ``roots``, not descending into nested functions or classes.

    Comprehension targets belong to the comprehension's own scope and are skipped; a walrus
    inside a comprehension still binds in the enclosing function, as in CPython.
    """
    names = BoundNames(set(), set(), set())
    stack = list(roots)
    while stack:
        node = stack.pop()
        if type(node) is cst.CompFor:
            stack.append(node.iter)  # type: ignore[attr-defined]
            stack.extend(node.ifs)  # type: ignore[attr-defined]
            if node.inner_for_in is not None:  # type: ignore[attr-defined]
                stack.append(node.inner_for_in)  # type: ignore[attr-defined]
            continue
        if _bound_by(node, names):
            stack.extend(child_nodes(node))
    return names


def comprehension_names(for_in: cst.CompFor) -> frozenset[str]:
    names: set[str] = set()
    clause: cst.CompFor | None = for_in
    while clause is not None:
        names.update(target_names(clause.target))
        clause = clause.inner_for_in
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class FunctionScope:
    name: str
    positional: tuple[str, ...]
    positional_only: int
    keyword_only: tuple[str, ...]
    star_arg: str | None
    star_kwarg: str | None
    default_expressions: tuple[tuple[str, cst.BaseExpression], ...]
    local_names: frozenset[str]
    global_names: frozenset[str]
    nonlocal_names: frozenset[str]
    unsupported: str | None  # why calling it cannot be evaluated, if it cannot

    @property
    def parameters(self) -> tuple[str, ...]:
        extra = tuple(name for name in (self.star_arg, self.star_kwarg) if name)
        return self.positional + self.keyword_only + extra


def _unsupported(node: FunctionNode, names: BoundNames) -> str | None:
    if type(node) is cst.FunctionDef:
        if node.asynchronous is not None:
            return f"async function {node.name.value}() is not supported"
        if node.decorators:
            return f"decorated function {node.name.value}() is not supported"
    if names.yields:
        return "generator functions are not supported"
    return None


@functools.lru_cache(maxsize=1024)  # nodes hash by identity; the cache keeps them alive
def analyse_function(node: FunctionNode) -> FunctionScope:
    params = node.params
    positional_params = (*params.posonly_params, *params.params)
    star_arg = params.star_arg.name.value if isinstance(params.star_arg, cst.Param) else None
    star_kwarg = params.star_kwarg.name.value if params.star_kwarg is not None else None
    every_param = (*positional_params, *params.kwonly_params)
    defaults = tuple((p.name.value, p.default) for p in every_param if p.default is not None)
    body: cst.CSTNode = node.body
    names = bound_names([body])
    parameter_names = {p.name.value for p in every_param} | {star_arg, star_kwarg} - {None}
    local = (names.bound | parameter_names) - names.global_names - names.nonlocal_names
    return FunctionScope(
        name=node.name.value if type(node) is cst.FunctionDef else "<lambda>",
        positional=tuple(p.name.value for p in positional_params),
        positional_only=len(params.posonly_params),
        keyword_only=tuple(p.name.value for p in params.kwonly_params),
        star_arg=star_arg,
        star_kwarg=star_kwarg,
        default_expressions=defaults,
        local_names=frozenset(local),  # type: ignore[arg-type]
        global_names=frozenset(names.global_names),
        nonlocal_names=frozenset(names.nonlocal_names),
        unsupported=_unsupported(node, names),
    )


class Frame:
    """The local variables of one running function (or comprehension)."""

    __slots__ = ("global_names", "local_names", "nonlocal_names", "parent", "values")

    def __init__(self, values: dict[str, object], local_names: frozenset[str],
                 parent: Frame | None, global_names: frozenset[str] = frozenset(),
                 nonlocal_names: frozenset[str] = frozenset()) -> None:
        self.values = values
        self.local_names = local_names
        self.global_names = global_names
        self.nonlocal_names = nonlocal_names
        self.parent = parent


class FunctionValue:
    """A lambda or def of the linted code, as a value the evaluator can call.

    ``closure`` is the frame the function was defined in (None at module level: free names
    then come from ``env``). Create one for a module-level function with
    ``Evaluator(env).make_function(node)`` or ``function_value(node, env)``.
    """

    __slots__ = ("closure", "defaults", "env", "node", "scope")

    def __init__(self, node: FunctionNode, env: object, closure: Frame | None,
                 defaults: dict[str, object]) -> None:
        self.node = node
        self.env = env
        self.closure = closure
        self.defaults = defaults
        self.scope = analyse_function(node)

    def __repr__(self) -> str:
        return f"<function {self.scope.name}>"


class GeneratorValue:
    """A generator expression: a lazy iterator, consumed once, as in CPython."""

    __slots__ = ("iterator",)

    def __init__(self, iterator: Iterator[object]) -> None:
        self.iterator = iterator

    def __repr__(self) -> str:
        return "<generator>"
