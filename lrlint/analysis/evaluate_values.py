"""Values, limits and errors of lrlint's static evaluator (see ``evaluate.py``).

The evaluator computes with plain Python values (int, float, bool, str, None, tuple, list,
dict, set, range) and a few wrappers of its own (functions, modules, generators). It never
runs user code, so every operation whose cost depends on its operands is bounded here: an
integer may not grow past ``MAX_INT_BITS``, a sequence past ``MAX_SEQUENCE_LENGTH``, and an
operation that walks nested containers (comparison, hashing, ``sorted``) may not touch more
than ``MAX_WEIGHT`` items.
"""

from __future__ import annotations

import libcst as cst

# Large enough for ``2 ** step`` over the first thousand steps (floats overflow at 2**1024),
# small enough that arithmetic on such ints costs microseconds.
MAX_INT_BITS = 2048
MAX_SEQUENCE_LENGTH = 100_000
MAX_WEIGHT = 100_000
# Expression nesting plus calls; each level costs the interpreter two or three Python frames.
MAX_DEPTH = 200
MAX_CALL_DEPTH = 40
# Nodes and loop iterations one fold() or one step-function call may evaluate.
MAX_STEPS = 200_000
MAX_REASON_LENGTH = 200


class Unknown:
    """A value that cannot be computed statically. Falsy; ``reason`` says why.

    ``error`` is the exception type CPython would raise evaluating the expression when that
    is certain (``ZeroDivisionError`` for ``1 / 0``), else None. ``node`` is the sub-expression
    that failed, when known.
    """

    __slots__ = ("error", "node", "reason")

    def __init__(self, reason: str, error: type[BaseException] | None = None,
                 node: cst.CSTNode | None = None) -> None:
        self.reason = reason
        self.error = error
        self.node = node

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


def is_known(value: object) -> bool:
    return type(value) is not Unknown


class _BuiltinSentinel:
    """What ``EvalEnv.lookup`` returns for a name the linted module does not bind."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "BUILTIN"


BUILTIN = _BuiltinSentinel()


class EvaluationError(Exception):
    """Evaluating a step function failed; ``reason`` says why, ``node`` says where."""

    def __init__(self, reason: str, node: cst.CSTNode | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.node = node


class NotStaticError(EvaluationError):
    """The code needs something the evaluator cannot know or does not model."""


class LimitExceeded(NotStaticError):
    """A bound of the evaluator was hit (size, nesting, budget): the code is too costly."""


class UserCodeError(EvaluationError):
    """The code itself would raise ``python_exception`` here when run by CPython."""

    def __init__(self, reason: str, python_exception: type[BaseException],
                 node: cst.CSTNode | None = None) -> None:
        super().__init__(reason, node)
        self.python_exception = python_exception


class DivisionByZeroError(UserCodeError, ZeroDivisionError):
    """The code divides by zero (``except ZeroDivisionError`` catches it too)."""

    def __init__(self, node: cst.CSTNode | None = None) -> None:
        super().__init__("division by zero", ZeroDivisionError, node)


def shorten(text: str) -> str:
    return text if len(text) <= MAX_REASON_LENGTH else text[: MAX_REASON_LENGTH - 3] + "..."


def user_error(exc: Exception, node: cst.CSTNode | None) -> UserCodeError:
    """The error for a Python exception raised by an operation on plain values."""
    if isinstance(exc, ZeroDivisionError):
        return DivisionByZeroError(node)
    return UserCodeError(shorten(f"{type(exc).__name__}: {exc}"), type(exc), node)


def unknown_from(error: EvaluationError) -> Unknown:
    python_exception = getattr(error, "python_exception", None)
    return Unknown(error.reason, python_exception, error.node)


# Containers a fold result may consist of; anything else is internal to the evaluator.
PLAIN_SCALARS = (int, float, bool, str, type(None))
PLAIN_TYPES = frozenset({int, float, bool, str, type(None), tuple, list, dict, set, frozenset,
                         range})
CONTAINER_TYPES = frozenset({tuple, list, dict, set, frozenset})
SIZED_SEQUENCES = frozenset({str, tuple, list})


def integer_too_large(node: cst.CSTNode | None) -> LimitExceeded:
    return LimitExceeded(f"integer result exceeds 2**{MAX_INT_BITS}", node)


def check_size(value: object, node: cst.CSTNode | None) -> object:
    """Refuse results too large to compute with (CPython would compute them, slowly)."""
    kind = type(value)
    if kind is int:
        if value.bit_length() > MAX_INT_BITS:  # type: ignore[attr-defined]
            raise integer_too_large(node)
    elif kind is complex:
        raise NotStaticError("complex numbers are not supported", node)
    elif (kind in CONTAINER_TYPES or kind is str) \
            and len(value) > MAX_SEQUENCE_LENGTH:  # type: ignore[arg-type]
        raise LimitExceeded(f"{kind.__name__} longer than {MAX_SEQUENCE_LENGTH}", node)
    return value


def check_weight(value: object, node: cst.CSTNode | None) -> None:
    """Refuse to compare or hash nested containers that would take long to walk.

    Repetition (``[[0] * 100] * 100``) shares objects, so a value can be far heavier than the
    memory it occupies; CPython walks every shared copy.
    """
    if type(value) not in CONTAINER_TYPES:
        return
    stack = [value]
    visited = 0
    while stack:
        item = stack.pop()
        visited += 1
        kind = type(item)
        if kind in CONTAINER_TYPES:
            if visited + len(stack) + len(item) > MAX_WEIGHT:
                raise LimitExceeded("nested containers too large to compare", node)
            if kind is dict:
                stack.extend(item.keys())
                stack.extend(item.values())
            else:
                stack.extend(item)


def is_plain(value: object) -> bool:
    """True for values made only of plain Python data (no functions, modules, generators)."""
    if type(value) not in PLAIN_TYPES:
        return False
    if type(value) not in CONTAINER_TYPES:
        return True
    stack = [value]
    seen: set[int] = set()  # values are never mutated, so a shared container is checked once
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind not in PLAIN_TYPES:
            return False
        if kind in CONTAINER_TYPES:
            if id(item) in seen:
                continue
            seen.add(id(item))
        if kind is dict:
            stack.extend(item.keys())
            stack.extend(item.values())
        elif kind in CONTAINER_TYPES:
            stack.extend(item)
    return True
