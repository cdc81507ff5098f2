"""The values of attribute reads the constant folder cannot compute on its own.

Training scripts rarely write ``T_max=90``; they write ``T_max=args.epochs``,
``cfg.optim.gamma``, ``settings.EPOCHS`` or ``TrainConfig().epochs``. This module answers such
reads from the code that defines them, never by running it:

- a module's top-level constant (``settings.EPOCHS``, through the project's other modules);
- a class attribute (``Config.EPOCHS``), or a dataclass field's default, of a class of the
  project — also on an instance (``cfg = TrainConfig(); cfg.epochs``), where arguments passed
  to the constructor override the defaults;
- an ``argparse`` option's default (``args = parser.parse_args(); args.milestones``).

Every source the object may come from must agree; anything else is ``Unknown``. An option's
default is the value a run gets when the flag is not given: what lrlint reports is then true of
the default configuration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from lrlint.analysis.collect import dotted_name, string_value
from lrlint.analysis.evaluate import Unknown

if TYPE_CHECKING:
    from lrlint.analysis.facts import Assignment, ClassInfo, Scope
    from lrlint.analysis.model import ModuleModel

_MAX_DEPTH = 6
_PARSERS = frozenset({"argparse.ArgumentParser"})
_DATACLASS_DECORATORS = frozenset({"dataclass", "dataclasses.dataclass"})


def attribute_value(model: ModuleModel, node: cst.Attribute, scope: Scope, order: int,
                    depth: int = 0) -> object:
    """The value of ``node`` (an attribute read at scope/order), or Unknown."""
    if depth > _MAX_DEPTH:
        return Unknown("attribute defined too indirectly")
    attr = node.attr.value
    module_value = _module_constant(model, node)
    if module_value is not None:
        return module_value
    sources = _sources(model, node.value, scope, order, depth)
    if not sources:
        return Unknown(f"cannot tell what `.{attr}` is read from")
    values = [_value_on(model, source, attr, depth) for source in sources]
    first = values[0]
    if isinstance(first, Unknown):
        return first
    if not all(type(v) is type(first) and v == first for v in values[1:]):
        return Unknown(f"`.{attr}` takes different values on different paths")
    return first


def _module_constant(model: ModuleModel, node: cst.Attribute) -> object | None:
    """``settings.EPOCHS``: a top-level constant of another module, folded there."""
    qualified = model.qualified_name(node)
    if qualified is None:
        return None
    symbol = model.project.symbol(qualified)
    if symbol is None or not symbol[1]:
        return None
    other, name = symbol
    return module_constant(other, name)


def module_constant(model: ModuleModel, name: str) -> object | None:
    """The value of a top-level name assigned exactly once in ``model``'s module (None when it
    is not such a constant)."""
    if model.top_level(name) != "assign":
        return None
    assignments = model.module_scope.assignments[name]
    if len(assignments) != 1 or assignments[0].value is None or assignments[0].unpack \
            or assignments[0].kind not in ("assign", "annassign"):
        return None
    assignment = assignments[0]
    return model.fold(assignment.value, assignment.scope, assignment.order)


# -- where the object comes from -----------------------------------------------------------

class _Source:
    """One way the attribute's owner can be built."""


class _Class(_Source):
    def __init__(self, model: ModuleModel, class_info: ClassInfo, call: cst.Call | None,
                 call_scope: Scope | None, call_order: int) -> None:
        self.model = model
        self.class_info = class_info
        self.call = call  # None: the class itself (``Config.EPOCHS``)
        self.call_scope = call_scope
        self.call_order = call_order


class _Parsed(_Source):
    def __init__(self, model: ModuleModel, parser: cst.BaseExpression, scope: Scope,
                 order: int) -> None:
        self.model = model
        self.parser = parser
        self.scope = scope
        self.order = order


def _sources(model: ModuleModel, expr: cst.BaseExpression, scope: Scope, order: int,
             depth: int) -> list[_Source] | None:
    """What ``expr`` may be: a project class or its instance, or parsed arguments. None when
    any path leads somewhere else."""
    owner = scope.module_model or model
    if isinstance(expr, cst.Name):
        cls = owner.class_for(expr, scope)
        if cls is not None:
            return [_Class(owner, cls, None, None, 0)]
        found: list[_Source] = []
        for assignment in owner.assignments_reaching(expr.value, scope,
                                                     owner.facts.name_orders.get(expr, order)):
            sources = _assigned(owner, assignment, depth)
            if sources is None:
                return None
            found.extend(sources)
        return found or None
    if isinstance(expr, cst.Call):
        return _built_by(owner, expr, scope, order, depth)
    if isinstance(expr, cst.Attribute) and depth < _MAX_DEPTH:
        return _nested(owner, expr, scope, order, depth)
    return None


def _nested(model: ModuleModel, expr: cst.Attribute, scope: Scope, order: int,
            depth: int) -> list[_Source] | None:
    """``cfg.solver`` where ``solver`` is a config object held by ``cfg``'s class: a field
    with ``default_factory=SolverConfig`` or a default ``SolverConfig()``."""
    owners = _sources(model, expr.value, scope, order, depth + 1)
    if not owners:
        return None
    found: list[_Source] = []
    for owner in owners:
        if not isinstance(owner, _Class):
            return None
        held = _held_object(owner, expr.attr.value, depth)
        if held is None:
            return None
        found.extend(held)
    return found


def _held_object(owner: _Class, attr: str, depth: int) -> list[_Source] | None:
    model = owner.class_info.outer.module_model or owner.model
    for cls in model.class_lineage(owner.class_info):
        if attr in cls.attributes:
            return None  # set on the instance
        assignments = [a for a in cls.scope.assignments.get(attr, ())
                       if a.kind in ("assign", "annassign") and a.value is not None]
        if not assignments:
            continue
        value = assignments[-1].value
        cls_model = cls.outer.module_model or model
        if isinstance(value, cst.Call) and dotted_name(value.func) in ("field", "dataclasses.field"):
            factory = next((arg.value for arg in value.args if arg.keyword is not None
                            and arg.keyword.value == "default_factory"), None)
            if factory is None:
                return None
            held = cls_model.class_for(factory, cls.scope)
            return [_Class(cls_model, held, None, None, 0)] if held is not None else None
        return _sources(cls_model, value, cls.scope, assignments[-1].order, depth + 1)
    return None


def _assigned(model: ModuleModel, assignment: Assignment, depth: int) -> list[_Source] | None:
    if assignment.kind == "param":
        function = assignment.scope.function
        if function is None or assignment.param is None or depth >= _MAX_DEPTH:
            return None
        found: list[_Source] = []
        arguments = list(model.arguments_for(function, assignment.param))
        if not arguments:
            return None
        for site, argument in arguments:
            sources = _sources(model, argument, site.scope, site.order, depth + 1)
            if sources is None:
                return None
            found.extend(sources)
        return found
    if assignment.kind not in ("assign", "annassign") or assignment.value is None:
        return None
    if assignment.unpack:
        held = _hf_parsed_dataclass(model, assignment)
        return [_Class(held.outer.module_model or model, held, None, None, 0)] if held else None
    return _sources(model, assignment.value, assignment.scope, assignment.order, depth + 1)


_HF_PARSERS = frozenset({"transformers.HfArgumentParser",
                         "transformers.hf_argparser.HfArgumentParser"})


def _hf_parsed_dataclass(model: ModuleModel, assignment: Assignment) -> ClassInfo | None:
    """``model_args, training_args = HfArgumentParser((ModelArguments, TrainingArguments))
    .parse_args_into_dataclasses()``: the project dataclass at this target's position (its
    defaults are the run's settings unless a flag overrides them, as for argparse)."""
    call = assignment.value
    if len(assignment.unpack) != 1 or not isinstance(call, cst.Call) \
            or not isinstance(call.func, cst.Attribute) \
            or call.func.attr.value != "parse_args_into_dataclasses":
        return None
    parser = call.func.value
    if isinstance(parser, cst.Name):
        bindings = model.assignments_reaching(parser.value, assignment.scope, assignment.order)
        parser = bindings[0].value if len(bindings) == 1 else None
    if not isinstance(parser, cst.Call) or model.qualified_name(parser.func) not in _HF_PARSERS \
            or not parser.args:
        return None
    classes = parser.args[0].value
    if isinstance(classes, (cst.Tuple, cst.List)):
        index = assignment.unpack[0]
        if index >= len(classes.elements):
            return None
        classes = classes.elements[index].value
    elif assignment.unpack[0] != 0:
        return None
    return model.class_for(classes, assignment.scope)


def _built_by(model: ModuleModel, call: cst.Call, scope: Scope, order: int,
              depth: int) -> list[_Source] | None:
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "parse_args" and \
            _is_parser(model, func.value, scope, order):
        return [_Parsed(model, func.value, scope, order)]
    cls = model.class_for(func, scope)
    if cls is not None:
        return [_Class(model, cls, call, scope, order)]
    function = model.function_for(func, scope)
    if function is None or not function.returns or depth >= _MAX_DEPTH:
        return None
    # A config factory (`cfg = get_config(...)`): what every return of it builds.
    owner = function.scope.module_model or model
    found: list[_Source] = []
    for value, value_order in function.returns:
        sources = _sources(owner, value, function.scope, value_order, depth + 1)
        if sources is None:
            return None
        found.extend(sources)
    return found


def _is_parser(model: ModuleModel, expr: cst.BaseExpression, scope: Scope, order: int) -> bool:
    if not isinstance(expr, cst.Name):
        return False
    assignments = model.assignments_reaching(expr.value, scope, order)
    return bool(assignments) and all(
        isinstance(a.value, cst.Call) and model.qualified_name(a.value.func) in _PARSERS
        for a in assignments)


# -- the attribute on each source ----------------------------------------------------------

def _value_on(model: ModuleModel, source: _Source, attr: str, depth: int) -> object:
    if isinstance(source, _Parsed):
        return _option_default(source, attr)
    assert isinstance(source, _Class)
    return _class_value(source, attr, depth)


def _class_value(source: _Class, attr: str, depth: int) -> object:
    model = source.class_info.outer.module_model or source.model
    lineage = model.class_lineage(source.class_info)
    if any(attr in cls.attributes for cls in lineage):
        return Unknown(f"`.{attr}` is set on the instance")  # self.<attr> = ... in a method
    fields = _dataclass_fields(model, source.class_info)
    if source.call is not None and fields is not None:
        passed = _passed_to(source.call, fields, attr)
        if passed is not None:
            return source.model.fold(passed, source.call_scope, source.call_order) \
                if passed is not _STARRED else Unknown("arguments passed with * or **")
    elif source.call is not None and _has_init(model, lineage):
        return Unknown(f"`.{attr}` may be set by __init__")
    for cls in lineage:
        assignments = [a for a in cls.scope.assignments.get(attr, ())
                       if a.kind in ("assign", "annassign")]
        if assignments:
            value = assignments[-1].value
            if value is None:
                return Unknown(f"`.{attr}` has no default")
            owner = cls.outer.module_model or model
            value = _field_default(owner, value, cls.scope)
            return owner.fold(value, cls.scope, assignments[-1].order + 1)
    return Unknown(f"`.{attr}` is not defined by the class")


_STARRED = cst.Name("_starred_")


def _passed_to(call: cst.Call, fields: list[str], attr: str) -> cst.BaseExpression | None:
    """The argument a dataclass constructor call passes for field ``attr``, if any."""
    for arg in call.args:
        if arg.star:
            return _STARRED
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == attr:
            return arg.value
    positional = [arg.value for arg in call.args if arg.keyword is None]
    index = fields.index(attr) if attr in fields else -1
    return positional[index] if 0 <= index < len(positional) else None


def _dataclass_fields(model: ModuleModel, class_info: ClassInfo) -> list[str] | None:
    """The field names of a dataclass (in order), None for other classes."""
    decorators = class_info.node.decorators
    names = {dotted_name(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
             for d in decorators}
    if not names & _DATACLASS_DECORATORS:
        return None
    fields: list[str] = []
    for statement in class_info.node.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    fields.append(small.target.value)
    return fields


def _field_default(model: ModuleModel, value: cst.BaseExpression, scope: Scope) -> cst.BaseExpression:
    """``field(default=x)`` is ``x``."""
    if isinstance(value, cst.Call) and dotted_name(value.func) in ("field", "dataclasses.field"):
        for arg in value.args:
            if arg.keyword is not None and arg.keyword.value == "default":
                return arg.value
    return value


def _has_init(model: ModuleModel, lineage: list[ClassInfo]) -> bool:
    return any("__init__" in cls.methods for cls in lineage)


def _option_default(source: _Parsed, attr: str) -> object:
    """The default of the ``add_argument`` option whose destination is ``attr``."""
    model = source.model
    found: list[object] = []
    for site in model.calls:
        if site.method != "add_argument" or not _same_parser(model, site.receiver, source):
            continue
        if _destination(site.node) != attr:
            continue
        default = next((arg.value for arg in site.node.args
                        if arg.keyword is not None and arg.keyword.value == "default"), None)
        if default is None:
            action = next((string_value(arg.value) for arg in site.node.args
                           if arg.keyword is not None and arg.keyword.value == "action"), None)
            found.append({"store_true": False, "store_false": True}.get(action or "", None))
        else:
            found.append(model.fold(default, site.scope, site.order))
    if len(found) != 1:
        return Unknown(f"no single option sets `args.{attr}`")
    return found[0]


def _same_parser(model: ModuleModel, receiver: cst.BaseExpression | None, source: _Parsed) -> bool:
    """The receiver is the parser ``args`` was parsed with, or an argument group of it."""
    if not isinstance(receiver, cst.Name) or not isinstance(source.parser, cst.Name):
        return False
    if receiver.value == source.parser.value:
        return True
    scope = model.scope_of(receiver)
    if scope is None:
        return False
    assignments = model.assignments_reaching(receiver.value, scope,
                                             model.facts.name_orders.get(receiver, 0))
    return bool(assignments) and all(
        isinstance(a.value, cst.Call) and isinstance(a.value.func, cst.Attribute)
        and a.value.func.attr.value in ("add_argument_group", "add_mutually_exclusive_group")
        and isinstance(a.value.func.value, cst.Name)
        and a.value.func.value.value == source.parser.value
        for a in assignments)


def _destination(call: cst.Call) -> str | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "dest":
            return string_value(arg.value)
    names = [string_value(arg.value) for arg in call.args if arg.keyword is None]
    names = [n for n in names if n]
    long = [n for n in names if n.startswith("--")]
    chosen = long[0] if long else (names[0] if names else None)
    if chosen is None:
        return None
    return chosen.lstrip("-").replace("-", "_")
