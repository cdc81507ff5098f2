"""The builtins and ``math``/``numpy`` names the static evaluator knows.

Each native gets already-evaluated plain values, so calling the real builtin or ``math``
function on them computes exactly what CPython computes; the wrappers here only bound the
cost of operations that walk their argument (``sum``, ``sorted``, ``min`` ...). ``numpy`` is
never imported: its scalar functions are computed with ``math`` (see ``_numpy_*``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import libcst as cst

from lrlint.analysis.evaluate_values import MAX_INT_BITS, NotStaticError, check_weight

Impl = Callable[[Any, list, dict, cst.CSTNode], object]


class NativeFunction:
    """A builtin or library function the evaluator computes itself."""

    __slots__ = ("impl", "name")

    def __init__(self, name: str, impl: Impl) -> None:
        self.name = name
        self.impl = impl

    def __repr__(self) -> str:
        return f"<native {self.name}>"


class ModuleValue:
    """A module bound to a name (``import math as m`` inside a function, ``m = math``)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<module {self.name}>"


def _direct(function: Callable[..., object]) -> Impl:
    return lambda ev, args, kwargs, node: function(*args, **kwargs)


def _min_max(real: Callable[..., object]) -> Impl:
    def impl(ev: Any, args: list, kwargs: dict, node: cst.CSTNode) -> object:
        if len(args) == 1:
            args = [ev.materialize(args[0], node)]
        check_weight(tuple(args), node)
        if kwargs.get("key") is not None:
            kwargs = {**kwargs, "key": ev.python_callable(kwargs["key"], node)}
        return real(*args, **kwargs)

    return impl


def _sum(ev: Any, args: list, kwargs: dict, node: cst.CSTNode) -> object:
    if not args or len(args) > 2 or set(kwargs) - {"start"}:
        return sum(*args, **kwargs)  # CPython's own TypeError, raised before iterating
    items = ev.materialize(args[0], node)
    start = args[1] if len(args) == 2 else kwargs.get("start", 0)
    if type(start) in (list, tuple):
        # Summing sequences concatenates: quadratic, and never what a schedule does.
        raise NotStaticError("sum() of sequences is not supported", node)
    return sum(items, start)  # numbers, or CPython's TypeError at the first non-number


def _pow(ev: Any, args: list, kwargs: dict, node: cst.CSTNode) -> object:
    bound = dict(zip(("base", "exp", "mod"), args))
    for keyword, value in kwargs.items():
        if keyword not in ("base", "exp", "mod") or keyword in bound:
            raise TypeError(f"pow() got an unexpected keyword argument '{keyword}'")
        bound[keyword] = value
    if len(args) > 3 or "base" not in bound or "exp" not in bound:
        raise TypeError("pow() takes 2 or 3 arguments")
    if bound.get("mod") is None:
        return ev.power(bound["base"], bound["exp"], node)
    if all(type(value) in (int, bool) for value in bound.values()):
        return pow(bound["base"], bound["exp"], bound["mod"])  # bounded by the modulus
    raise TypeError("pow() 3rd argument not allowed unless all arguments are integers")


# |int| < 2**MAX_INT_BITS < 10**_MAX_DECIMAL_DIGITS, so rounding to fewer digits gives 0.
_MAX_DECIMAL_DIGITS = int(MAX_INT_BITS * math.log10(2)) + 2


def _round(ev: Any, args: list, kwargs: dict, node: cst.CSTNode) -> object:
    number = args[0] if args else kwargs.get("number")
    ndigits = args[1] if len(args) > 1 else kwargs.get("ndigits")
    if type(number) in (int, bool) and type(ndigits) in (int, bool) \
            and ndigits < -_MAX_DECIMAL_DIGITS and len(args) + len(kwargs) == 2:
        return 0  # CPython would first compute 10 ** -ndigits, however large
    return round(*args, **kwargs)


def _sequence(kind: type) -> Impl:
    def impl(ev: Any, args: list, kwargs: dict, node: cst.CSTNode) -> object:
        if kwargs or len(args) > 1:
            return kind(*args, **kwargs)  # CPython's own TypeError
        return kind(ev.materialize(args[0], node)) if args else kind()

    return impl


def _sorted(ev: Any, args: list, kwargs: dict, node: cst.CSTNode) -> object:
    if len(args) != 1:
        return sorted(*args, **kwargs)  # CPython's own TypeError
    items = ev.materialize(args[0], node)
    check_weight(items, node)
    if kwargs.get("key") is not None:
        kwargs = {**kwargs, "key": ev.python_callable(kwargs["key"], node)}
    return sorted(items, **kwargs)


def _any_all(want: bool) -> Impl:
    def impl(ev: Any, args: list, kwargs: dict, node: cst.CSTNode) -> object:
        if len(args) != 1 or kwargs:
            return any(*args, **kwargs) if want else all(*args, **kwargs)
        for item in ev.iterate(args[0], node):  # lazily: any() stops at the first hit
            if ev.truth(item) is want:
                return want
        return not want

    return impl


BUILTIN_FUNCTIONS: dict[str, NativeFunction] = {
    name: NativeFunction(name, impl)
    for name, impl in {
        "abs": _direct(abs),
        "all": _any_all(False),
        "any": _any_all(True),
        "bool": _direct(bool),
        "divmod": _direct(divmod),
        "float": _direct(float),
        "int": _direct(int),
        "len": _direct(len),
        "list": _sequence(list),
        "max": _min_max(max),
        "min": _min_max(min),
        "pow": _pow,
        "range": _direct(range),
        "round": _round,
        "sorted": _sorted,
        "sum": _sum,
        "tuple": _sequence(tuple),
    }.items()
}

_MATH_FUNCTIONS = (
    "acos", "asin", "atan", "atan2", "ceil", "copysign", "cos", "cosh", "degrees", "exp",
    "expm1", "fabs", "floor", "fmod", "hypot", "isclose", "isfinite", "isinf", "isnan",
    "log", "log10", "log1p", "log2", "pow", "radians", "sin", "sinh", "sqrt", "tan", "tanh",
    "trunc",
)  # no factorial/comb/perm/prod: their cost grows with their arguments


# numpy on Python scalars, computed with math. Differences from numpy itself: numpy uses its
# own (sometimes SIMD) cos/sin/exp/log, which may differ from the C library's in the last
# bit; it returns numpy float64/int64 scalars, so later arithmetic on them follows numpy
# (x / 0.0 gives inf with a warning, int64 wraps around) where ours follows Python floats
# and ints. Where numpy returns inf or nan with a warning, math raises: we return numpy's.
def _numpy_unary(function: Callable[[float], float],
                 domain_error: Callable[[float], float]) -> Impl:
    def impl(ev: Any, args: list, kwargs: dict, node: cst.CSTNode) -> object:
        if len(args) != 1 or kwargs or type(args[0]) not in (int, float, bool):
            raise NotStaticError("numpy function on a non-scalar is not supported", node)
        x = float(args[0])
        try:
            return function(x)
        except (ValueError, OverflowError):
            return domain_error(x)

    return impl


def _nan(x: float) -> float:
    return math.nan


def _log_domain(x: float) -> float:
    return -math.inf if x == 0 else math.nan


def _exp_overflow(x: float) -> float:
    return math.inf


def _keep_non_finite(x: float) -> float:
    return x  # numpy.floor(inf) is inf, floor(nan) is nan


def _numpy_extremum(pick: Callable[..., object]) -> Impl:
    def impl(ev: Any, args: list, kwargs: dict, node: cst.CSTNode) -> object:
        numbers = (int, float, bool)
        if len(args) != 2 or kwargs or any(type(a) not in numbers for a in args):
            raise NotStaticError("numpy.minimum/maximum on non-scalars is not supported", node)
        a, b = args
        if any(type(v) is float for v in args):
            a, b = float(a), float(b)
            if math.isnan(a) or math.isnan(b):
                return math.nan  # numpy propagates nan; min()/max() would not
        return pick(a, b)

    return impl


def _numpy_clip(ev: Any, args: list, kwargs: dict, node: cst.CSTNode) -> object:
    if len(args) != 3 or kwargs:
        raise NotStaticError("numpy.clip() with these arguments is not supported", node)
    low = _NUMPY_MAXIMUM(ev, [args[0], args[1]], {}, node)
    return _NUMPY_MINIMUM(ev, [low, args[2]], {}, node)


_NUMPY_MINIMUM = _numpy_extremum(min)
_NUMPY_MAXIMUM = _numpy_extremum(max)

_NUMPY_FUNCTIONS: dict[str, Impl] = {
    "cos": _numpy_unary(math.cos, _nan),
    "sin": _numpy_unary(math.sin, _nan),
    "tan": _numpy_unary(math.tan, _nan),
    "exp": _numpy_unary(math.exp, _exp_overflow),
    "log": _numpy_unary(math.log, _log_domain),
    "log2": _numpy_unary(math.log2, _log_domain),
    "log10": _numpy_unary(math.log10, _log_domain),
    "sqrt": _numpy_unary(math.sqrt, _nan),
    "floor": _numpy_unary(lambda x: float(math.floor(x)), _keep_non_finite),
    "ceil": _numpy_unary(lambda x: float(math.ceil(x)), _keep_non_finite),
    "minimum": _NUMPY_MINIMUM,
    "maximum": _NUMPY_MAXIMUM,
    "clip": _numpy_clip,
}

MODULES: dict[str, ModuleValue] = {name: ModuleValue(name) for name in ("math", "numpy")}

_MISSING = object()

# Import-resolved dotted names (as EvalEnv.qualified_name gives them) to values.
QUALIFIED_VALUES: dict[str, object] = {
    "math.pi": math.pi, "math.e": math.e, "math.tau": math.tau, "math.inf": math.inf,
    "math.nan": math.nan,
    "numpy.pi": math.pi, "numpy.e": math.e, "numpy.inf": math.inf, "numpy.nan": math.nan,
    **{f"math.{name}": NativeFunction(f"math.{name}", _direct(getattr(math, name)))
       for name in _MATH_FUNCTIONS},
    **{f"numpy.{name}": NativeFunction(f"numpy.{name}", impl)
       for name, impl in _NUMPY_FUNCTIONS.items()},
    **{f"builtins.{name}": function for name, function in BUILTIN_FUNCTIONS.items()},
}


def qualified_value(qualified: str, missing: object = _MISSING) -> object:
    """The value of an import-resolved name (``math.pi``, ``numpy``), or ``missing``."""
    value = QUALIFIED_VALUES.get(qualified, _MISSING)
    if value is _MISSING:
        return MODULES.get(qualified, missing)
    return value
