"""What the rules share for their messages and fixes: number formatting, how to name a loop or a
schedule in words, purity and free names for fixes, and moving a statement."""

from __future__ import annotations

import math
from collections.abc import Iterable

import libcst as cst

from lrlint.analysis.facts import Loop, Scope
from lrlint.analysis.model import ModuleModel, TrackedObject
from lrlint.analysis.queries import is_number
from lrlint.analysis.walk import iter_tree


def fmt(value: object) -> str:
    """A number the way people write learning rates: 0.1, 5e-4, 1e-3, 100, 0.5."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if value == 0 or not math.isfinite(value):
        return repr(value)
    if 1e-2 <= abs(value) < 1e5:
        if value.is_integer():
            return f"{value:.1f}"  # 1.0, not 1: it is a float in the code too
        return f"{value:.4g}"
    mantissa, exponent = f"{value:.3e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def is_pure(expr: cst.CSTNode) -> bool:
    """True when evaluating ``expr`` twice gives the same result and does nothing else."""
    for node in iter_tree(expr):
        if isinstance(node, (cst.Call, cst.Await, cst.Yield, cst.NamedExpr, cst.Lambda,
                             cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            return False
    return True


def free_name(model: ModuleModel, scope: Scope, candidates: Iterable[str]) -> str:
    """The first candidate name that nothing in ``scope`` (or around it) binds or reads."""
    candidates = list(candidates)
    for name in candidates:
        if scope.lookup_scope(name) is None and name not in model.facts.loads:
            return name
    base = candidates[0]
    index = 1
    while f"{base}{index}" in model.facts.loads or scope.lookup_scope(f"{base}{index}"):
        index += 1
    return f"{base}{index}"


def move_statement_after(line: cst.SimpleStatementLine, anchor: cst.CSTNode, message: str,
                         applicability: str = "safe"):
    """A fix that moves a one-statement line (with its trailing comment) to just after the
    statement ``anchor``, indented like it."""
    from lrlint.checks.base import DeleteLines, FixPlan, InsertLinesAfter

    text = cst.Module(body=[line.with_changes(leading_lines=())]).code.rstrip("\r\n")
    return FixPlan(message, (DeleteLines(line), InsertLinesAfter(anchor, text)), applicability)


def loop_phrase(code_for, loop: Loop) -> str:
    """How a message names a loop: "the loop over `train_loader`", "the loop `while step < n`"."""
    if loop.iter is not None:
        return f"the loop over `{code_for(loop.iter)}`"
    return f"the loop `while {code_for(loop.node.test)}`"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 11th, 101st."""
    if n == 1:
        return "first"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def describe_schedule(model: ModuleModel, scheduler: TrackedObject) -> str:
    """A few words for what the schedule does, with its own numbers where they fold."""
    def arg(name: str, default: object) -> str | None:
        """The argument's folded value, else its source text, else None when it is absent."""
        value = model.folded_arg(scheduler, name, default)
        if is_number(value):
            return fmt(value)
        if isinstance(value, (list, tuple)) and all(is_number(v) for v in value):
            return "[" + ", ".join(fmt(v) for v in value) + "]"
        expr = scheduler.args.get(name)
        return f"`{model.code_for(expr)}`" if expr is not None else None

    name = scheduler.torch_class
    gamma = arg("gamma", 0.1)
    if name == "StepLR" and gamma and (size := arg("step_size", None)):
        return f"its gamma={gamma} decay every {size} steps"
    if name == "MultiStepLR" and gamma and (milestones := arg("milestones", None)):
        return f"its gamma={gamma} decays at milestones {milestones}"
    if name == "ExponentialLR" and (gamma := arg("gamma", None)):
        return f"its gamma={gamma} decay at every step"
    if name == "CosineAnnealingLR" and (t_max := arg("T_max", None)):
        return f"its cosine decay to eta_min={arg('eta_min', 0.0) or 'eta_min'} over T_max={t_max} steps"
    return f"its {name} factors"
