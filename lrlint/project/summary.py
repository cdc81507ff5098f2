"""One pass of CPython's ``ast`` over a module: what it defines, imports and refers to.

A :class:`ModuleSummary` is small, plain data (it round-trips through JSON for the cache) and
holds what the project index and the relevance filter need without the tree:

* imports (local name -> qualified target, relative imports resolved against the package),
  star imports, module-level classes (bases qualified the same way), functions, variables and
  aliases (``Scheduler = sched.WarmupCosine``);
* one :class:`Unit` per top-level definition and one (``""``) for the module's own code: the
  qualified dotted names it reads (``torch.optim.SGD``, ``proj.solver.build_lr_scheduler``), the
  names it uses only in annotations, and the receiver vocabulary it touches (``.step``,
  ``.param_groups``, ``.lr`` ...).

Qualification is syntactic and flow-insensitive (a local variable that shadows an import still
reads as the import): an over-approximation, which is what relevance needs.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass, field

from lrlint.analysis.torch_api import classify

# Attribute names through which code acts on a received optimizer, scheduler or scaler: a unit
# that touches none of them cannot act on one it is given.
RECEIVER_VOCABULARY = frozenset({
    "step", "zero_grad", "param_groups", "lr", "state_dict", "load_state_dict", "get_lr",
    "get_last_lr", "last_epoch", "base_lrs", "add_param_group", "save", "scale", "unscale_",
    "update", "optimizer", "defaults", "_last_lr", "step_update",
})

_TRACKED_WORDS = re.compile(r"optim|sched|scaler", re.IGNORECASE)

# Parameters that hold the run's settings, never an optimizer or scheduler: a training ``main(args)``
# steps its own optimizer (so it acts on objects) and hands ``args`` to dozens of helpers and
# pipelines, which forwarding would otherwise join to it.
_SETTINGS_PARAMETERS = frozenset({"args", "cfg", "config", "hparams"})

MODULE_UNIT = ""  # the key of the unit holding a module's own (top-level) code


@dataclass(frozen=True)
class ClassSummary:
    module: str
    name: str
    line: int
    # Each base as a qualified dotted name; one that cannot be qualified as "?" + its text.
    bases: tuple[str, ...]
    init_params: tuple[str, ...] | None  # positional parameters of __init__ after self
    methods: frozenset[str]


@dataclass(frozen=True)
class FunctionSummary:
    module: str
    name: str
    line: int
    params: tuple[str, ...]
    returns_value: bool  # some ``return <value>`` or ``yield``
    # Qualified callees whose result a return statement may hand back, over every branch and
    # tuple element (``return X(...)``; ``s = X(...)`` then ``return s``; ``return m, s``).
    returns: tuple[str, ...] = ()
    returns_opaque: bool = False  # some returned value is not such a call (a parameter, self.x)


@dataclass(frozen=True)
class Unit:
    """What one top-level definition (or the module's own code) refers to."""

    refs: frozenset[str] = frozenset()  # qualified dotted names read as values
    annotation_refs: frozenset[str] = frozenset()  # ... read only in annotations
    vocabulary: frozenset[str] = frozenset()  # RECEIVER_VOCABULARY attributes it touches
    # Some name, attribute or parameter in it says optimizer, scheduler or scaler ("opt_sched").
    mentions: bool = False
    # Qualified callee -> what its calls here pass: "!" a name saying optimizer/scheduler/scaler
    # (bound to nothing this module can name), "^" a parameter of the unit (its own, not a
    # nested hook's; never a settings object such as args), "=<qualified
    # callee>" a local assigned from that call.
    passes: dict[str, frozenset[str]] = field(default_factory=dict)
    # For a class: qualified callees whose results its methods store on ``self`` or return.
    holds: frozenset[str] = frozenset()


@dataclass(frozen=True, eq=False)
class ModuleSummary:
    name: str
    path: str
    is_package: bool
    content_hash: str
    imports: dict[str, str] = field(default_factory=dict)
    star_imports: tuple[str, ...] = ()
    classes: dict[str, ClassSummary] = field(default_factory=dict)
    functions: dict[str, FunctionSummary] = field(default_factory=dict)
    variables: frozenset[str] = frozenset()
    aliases: dict[str, str] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)

    def defines(self, name: str) -> bool:
        return (name in self.classes or name in self.functions or name in self.variables
                or name in self.imports)

    # -- the cache stores summaries as JSON -----------------------------------------------------

    def to_json(self) -> dict:
        return {
            "name": self.name, "path": self.path, "is_package": self.is_package,
            "hash": self.content_hash, "imports": self.imports,
            "star": list(self.star_imports),
            "classes": {k: [c.line, list(c.bases),
                            None if c.init_params is None else list(c.init_params),
                            sorted(c.methods)] for k, c in self.classes.items()},
            "functions": {k: [f.line, list(f.params), f.returns_value, list(f.returns),
                              f.returns_opaque] for k, f in self.functions.items()},
            "variables": sorted(self.variables), "aliases": self.aliases,
            "units": {k: [sorted(u.refs), sorted(u.annotation_refs), sorted(u.vocabulary),
                          u.mentions, {c: sorted(t) for c, t in u.passes.items()}, sorted(u.holds)]
                      for k, u in self.units.items()},
        }

    @classmethod
    def from_json(cls, data: dict) -> ModuleSummary:
        name = data["name"]
        return cls(
            name=name, path=data["path"], is_package=bool(data["is_package"]),
            content_hash=data["hash"], imports=dict(data["imports"]),
            star_imports=tuple(data["star"]),
            classes={k: ClassSummary(name, k, line, tuple(bases),
                                     None if params is None else tuple(params), frozenset(methods))
                     for k, (line, bases, params, methods) in data["classes"].items()},
            functions={k: FunctionSummary(name, k, line, tuple(params), bool(value), tuple(returns),
                                          bool(opaque))
                       for k, (line, params, value, returns, opaque) in data["functions"].items()},
            variables=frozenset(data["variables"]), aliases=dict(data["aliases"]),
            units={k: Unit(frozenset(r), frozenset(a), frozenset(v), bool(m),
                           {c: frozenset(t) for c, t in passes.items()}, frozenset(holds))
                   for k, (r, a, v, m, passes, holds) in data["units"].items()},
        )


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def summarize(data: bytes, name: str | None, path: str, is_package: bool = False,
              digest: str | None = None) -> ModuleSummary | None:
    """The summary of a module's source bytes; None when CPython cannot parse it."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None
    try:
        return _Summarizer(name, path, is_package).run(tree, digest or content_hash(data))
    except RecursionError:
        return None


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of names, else None."""
    parts = []
    while type(node) is ast.Attribute:
        parts.append(node.attr)
        node = node.value
    if type(node) is ast.Name:
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def resolve_relative(module: str | None, is_package: bool, level: int, target: str | None) -> str | None:
    """The absolute name of ``from <level dots><target> import ...`` written in ``module``."""
    if level == 0:
        return target
    if module is None:
        return None
    package = module.split(".") if is_package else module.split(".")[:-1]
    if level - 1 > len(package) or (level - 1 == len(package) and not target):
        return None
    base = package[: len(package) - (level - 1)]
    if target:
        base.append(target)
    return ".".join(base) if base else None


class _UnitWalk:
    """Collects one unit's names, chains, annotations, vocabulary, calls and values."""

    __slots__ = ("annotations", "assigned", "calls", "chains", "forwardable", "held", "imports", "is_class",
                 "names", "params", "returns", "returns_value", "vocabulary")

    def __init__(self, is_class: bool = False) -> None:
        self.chains: set[str] = set()
        self.names: set[str] = set()
        self.annotations: set[str] = set()
        self.vocabulary: set[str] = set()
        self.imports: dict[str, str] = {}
        self.returns: list[ast.expr] = []  # returned at the function's own level
        self.assigned: dict[str, list[ast.expr]] = {}  # local name -> values (any level)
        self.returns_value = False
        self.params: set[str] = set()
        # Parameters whose value, passed on, is what this unit received from its callers: a
        # function's own, every method's in a class (not those of a hook defined inside main()).
        self.forwardable: set[str] = set()
        self.calls: list[tuple[str, set[str]]] = []  # (callee chain, argument tokens)
        self.held: list[ast.expr] = []  # a class: values stored on self or returned
        self.is_class = is_class

    def walk(self, roots: list[ast.AST], summarizer: _Summarizer, own_level: bool) -> None:
        """Walk ``roots``; ``own_level``: returns count for this function."""
        stack = list(roots)
        nested: list[ast.AST] = []
        attribute, name, load, call = ast.Attribute, ast.Name, ast.Load, ast.Call
        vocabulary = RECEIVER_VOCABULARY
        while stack or nested:
            if not stack:
                stack.append(nested.pop())
                own_level = False
            node = stack.pop()
            kind = type(node)
            fields = _CHILD_FIELDS.get(kind)
            if fields is None:
                if not isinstance(node, ast.AST):
                    continue  # None in an optional slot, a name string in a pattern
                fields = _child_fields(kind)
            if kind is attribute:
                value = node
                while type(value) is attribute:
                    if value.attr in vocabulary:
                        self.vocabulary.add(value.attr)
                    value = value.value
                if type(value) is name:
                    chain = dotted(node)
                    if chain is not None:
                        self.chains.add(chain)
                else:
                    stack.append(value)
                continue
            if kind is name:
                if type(node.ctx) is load:
                    self.names.add(node.id)
                continue
            if kind is call:
                self._call(node)
            elif kind in _DEFINITIONS:
                self._definition(node, stack, nested, summarizer)
                continue
            elif kind is ast.AnnAssign:
                self._annotation(node.annotation, summarizer)
                stack.append(node.target)
                if node.value is not None:
                    stack.append(node.value)
                    self._assign(node.target, node.value)
                continue
            elif kind is ast.Assign:
                for target in node.targets:
                    self._assign(target, node.value)
            elif kind is ast.Import or kind is ast.ImportFrom:
                summarizer.bind_imports(node, self.imports)
                continue
            elif kind is ast.Return:
                if node.value is not None:
                    if own_level:
                        self.returns_value = True
                        self.returns.append(node.value)
                    elif self.is_class:
                        self.held.append(node.value)
            elif (kind is ast.Yield or kind is ast.YieldFrom) and own_level:
                self.returns_value = True
                self.returns.append(node)  # opaque
            for field_name in fields:  # by hand: ast.iter_child_nodes costs twice as much
                value = getattr(node, field_name, None)
                if value.__class__ is list:
                    stack.extend(value)
                elif value is not None:
                    stack.append(value)

    def _assign(self, target: ast.expr, value: ast.expr) -> None:
        kind = type(target)
        if kind is ast.Name:
            self.assigned.setdefault(target.id, []).append(value)
        elif kind is ast.Attribute and self.is_class and type(target.value) is ast.Name \
                and target.value.id == "self":
            self.held.append(value)
        elif kind is ast.Tuple or kind is ast.List:
            values = value.elts if type(value) in (ast.Tuple, ast.List) else None
            for position, element in enumerate(target.elts):
                if values is not None and position < len(values):
                    self._assign(element, values[position])
                elif type(element) is ast.Name:  # a, b = build(): either may be the result
                    self.assigned.setdefault(element.id, []).append(value)

    def _call(self, node: ast.Call) -> None:
        callee = dotted(node.func)
        if callee is None:
            return
        tokens: set[str] = set()
        for argument in (*node.args, *(k.value for k in node.keywords)):
            if type(argument) is ast.Starred:
                argument = argument.value
            chain = dotted(argument)
            if chain is None:
                continue
            if _TRACKED_WORDS.search(chain):
                # a local's name alone can mislead (a diffusion model's noise scheduler): what
                # it is bound to decides, when the unit binds it to calls it can name
                tokens.add("!" + chain if "." not in chain else "!")
            elif chain in self.forwardable and chain not in _SETTINGS_PARAMETERS:
                tokens.add("^")
            elif "." not in chain:
                tokens.add("=" + chain)
        if tokens:
            self.calls.append((callee, tokens))

    def _definition(self, node, stack, nested, summarizer: _Summarizer) -> None:
        """A nested def, lambda or class: annotations apart, its body walked as nested code."""
        if type(node) is ast.ClassDef:
            stack.extend(node.bases)
            stack.extend(k.value for k in node.keywords)
            stack.extend(node.decorator_list)
            nested.extend(node.body)
            return
        args = node.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                self.params.add(arg.arg)
                if self.is_class:
                    self.forwardable.add(arg.arg)
                if arg.annotation is not None:
                    self._annotation(arg.annotation, summarizer)
        stack.extend(args.defaults)
        stack.extend(d for d in args.kw_defaults if d is not None)
        if type(node) is ast.Lambda:
            nested.append(node.body)
            return
        if node.returns is not None:
            self._annotation(node.returns, summarizer)
        stack.extend(node.decorator_list)
        nested.extend(node.body)

    def _annotation(self, node: ast.expr, summarizer: _Summarizer) -> None:
        inner = _UnitWalk()
        for part in ast.walk(node):
            if type(part) is ast.Constant and isinstance(part.value, str):
                try:
                    parsed = ast.parse(part.value, mode="eval")
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    continue
                inner.walk([parsed.body], summarizer, False)
        inner.walk([node], summarizer, False)
        self.annotations |= inner.chains
        self.annotations |= inner.names

    def callees_of(self, values: list[ast.expr]) -> tuple[list[str], bool]:
        """The callee chains whose results ``values`` may be (through locals, tuples and
        conditionals), and whether some value is something else."""
        found: list[str] = []
        opaque = False
        pending = list(values)
        seen: set[int] = set()
        while pending:
            value = pending.pop()
            if id(value) in seen:
                continue
            seen.add(id(value))
            kind = type(value)
            if kind is ast.Call:
                callee = dotted(value.func)
                if callee is not None:
                    found.append(callee)
                else:
                    opaque = True
            elif kind is ast.IfExp:
                pending += (value.body, value.orelse)
            elif kind is ast.BoolOp:
                pending += value.values
            elif kind is ast.Tuple or kind is ast.List:
                pending += value.elts
            elif kind is ast.Name and value.id in self.assigned:
                pending += self.assigned[value.id]
            elif kind is not ast.Constant:
                opaque = True
        return found, opaque


# Fields that never hold a node (names, flags, contexts) are not walked.
_SCALAR_FIELDS = frozenset({"ctx", "id", "attr", "name", "asname", "module", "level", "arg",
                            "kind", "type_comment", "is_async", "conversion", "simple", "kwd_attrs",
                            "rest", "type_ignores", "tag"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: (), ast.Global: (), ast.Nonlocal: (),
                                               ast.Load: (), ast.Store: (), ast.Del: ()}


def _child_fields(kind: type) -> tuple[str, ...]:
    fields = tuple(f for f in kind._fields if f not in _SCALAR_FIELDS)
    _CHILD_FIELDS[kind] = fields
    return fields


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_BLOCKS = (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)
if hasattr(ast, "TryStar"):
    _BLOCKS += (ast.TryStar,)


class _Summarizer:
    def __init__(self, name: str | None, path: str, is_package: bool) -> None:
        self.name = name
        self.path = path
        self.is_package = is_package
        self.imports: dict[str, str] = {}
        self.star_imports: list[str] = []
        self.definitions: dict[str, ast.AST] = {}  # top-level def/class nodes by name (last wins)
        self.variables: set[str] = set()
        self.alias_values: dict[str, ast.expr] = {}
        self.module_code: list[ast.AST] = []
        self.unit_walks: dict[str, list[_UnitWalk]] = {}

    # -- imports --------------------------------------------------------------------------------

    def bind_imports(self, node: ast.Import | ast.ImportFrom, into: dict[str, str]) -> None:
        if type(node) is ast.Import:
            for alias in node.names:
                if alias.asname:
                    into[alias.asname] = alias.name
                else:
                    head = alias.name.partition(".")[0]
                    into.setdefault(head, head)
            return
        target = resolve_relative(self.name, self.is_package, node.level, node.module)
        for alias in node.names:
            if alias.name == "*":
                if target is not None and into is self.imports:
                    self.star_imports.append(target)
                continue
            local = alias.asname or alias.name
            into[local] = f"{target}.{alias.name}" if target else "?" + alias.name

    # -- the module's statements ----------------------------------------------------------------

    def run(self, tree: ast.Module, digest: str) -> ModuleSummary:
        self._statements(tree.body)
        module = self.name or ""
        classes: dict[str, ClassSummary] = {}
        functions: dict[str, FunctionSummary] = {}
        units: dict[str, Unit] = {}
        code_walk = _UnitWalk()
        code_walk.walk(self.module_code, self, False)
        self.unit_walks.setdefault(MODULE_UNIT, []).append(code_walk)
        for local, node in self.definitions.items():
            if type(node) is ast.ClassDef:
                walk = _UnitWalk(is_class=True)
                walk.walk(list(node.bases) + [k.value for k in node.keywords]
                          + list(node.decorator_list) + list(node.body), self, False)
                classes[local] = self._class(module, node)
            else:
                walk = _UnitWalk()
                walk.walk(self._function_roots(node, walk), self, True)
                returned, opaque = walk.callees_of(walk.returns)
                functions[local] = FunctionSummary(
                    module, local, node.lineno, _params(node.args), walk.returns_value,
                    self._qualified_all(returned, walk), opaque)
            self.unit_walks.setdefault(local, []).append(walk)
        for local, walks in self.unit_walks.items():
            units[local] = self._unit(walks)
        aliases = {}
        for local, value in self.alias_values.items():
            qualified = self.qualify(dotted(value), {})
            if qualified is not None:
                aliases[local] = qualified
        return ModuleSummary(
            name=module, path=self.path, is_package=self.is_package, content_hash=digest,
            imports=self.imports, star_imports=tuple(dict.fromkeys(self.star_imports)),
            classes=classes, functions=functions,
            variables=frozenset(self.variables - classes.keys() - functions.keys()),
            aliases=aliases, units=units,
        )

    def _statements(self, body: list[ast.stmt]) -> None:
        for node in body:
            kind = type(node)
            if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef or kind is ast.ClassDef:
                self.definitions[node.name] = node
                self.alias_values.pop(node.name, None)
            elif kind is ast.Import or kind is ast.ImportFrom:
                self.bind_imports(node, self.imports)
            elif kind in _BLOCKS:
                self._block(node)
            else:
                self._bind_targets(node)
                self.module_code.append(node)

    def _block(self, node: ast.stmt) -> None:
        """An if/try/with/loop at module level: its head is module code, its bodies may define."""
        for field_name, value in ast.iter_fields(node):
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                self._statements(value)
            elif field_name == "handlers":
                for handler in value:
                    self._statements(handler.body)
            elif isinstance(value, list):  # with-items
                for item in value:
                    if isinstance(item, ast.AST):
                        self.module_code.append(item)
                        if getattr(item, "optional_vars", None) is not None:
                            self._bind_names(item.optional_vars)
            elif isinstance(value, ast.AST):
                self.module_code.append(value)
                if field_name == "target":
                    self._bind_names(value)

    def _bind_targets(self, node: ast.stmt) -> None:
        kind = type(node)
        if kind is ast.Assign:
            for target in node.targets:
                self._bind_names(target)
            if type(node.value) in (ast.Name, ast.Attribute):
                for target in node.targets:
                    if type(target) is ast.Name:
                        self.alias_values[target.id] = node.value
            else:
                for target in node.targets:
                    if type(target) is ast.Name:
                        self.alias_values.pop(target.id, None)
        elif kind is ast.AnnAssign or kind is ast.AugAssign:
            self._bind_names(node.target)

    def _bind_names(self, target: ast.AST) -> None:
        for part in ast.walk(target):
            if type(part) is ast.Name:
                self.variables.add(part.id)

    # -- definitions ----------------------------------------------------------------------------

    def _class(self, module: str, node: ast.ClassDef) -> ClassSummary:
        bases = []
        for base in node.bases:
            text = dotted(base)
            if text is None and type(base) is ast.Subscript:  # Generic[T]
                text = dotted(base.value)
            if text is None:
                continue
            bases.append(self.qualify(text, {}) or "?" + text)
        methods = set()
        init_params = None
        for statement in node.body:
            if type(statement) in (ast.FunctionDef, ast.AsyncFunctionDef):
                methods.add(statement.name)
                if statement.name == "__init__":
                    init_params = _params(statement.args)[1:]
        return ClassSummary(module, node.name, node.lineno, tuple(bases), init_params,
                            frozenset(methods))

    def _function_roots(self, node, walk: _UnitWalk) -> list[ast.AST]:
        """A top-level function's own code: annotations go to ``walk`` directly."""
        args = node.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                walk.params.add(arg.arg)
                walk.forwardable.add(arg.arg)
                if arg.annotation is not None:
                    walk._annotation(arg.annotation, self)
        if node.returns is not None:
            walk._annotation(node.returns, self)
        defaults = [d for d in (*args.defaults, *args.kw_defaults) if d is not None]
        return [*defaults, *node.decorator_list, *node.body]

    def _named_value(self, name: str, walk: _UnitWalk) -> set[str]:
        """The tokens for a local whose name says optimizer/scheduler/scaler: the calls it is
        bound to, when every binding is a call this module can name; else "!"."""
        values = walk.assigned.get(name) if name and name not in walk.params else None
        if values:
            sources, opaque = walk.callees_of(values)
            qualified = [self.qualify(source, walk.imports) for source in sources]
            if sources and not opaque and None not in qualified:
                return {"=" + q for q in qualified}
        return {"!"}

    def _qualified_all(self, chains: list[str], walk: _UnitWalk) -> tuple[str, ...]:
        qualified = (self.qualify(chain, walk.imports) for chain in chains)
        return tuple(dict.fromkeys(q for q in qualified if q is not None))

    # -- qualification --------------------------------------------------------------------------

    def qualify(self, chain: str | None, local_imports: dict[str, str]) -> str | None:
        """The qualified name of a dotted chain read in this module, or None (a local, a
        builtin, an attribute of a value)."""
        if chain is None:
            return None
        head, dot, rest = chain.partition(".")
        target = local_imports.get(head) or self.imports.get(head)
        if target is None:
            if head in self.definitions or head in self.variables:
                target = f"{self.name}.{head}" if self.name else "?" + head
            else:
                return None
        return target + dot + rest

    def _unit(self, walks: list[_UnitWalk]) -> Unit:
        refs: set[str] = set()
        annotations: set[str] = set()
        vocabulary: set[str] = set()
        passes: dict[str, set[str]] = {}
        holds: set[str] = set()
        mentions = False
        for walk in walks:
            vocabulary |= walk.vocabulary
            if not mentions:
                mentions = any(_TRACKED_WORDS.search(word) for word in
                               (*walk.chains, *walk.names, *walk.params))
            for chain in walk.chains | walk.names:
                qualified = self.qualify(chain, walk.imports)
                if qualified is not None:
                    refs.add(qualified)
                elif classify(chain) is not None:
                    refs.add("?" + chain)  # a Hugging Face factory, known by its name
                elif self.star_imports:
                    refs.add("?" + chain.partition(".")[0])  # a star import may define it
            for chain in walk.annotations:
                qualified = self.qualify(chain, walk.imports)
                if qualified is not None:
                    annotations.add(qualified)
            for callee, tokens in walk.calls:
                qualified = self.qualify(callee, walk.imports)
                if qualified is None:
                    continue
                found = passes.setdefault(qualified, set())
                for token in tokens:
                    if token[0] == "!":
                        found.update(self._named_value(token[1:], walk))
                    elif token[0] == "=":
                        sources, _ = walk.callees_of(walk.assigned.get(token[1:], []))
                        found.update("=" + q for q in self._qualified_all(sources, walk))
                    else:
                        found.add(token)
                if not found:
                    del passes[qualified]
            if walk.held:
                sources, _ = walk.callees_of(walk.held)
                holds.update(self._qualified_all(sources, walk))
        return Unit(frozenset(refs), frozenset(annotations - refs), frozenset(vocabulary),
                    mentions, {c: frozenset(t) for c, t in passes.items()}, frozenset(holds))


def _params(args: ast.arguments) -> tuple[str, ...]:
    return tuple(a.arg for a in (*args.posonlyargs, *args.args))
