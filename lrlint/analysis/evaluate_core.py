"""The expression interpreter of lrlint's static evaluator.

``Evaluator.eval`` computes a libcst expression with plain Python values, dispatching on
the node's type through ``_EXPRESSIONS``. Operators are applied with the real Python
operator to the already-computed operands, which is what makes results equal CPython's;
what this module adds is name resolution, the guards of ``evaluate_values`` and the
translation of failures into ``NotStaticError`` (cannot know) or ``UserCodeError`` (the code
would raise). Statements (the bodies of defs) are run by ``evaluate_statements``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Sequence, Sized
from typing import Any

import libcst as cst

from lrlint.analysis import evaluate_statements as statements
from lrlint.analysis.evaluate_literals import (
    check_format_spec,
    float_value,
    formatted_text_value,
    integer_value,
    simple_string_value,
)
from lrlint.analysis.evaluate_natives import (
    BUILTIN_FUNCTIONS,
    ModuleValue,
    NativeFunction,
    qualified_value,
)
from lrlint.analysis.evaluate_scope import (
    Frame,
    FunctionNode,
    FunctionValue,
    GeneratorValue,
    analyse_function,
    comprehension_names,
    dotted_name,
)
from lrlint.analysis.evaluate_values import (
    BUILTIN,
    CONTAINER_TYPES,
    MAX_CALL_DEPTH,
    MAX_DEPTH,
    MAX_INT_BITS,
    MAX_SEQUENCE_LENGTH,
    MAX_STEPS,
    PLAIN_SCALARS,
    PLAIN_TYPES,
    SIZED_SEQUENCES,
    EvaluationError,
    LimitExceeded,
    NotStaticError,
    Unknown,
    UserCodeError,
    check_size,
    check_weight,
    integer_too_large,
    unknown_from,
    user_error,
)

_MISSING = object()
_KEYWORD_CONSTANTS: dict[str, object] = {"True": True, "False": False, "None": None}
# Exceptions a real operator may raise on plain values; anything else is a bug of ours.
_OPERATION_ERRORS = (ArithmeticError, ValueError, TypeError, LookupError)

_BINARY_OPERATORS: dict[type, Callable[[Any, Any], object]] = {
    cst.Add: operator.add, cst.Subtract: operator.sub, cst.Multiply: operator.mul,
    cst.Divide: operator.truediv, cst.FloorDivide: operator.floordiv,
    cst.Modulo: operator.mod, cst.Power: operator.pow, cst.LeftShift: operator.lshift,
    cst.RightShift: operator.rshift, cst.BitOr: operator.or_, cst.BitAnd: operator.and_,
    cst.BitXor: operator.xor, cst.MatrixMultiply: operator.matmul,
}
_UNARY_OPERATORS: dict[type, Callable[[Any], object]] = {
    cst.Minus: operator.neg, cst.Plus: operator.pos, cst.BitInvert: operator.invert,
}
_COMPARISONS: dict[type, Callable[[Any, Any], object]] = {
    cst.LessThan: operator.lt, cst.GreaterThan: operator.gt,
    cst.LessThanEqual: operator.le, cst.GreaterThanEqual: operator.ge,
    cst.Equal: operator.eq, cst.NotEqual: operator.ne,
    cst.In: lambda a, b: a in b, cst.NotIn: lambda a, b: a not in b,
}
_SINGLETONS = (None, True, False)
_SIZED_ITERABLES = CONTAINER_TYPES | {str, range}


def type_name(value: object) -> str:
    """The name CPython would use for the type of ``value`` in an error message."""
    kind = type(value)
    if kind is FunctionValue:
        return "function"
    if kind is NativeFunction:
        return "builtin_function_or_method"
    if kind is ModuleValue:
        return "module"
    if kind is GeneratorValue:
        return "generator"
    return kind.__name__


_INTS = (int, bool)


# Guards refuse operations whose result would be too large, before computing them.
def _guard_repeat(left: Any, right: Any, node: cst.CSTNode) -> None:
    if type(left) in SIZED_SEQUENCES and type(right) in _INTS:
        length, count = len(left), right
    elif type(right) in SIZED_SEQUENCES and type(left) in _INTS:
        length, count = len(right), left
    else:
        return
    if length * count > MAX_SEQUENCE_LENGTH:
        raise LimitExceeded(f"repetition longer than {MAX_SEQUENCE_LENGTH}", node)


def _guard_concatenate(left: Any, right: Any, node: cst.CSTNode) -> None:
    if type(left) in SIZED_SEQUENCES and type(right) in SIZED_SEQUENCES \
            and len(left) + len(right) > MAX_SEQUENCE_LENGTH:
        raise LimitExceeded(f"concatenation longer than {MAX_SEQUENCE_LENGTH}", node)


def _guard_power(left: Any, right: Any, node: cst.CSTNode) -> None:
    if type(left) in _INTS and type(right) in _INTS and right > 0 and abs(left) > 1 \
            and (abs(left).bit_length() - 1) * right > MAX_INT_BITS:
        raise integer_too_large(node)


def _guard_shift(left: Any, right: Any, node: cst.CSTNode) -> None:
    if type(left) in _INTS and type(right) in _INTS and left and right > MAX_INT_BITS:
        raise integer_too_large(node)


def _guard_format(left: Any, right: Any, node: cst.CSTNode) -> None:
    if type(left) is str:
        raise NotStaticError("%-formatting of strings is not supported", node)


_GUARDS: dict[type, Callable[[Any, Any, cst.CSTNode], None]] = {
    cst.Multiply: _guard_repeat, cst.Add: _guard_concatenate, cst.Power: _guard_power,
    cst.LeftShift: _guard_shift, cst.Modulo: _guard_format,
}


def _short(sequence: Sized) -> bool:
    try:
        return len(sequence) <= MAX_SEQUENCE_LENGTH
    except OverflowError:  # longer than sys.maxsize
        return False


class Evaluator:
    """Evaluates expressions (and, through ``evaluate_statements``, function bodies).

    One instance serves one fold() or one call of a step function: ``steps`` is the budget
    of nodes it may evaluate, ``depth`` the current nesting of expressions and calls.
    """

    __slots__ = ("call_depth", "depth", "env", "frame", "steps")

    def __init__(self, env: Any, frame: Frame | None = None, steps: int = MAX_STEPS) -> None:
        self.env = env
        self.frame = frame
        self.steps = steps
        self.depth = 0
        self.call_depth = 0

    # -- entry points -------------------------------------------------------------------

    def eval(self, node: cst.CSTNode) -> object:
        self.charge(1, node)
        handler = _EXPRESSIONS.get(type(node))
        if handler is None:
            raise NotStaticError(_unsupported_reason(node), node)
        if self.depth >= MAX_DEPTH:
            raise LimitExceeded("expression nested too deeply", node)
        self.depth += 1
        try:
            return handler(self, node)
        finally:
            self.depth -= 1

    def try_eval(self, node: cst.CSTNode) -> object:
        """The value of ``node``, or Unknown when it cannot be computed."""
        try:
            return self.eval(node)
        except EvaluationError as error:
            return unknown_from(error)
        except RecursionError:
            return Unknown("expression nested too deeply", node=node)

    def charge(self, steps: int, node: cst.CSTNode) -> None:
        self.steps -= steps
        if self.steps < 0:
            raise LimitExceeded("evaluation budget exhausted", node)

    # -- names --------------------------------------------------------------------------

    def is_local(self, name: str) -> bool:
        frame = self.frame
        while frame is not None:
            if name in frame.local_names:
                return True
            if name in frame.global_names:
                return False
            frame = frame.parent
        return False

    def read_name(self, name: str, node: cst.CSTNode) -> object:
        frame = self.frame
        innermost = True
        while frame is not None:
            if name in frame.local_names:
                value = frame.values.get(name, _MISSING)
                if value is _MISSING:
                    error = UnboundLocalError if innermost else NameError
                    raise UserCodeError(
                        f"local variable '{name}' referenced before assignment", error, node)
                if type(value) is Unknown:
                    raise NotStaticError(value.reason, node)  # type: ignore[attr-defined]
                return value
            if name in frame.global_names:
                break
            frame = frame.parent
            innermost = False
        return self.read_global(name, node)

    def read_global(self, name: str, node: cst.CSTNode) -> object:
        qualified = self.env.qualified_name(node)
        if qualified is not None:
            known = qualified_value(qualified, _MISSING)
            if known is not _MISSING:
                return known
        value = self.env.lookup(name, node)
        if value is BUILTIN:
            builtin = BUILTIN_FUNCTIONS.get(name)
            if builtin is None:
                raise NotStaticError(f"name '{name}' is not defined", node)
            return builtin
        kind = type(value)
        if kind is Unknown:
            raise NotStaticError(value.reason or f"name '{name}' is not a constant", node)
        if kind not in PLAIN_TYPES and kind not in _VALUE_CLASSES:
            raise NotStaticError(f"name '{name}' has a value of unsupported type", node)
        return value

    def supplied(self, node: cst.CSTNode) -> tuple[object] | None:
        """``(value,)`` when the env was given a value for this expression as written (``lrlint
        explain --set len(loader)=500``); None otherwise, and for envs without the hook."""
        find = getattr(self.env, "supplied_value", None)
        return None if find is None else find(node)

    def store(self, name: str, value: object, node: cst.CSTNode) -> None:
        frame = self.frame
        if frame is None or name in frame.global_names:
            raise NotStaticError(f"assignment to global '{name}' is not supported", node)
        if name in frame.nonlocal_names:
            frame = frame.parent
            while frame is not None and name not in frame.local_names:
                frame = frame.parent
            if frame is None:
                raise NotStaticError(f"nonlocal '{name}' has no binding", node)
        frame.values[name] = value

    # -- values -------------------------------------------------------------------------

    def truth(self, value: object) -> bool:
        return bool(value)  # our own value classes are truthy, like functions and modules

    def iterate(self, value: object, node: cst.CSTNode) -> Iterator[object]:
        """Iterate over ``value`` as a ``for`` loop would, charging one step per item."""
        kind = type(value)
        if kind is GeneratorValue:
            iterator = value.iterator  # type: ignore[attr-defined]
        elif kind in CONTAINER_TYPES or kind is str or kind is range:
            iterator = iter(value)  # type: ignore[call-overload]
        else:
            raise UserCodeError(f"'{type_name(value)}' object is not iterable", TypeError, node)
        for item in iterator:
            self.charge(1, node)
            yield item

    def materialize(self, value: object, node: cst.CSTNode) -> tuple:
        """The items of an iterable as a tuple, refusing more than MAX_SEQUENCE_LENGTH."""
        kind = type(value)
        if kind is tuple:
            return value  # type: ignore[return-value]
        if kind in _SIZED_ITERABLES and not _short(value):  # type: ignore[arg-type]
            raise LimitExceeded(f"iterable longer than {MAX_SEQUENCE_LENGTH}", node)
        items = []
        for item in self.iterate(value, node):
            items.append(item)
            if len(items) > MAX_SEQUENCE_LENGTH:
                raise LimitExceeded(f"iterable longer than {MAX_SEQUENCE_LENGTH}", node)
        return tuple(items)

    def python_callable(self, function: object, node: cst.CSTNode) -> Callable[..., object]:
        """``function`` as a Python callable (a ``key=`` for the real ``sorted``)."""
        return lambda *args: self.call_value(function, list(args), {}, node)

    # -- operations ---------------------------------------------------------------------

    def binary(self, op: type, left: object, right: object, node: cst.CSTNode) -> object:
        guard = _GUARDS.get(op)
        if guard is not None:
            guard(left, right, node)
        try:
            result = _BINARY_OPERATORS[op](left, right)
        except _OPERATION_ERRORS as exc:
            raise user_error(exc, node) from None
        return check_size(result, node)

    def power(self, base: object, exponent: object, node: cst.CSTNode) -> object:
        return self.binary(cst.Power, base, exponent, node)

    def compare(self, op: type, left: object, right: object, node: cst.CSTNode) -> object:
        if op is cst.Is or op is cst.IsNot:
            # Identity is only meaningful for singletons: `x is 5` depends on caching.
            if not any(left is s or right is s for s in _SINGLETONS):
                raise NotStaticError("identity comparison of values is not supported", node)
            return (left is right) is (op is cst.Is)
        if type(left) in CONTAINER_TYPES or type(right) in CONTAINER_TYPES:
            check_weight(left, node)
            check_weight(right, node)
        elif type(right) is range and type(left) not in (int, bool) and not _short(right):
            # range's fast membership test is for ints; anything else walks the range.
            raise LimitExceeded(f"range longer than {MAX_SEQUENCE_LENGTH}", node)
        try:
            return _COMPARISONS[op](left, right)
        except _OPERATION_ERRORS as exc:
            raise user_error(exc, node) from None

    def subscript(self, container: object, index: object, node: cst.CSTNode) -> object:
        kind = type(container)
        if kind not in (list, tuple, str, dict, range):
            raise UserCodeError(f"'{type_name(container)}' object is not subscriptable",
                                TypeError, node)
        if kind is dict:
            check_weight(index, node)
        try:
            return check_size(container[index], node)  # type: ignore[index]
        except _OPERATION_ERRORS as exc:
            raise user_error(exc, node) from None

    # -- calls --------------------------------------------------------------------------

    def make_function(self, node: FunctionNode) -> FunctionValue:
        """A function defined here: defaults are evaluated now, free names read later."""
        scope = analyse_function(node)
        defaults = {name: self.try_eval(expr) for name, expr in scope.default_expressions}
        return FunctionValue(node, self.env, self.frame, defaults)

    def call_value(self, function: object, args: list, kwargs: dict,
                   node: cst.CSTNode) -> object:
        kind = type(function)
        if kind is FunctionValue:
            return self.call_function(function, args, kwargs, node)  # type: ignore[arg-type]
        if kind is NativeFunction:
            try:
                result = function.impl(self, args, kwargs, node)  # type: ignore[attr-defined]
            except EvaluationError:
                raise
            except _OPERATION_ERRORS as exc:
                raise user_error(exc, node) from None
            return check_size(result, node)
        if kind is _BoundDictGet:
            return function.call(args, kwargs, node)  # type: ignore[attr-defined]
        raise UserCodeError(f"'{type_name(function)}' object is not callable", TypeError, node)

    def call_function(self, function: FunctionValue, args: list, kwargs: dict,
                      node: cst.CSTNode) -> object:
        scope = function.scope
        if scope.unsupported is not None:
            raise NotStaticError(scope.unsupported, node)
        if self.call_depth >= MAX_CALL_DEPTH:
            raise LimitExceeded("calls nested too deeply (recursion?)", node)
        values = statements.bind_arguments(scope, function.defaults, args, kwargs, node)
        frame = Frame(values, scope.local_names, function.closure, scope.global_names,
                      scope.nonlocal_names)
        saved_frame, saved_env = self.frame, self.env
        self.frame, self.env = frame, function.env
        self.call_depth += 1
        try:
            if type(function.node) is cst.Lambda:
                return self.eval(function.node.body)
            return statements.run_body(self, function.node.body)  # type: ignore[arg-type]
        finally:
            self.frame, self.env = saved_frame, saved_env
            self.call_depth -= 1

    def arguments(self, args: Sequence[cst.Arg], node: cst.CSTNode) -> tuple[list, dict]:
        positional: list = []
        keywords: dict = {}
        for arg in args:
            value = self.eval(arg.value)
            if arg.star == "*":
                positional.extend(self.materialize(value, arg))
            elif arg.star == "**":
                if type(value) is not dict or any(type(k) is not str for k in value):
                    raise NotStaticError("** of something other than a dict of str", arg)
                keywords.update(value)  # type: ignore[arg-type]
            elif arg.keyword is not None:
                keywords[arg.keyword.value] = value
            else:
                positional.append(value)
        return positional, keywords

    # -- comprehensions -----------------------------------------------------------------

    def comprehension(self, node: cst.BaseComp) -> Iterator[object]:
        """The items a comprehension produces, lazily, in its own scope.

        As in CPython, the first iterable is evaluated at once in the enclosing scope; the
        rest runs in the comprehension's frame whenever the next item is asked for.
        """
        first = self.iterate(self.eval(node.for_in.iter), node.for_in.iter)
        frame = Frame({}, comprehension_names(node.for_in), self.frame)
        env = self.env

        def produce(clause: cst.CompFor, iterator: Iterator[object]) -> Iterator[object]:
            for item in iterator:
                saved_frame, saved_env = self.frame, self.env
                self.frame, self.env = frame, env
                try:
                    statements.assign(self, clause.target, item, clause)
                    if not all(self.truth(self.eval(cond.test)) for cond in clause.ifs):
                        continue
                    inner = clause.inner_for_in
                    if inner is not None:
                        nested = self.iterate(self.eval(inner.iter), inner.iter)
                    elif type(node) is cst.DictComp:
                        element = (self.eval(node.key), self.eval(node.value))
                    else:
                        element = self.eval(node.elt)  # type: ignore[attr-defined]
                finally:
                    self.frame, self.env = saved_frame, saved_env
                if inner is not None:
                    yield from produce(inner, nested)
                else:
                    yield element

        return produce(node.for_in, first)


class _BoundDictGet:
    """``config.get(key, default)`` on a dict value: the one method call we model."""

    __slots__ = ("mapping",)

    def __init__(self, mapping: dict) -> None:
        self.mapping = mapping

    def call(self, args: list, kwargs: dict, node: cst.CSTNode) -> object:
        if kwargs or not 1 <= len(args) <= 2:
            raise UserCodeError("get() takes 1 or 2 positional arguments", TypeError, node)
        check_weight(args[0], node)
        try:
            return self.mapping.get(*args)
        except TypeError as exc:  # an unhashable key
            raise user_error(exc, node) from None


_VALUE_CLASSES = frozenset({FunctionValue, NativeFunction, ModuleValue, GeneratorValue,
                            _BoundDictGet})


def _unsupported_reason(node: cst.CSTNode) -> str:
    kind = type(node)
    if kind is cst.Imaginary:
        return "complex numbers are not supported"
    if kind is cst.NamedExpr:
        return "assignment expressions (:=) are not supported"
    if kind is cst.Await:
        return "await is not supported"
    if kind in (cst.Yield,):
        return "yield is not supported"
    return f"{kind.__name__} expressions are not supported"


# -- expression handlers -----------------------------------------------------------------

def _name(ev: Evaluator, node: cst.Name) -> object:
    constant = _KEYWORD_CONSTANTS.get(node.value, _MISSING)
    if constant is not _MISSING:
        return constant
    return ev.read_name(node.value, node)


def _attribute(ev: Evaluator, node: cst.Attribute) -> object:
    supplied = ev.supplied(node)
    if supplied is not None:
        return supplied[0]
    dotted = dotted_name(node)
    if dotted is not None and not ev.is_local(dotted.partition(".")[0]):
        qualified = ev.env.qualified_name(node)
        if qualified is not None:
            known = qualified_value(qualified, _MISSING)
            if known is not _MISSING:
                return known
    if dotted is not None and not ev.is_local(dotted.partition(".")[0]):
        # What the environment knows of it: a config default, another module's constant.
        reader = getattr(ev.env, "attribute", None)
        if reader is not None:
            value = reader(node)
            if type(value) is not Unknown:
                return value
    base = ev.eval(node.value)
    attr = node.attr.value
    if type(base) is ModuleValue:
        known = qualified_value(f"{base.name}.{attr}", _MISSING)  # type: ignore[attr-defined]
        if known is _MISSING:
            raise NotStaticError(f"{base.name}.{attr} is not supported", node)  # type: ignore
        return known
    if type(base) is dict and attr == "get":
        return _BoundDictGet(base)  # type: ignore[arg-type]
    raise NotStaticError(f"attribute .{attr} of a {type_name(base)} is not supported", node)


def _call(ev: Evaluator, node: cst.Call) -> object:
    supplied = ev.supplied(node)
    if supplied is not None:
        return supplied[0]
    try:
        function = ev.eval(node.func)
    except LimitExceeded:
        raise
    except NotStaticError as error:
        name = dotted_name(node.func)
        described = f"call to {name}()" if name else "call of an unknown function"
        raise NotStaticError(described, node) from error
    args, kwargs = ev.arguments(node.args, node)
    return ev.call_value(function, args, kwargs, node)


def _binary_operation(ev: Evaluator, node: cst.BinaryOperation) -> object:
    left = ev.eval(node.left)
    right = ev.eval(node.right)
    return ev.binary(type(node.operator), left, right, node)


def _unary_operation(ev: Evaluator, node: cst.UnaryOperation) -> object:
    value = ev.eval(node.expression)
    if type(node.operator) is cst.Not:
        return not ev.truth(value)
    try:
        return check_size(_UNARY_OPERATORS[type(node.operator)](value), node)
    except _OPERATION_ERRORS as exc:
        raise user_error(exc, node) from None


def _boolean_operation(ev: Evaluator, node: cst.BooleanOperation) -> object:
    left = ev.eval(node.left)
    if ev.truth(left) is (type(node.operator) is cst.Or):
        return left  # `a or b` is a when a is true; `a and b` is a when a is false
    return ev.eval(node.right)


def _comparison(ev: Evaluator, node: cst.Comparison) -> object:
    left = ev.eval(node.left)
    result: object = True
    for target in node.comparisons:
        right = ev.eval(target.comparator)
        result = ev.compare(type(target.operator), left, right, target)
        if not ev.truth(result):
            return result  # a chain stops at its first false link, as in CPython
        left = right
    return result


def _if_expression(ev: Evaluator, node: cst.IfExp) -> object:
    return ev.eval(node.body if ev.truth(ev.eval(node.test)) else node.orelse)


def _elements(ev: Evaluator, elements: Sequence[cst.BaseElement]) -> list:
    items: list = []
    for element in elements:
        value = ev.eval(element.value)
        if type(element) is cst.StarredElement:
            items.extend(ev.materialize(value, element))
        else:
            items.append(value)
    if len(items) > MAX_SEQUENCE_LENGTH:
        raise LimitExceeded(f"display longer than {MAX_SEQUENCE_LENGTH}", elements[0])
    return items


def _tuple(ev: Evaluator, node: cst.Tuple) -> object:
    return tuple(_elements(ev, node.elements))


def _list(ev: Evaluator, node: cst.List) -> object:
    return _elements(ev, node.elements)


def _hashable(ev: Evaluator, value: object, node: cst.CSTNode) -> object:
    check_weight(value, node)
    try:
        hash(value)
    except TypeError as exc:
        raise user_error(exc, node) from None
    return value


def _set(ev: Evaluator, node: cst.Set) -> object:
    return {_hashable(ev, item, node) for item in _elements(ev, node.elements)}


def _dict(ev: Evaluator, node: cst.Dict) -> object:
    result: dict = {}
    for element in node.elements:
        if type(element) is cst.StarredDictElement:
            value = ev.eval(element.value)
            if type(value) is not dict:
                raise UserCodeError(f"'{type_name(value)}' object is not a mapping",
                                    TypeError, element)
            result.update(value)  # type: ignore[arg-type]
        else:
            key = _hashable(ev, ev.eval(element.key), element)  # type: ignore[attr-defined]
            result[key] = ev.eval(element.value)
    return check_size(result, node)


def _subscript(ev: Evaluator, node: cst.Subscript) -> object:
    supplied = ev.supplied(node)
    if supplied is not None:
        return supplied[0]
    container = ev.eval(node.value)
    indices = []
    for element in node.slice:
        part = element.slice
        if type(part) is cst.Index:
            if part.star is not None:
                raise NotStaticError("starred subscripts are not supported", part)
            indices.append(ev.eval(part.value))
        else:
            bounds = (part.lower, part.upper, part.step)  # type: ignore[attr-defined]
            indices.append(slice(*(None if b is None else ev.eval(b) for b in bounds)))
    index = indices[0] if len(indices) == 1 else tuple(indices)
    return ev.subscript(container, index, node)


def _concatenated_string(ev: Evaluator, node: cst.ConcatenatedString) -> object:
    return ev.binary(cst.Add, ev.eval(node.left), ev.eval(node.right), node)


def _formatted_string(ev: Evaluator, node: cst.FormattedString) -> object:
    raw = "r" in node.prefix
    return "".join(_format_parts(ev, node.parts, raw, node))


def _format_parts(ev: Evaluator, parts: Sequence[cst.BaseFormattedStringContent], raw: bool,
                  node: cst.CSTNode) -> Iterator[str]:
    for part in parts:
        if type(part) is cst.FormattedStringText:
            yield formatted_text_value(part, raw)
            continue
        if type(part) is not cst.FormattedStringExpression or part.equal is not None:
            raise NotStaticError("this f-string is not supported", part)
        value = ev.eval(part.expression)
        if type(value) not in PLAIN_SCALARS:
            raise NotStaticError("f-string of a non-scalar value is not supported", part)
        conversion = {None: None, "r": repr, "s": str, "a": ascii}.get(part.conversion, str)
        if conversion is not None:
            value = conversion(value)
        spec = "".join(_format_parts(ev, part.format_spec or (), raw, node))
        check_format_spec(spec, part)
        try:
            yield format(value, spec)
        except _OPERATION_ERRORS as exc:
            raise user_error(exc, part) from None


def _lambda(ev: Evaluator, node: cst.Lambda) -> object:
    return ev.make_function(node)


def _list_comprehension(ev: Evaluator, node: cst.ListComp) -> object:
    return list(ev.materialize(GeneratorValue(ev.comprehension(node)), node))


def _set_comprehension(ev: Evaluator, node: cst.SetComp) -> object:
    items = ev.materialize(GeneratorValue(ev.comprehension(node)), node)
    return {_hashable(ev, item, node) for item in items}


def _dict_comprehension(ev: Evaluator, node: cst.DictComp) -> object:
    pairs = ev.materialize(GeneratorValue(ev.comprehension(node)), node)
    return {_hashable(ev, key, node): value for key, value in pairs}


def _generator(ev: Evaluator, node: cst.GeneratorExp) -> object:
    return GeneratorValue(ev.comprehension(node))


_EXPRESSIONS: dict[type, Callable[[Evaluator, Any], object]] = {
    cst.Integer: lambda ev, node: integer_value(node),
    cst.Float: lambda ev, node: float_value(node),
    cst.SimpleString: lambda ev, node: simple_string_value(node),
    cst.ConcatenatedString: _concatenated_string,
    cst.FormattedString: _formatted_string,
    cst.Name: _name,
    cst.Attribute: _attribute,
    cst.Call: _call,
    cst.BinaryOperation: _binary_operation,
    cst.UnaryOperation: _unary_operation,
    cst.BooleanOperation: _boolean_operation,
    cst.Comparison: _comparison,
    cst.IfExp: _if_expression,
    cst.Tuple: _tuple,
    cst.List: _list,
    cst.Set: _set,
    cst.Dict: _dict,
    cst.Subscript: _subscript,
    cst.Lambda: _lambda,
    cst.ListComp: _list_comprehension,
    cst.SetComp: _set_comprehension,
    cst.DictComp: _dict_comprehension,
    cst.GeneratorExp: _generator,
}
