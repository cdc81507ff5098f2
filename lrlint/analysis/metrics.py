"""Which way a metric expression is better: up (an accuracy) or down (a loss), from its name.

Used by LR010 to compare a ``ReduceLROnPlateau`` mode with what it is stepped with. A name is
split into words (``val_acc`` -> val, acc; ``top1Accuracy`` -> top, 1, accuracy;
``metrics["val/f1"]`` -> val, f1), and only whole words count: ``accumulate`` and ``mapping`` are
no metrics. A name with words of both kinds (``acc_loss``) or of neither (``metric``, ``value``)
has no direction; a name of neither kind is followed to what was assigned to it, and a name
whose assigned value says the opposite (``score = val_loss``) has no direction either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import libcst as cst

from lrlint.analysis.collect import string_value, subscript_key
from lrlint.analysis.facts import Scope
from lrlint.analysis.model import ModuleModel

Direction = Literal["higher", "lower"]

HIGHER_WORDS = frozenset({
    "acc", "accuracy", "f1", "auc", "iou", "miou", "dice", "map", "bleu", "score", "rouge",
    "psnr", "ssim",
})
LOWER_WORDS = frozenset({
    "loss", "nll", "perplexity", "ppl", "error", "err", "mse", "mae", "rmse", "wer", "cer", "fid",
})
# Attributes and methods that carry a metric's value without naming it: ``top1.avg``,
# ``val_loss.item()``, ``float(acc)``.
_CARRIERS = frozenset({
    "avg", "average", "mean", "val", "value", "item", "data", "sum", "global_avg", "median",
    "result", "current", "cpu", "detach", "numpy", "tolist", "compute",
})
_WRAPPERS = frozenset({
    "float", "int", "round", "abs", "mean", "tensor", "as_tensor", "array", "asarray",
    "sum", "median", "nanmean", "average", "item",
})
_MAX_DEPTH = 4

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")


@dataclass(frozen=True)
class Metric:
    direction: Direction
    shown: str  # the source text that named it (``val_acc``, ``metrics["f1"]``)
    negated: bool = False  # ``-val_acc``: the expression runs against the name
    origin: str | None = None  # where a neutral name got its direction ("logged as `acc`")


def words_of(name: str) -> set[str]:
    """The lower-case words of an identifier or key; plural ``-s``/``-es`` also as singular."""
    words: set[str] = set()
    for chunk in re.split(r"[^A-Za-z0-9]+", name):
        if not chunk:
            continue
        parts = [chunk.lower()] + [p.lower() for p in _CAMEL.split(chunk) if p]
        for part in parts:
            words.add(part)
            for suffix in ("es", "s"):
                if part.endswith(suffix) and len(part) > len(suffix) + 1:
                    words.add(part[: -len(suffix)])
    return words


def direction_of_name(name: str) -> Direction | None:
    words = words_of(name)
    higher = bool(words & HIGHER_WORDS)
    lower = bool(words & LOWER_WORDS)
    if higher == lower:
        return None
    return "higher" if higher else "lower"


def metric_direction(model: ModuleModel, expr: cst.BaseExpression, scope: Scope, order: int,
                     shown: str | None = None, depth: int = 0) -> Metric | None:
    """The direction in which ``expr`` (evaluated at scope/order) gets better, or None."""
    if depth > _MAX_DEPTH:
        return None
    if shown is None:
        shown = model.module.code_for_node(expr)
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        inner = metric_direction(model, expr.expression, scope, order, shown, depth + 1)
        return _flipped(inner)
    if isinstance(expr, cst.BinaryOperation):
        return _binary(model, expr, scope, order, shown, depth)
    if isinstance(expr, cst.Call):
        return _call(model, expr, scope, order, shown, depth)
    if isinstance(expr, cst.Attribute):
        if expr.attr.value in _CARRIERS:
            return metric_direction(model, expr.value, scope, order, shown, depth + 1)
        return _named(expr.attr.value, shown)
    if isinstance(expr, cst.Subscript):
        key = subscript_key(expr)
        if key is not None:
            return _named(key, shown)
        return metric_direction(model, expr.value, scope, order, shown, depth + 1)
    if isinstance(expr, cst.SimpleString):
        value = string_value(expr)
        return _named(value, shown) if value is not None else None
    if isinstance(expr, cst.Name):
        found = _named(expr.value, shown)
        followed = _followed(model, expr, scope, order, shown, depth)
        if found is None:
            return followed
        if followed is not None and followed.direction != found.direction:
            return None  # ``score = val_loss``: the name and its value disagree
        return found
    if isinstance(expr, cst.IfExp):
        return _agreeing([
            metric_direction(model, branch, scope, order, shown, depth + 1)
            for branch in (expr.body, expr.orelse)
        ])
    return None


def logged_metric_direction(model: ModuleModel, key_expr: cst.BaseExpression, scope: Scope,
                            order: int, logged) -> Metric | None:
    """The direction of a Lightning ``"monitor"`` key: its own name, checked against the values
    the module logs under it (``logged(key)``: ``self.log(key, value)``), or read from them
    when the name says nothing (``"val_metric"`` logged as ``acc``)."""
    metric = metric_direction(model, key_expr, scope, order)
    key = model.fold(key_expr, scope, order)
    values = logged(key) if isinstance(key, str) else []
    followed = _agreeing([metric_direction(model, value, value_scope, value_order,
                                           depth=1) for value, value_scope, value_order in values])
    if metric is None:
        if followed is None:
            return None
        codes = sorted({model.module.code_for_node(value) for value, _, _ in values})
        return Metric(followed.direction, model.module.code_for_node(key_expr),
                      origin="logged as " + ", ".join(f"`{code}`" for code in codes))
    if followed is not None and followed.direction != metric.direction:
        return None  # ``self.log("val_score", val_loss)``: the key and its value disagree
    return metric


def _named(name: str, shown: str) -> Metric | None:
    direction = direction_of_name(name)
    return Metric(direction, shown) if direction is not None else None


def _flipped(metric: Metric | None) -> Metric | None:
    if metric is None:
        return None
    opposite: Direction = "lower" if metric.direction == "higher" else "higher"
    return Metric(opposite, metric.shown, not metric.negated)


def _binary(model, expr: cst.BinaryOperation, scope, order, shown, depth) -> Metric | None:
    left = metric_direction(model, expr.left, scope, order, shown, depth + 1)
    right = metric_direction(model, expr.right, scope, order, shown, depth + 1)
    if left is not None and right is not None:
        return None  # two metrics combined: no single direction
    operator = expr.operator
    if isinstance(operator, cst.Subtract):
        # ``1 - acc`` is an error rate; ``loss - 0.1`` is still a loss.
        return left if left is not None else _flipped(right)
    if isinstance(operator, cst.Add):
        return left or right
    if isinstance(operator, (cst.Multiply, cst.Divide)):
        # Scaling by a positive literal (``acc * 100``, ``loss / n``) keeps the direction.
        other = expr.right if left is not None else expr.left
        if left is not None and isinstance(other, (cst.Integer, cst.Float, cst.Name)):
            return left
        if right is not None and isinstance(operator, cst.Multiply) and isinstance(
            other, (cst.Integer, cst.Float)
        ):
            return right
    return None


def _call(model, call: cst.Call, scope, order, shown, depth) -> Metric | None:
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in _CARRIERS and not call.args:
        return metric_direction(model, func.value, scope, order, shown, depth + 1)
    name = func.attr.value if isinstance(func, cst.Attribute) else (
        func.value if isinstance(func, cst.Name) else None
    )
    if name is None:
        return None
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if name in _WRAPPERS and positional:
        return metric_direction(model, positional[0].value, scope, order, shown, depth + 1)
    return _named(name, shown)  # ``compute_accuracy(out, y)``




def _followed(model: ModuleModel, name: cst.Name, scope: Scope, order: int, shown: str,
              depth: int) -> Metric | None:
    """A neutral name (``metric``): the direction every value reaching it agrees on."""
    scope = model.facts.name_scopes.get(name, scope)
    order = model.facts.name_orders.get(name, order)
    found: list[Metric | None] = []
    for assignment in model.assignments_reaching(name.value, scope, order):
        if assignment.kind == "param" and assignment.param is not None:
            function = assignment.scope.function
            arguments = list(model.arguments_for(function, assignment.param)) if function else []
            if not arguments:
                return None
            for site, argument in arguments:
                found.append(metric_direction(model, argument, site.scope, site.order, shown, depth + 1))
        elif assignment.kind in ("assign", "annassign", "walrus") and assignment.value is not None \
                and not assignment.unpack:
            found.append(metric_direction(model, assignment.value, assignment.scope,
                                          assignment.order, shown, depth + 1))
        else:
            return None
    return _agreeing(found)


def _agreeing(found: list[Metric | None]) -> Metric | None:
    if not found or any(m is None for m in found):
        return None
    directions = {m.direction for m in found}  # type: ignore[union-attr]
    if len(directions) != 1:
        return None
    return found[0]
