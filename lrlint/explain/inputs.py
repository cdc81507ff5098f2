"""What the user tells ``lrlint explain`` that the code does not: ``--steps``,
``--steps-per-epoch`` and ``--set CODE=VALUE``.

``--set`` names an expression as the code writes it (``len(train_loader)``, ``num_epochs``,
``args.epochs``, ``config["epochs"]``) and gives it a Python literal; the constant folder then
uses that value wherever it meets the expression (``lrlint.analysis.values.SuppliedValues``).
``--steps-per-epoch N`` is ``--set len(LOADER)=N`` for the data the training loops iterate.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from lrlint.analysis.values import canonical_code

_HANDLES = (ast.Name, ast.Attribute, ast.Call, ast.Subscript)


class InputError(ValueError):
    """A ``--set`` that cannot be read; the message says how to write it."""


@dataclass(frozen=True)
class Supplied:
    steps: int | None = None
    steps_per_epoch: int | None = None
    values: dict[str, object] = field(default_factory=dict)  # canonical code -> value


def parse_assignments(texts: list[str] | None) -> dict[str, object]:
    """``["len(loader)=500", "args.epochs = 3"]`` -> ``{"len(loader)": 500, "args.epochs": 3}``."""
    values: dict[str, object] = {}
    for text in texts or ():
        code, value = parse_assignment(text)
        values[code] = value
    return values


def parse_assignment(text: str) -> tuple[str, object]:
    if "=" not in text:
        raise InputError(f"--set expects CODE=VALUE (e.g. --set len(train_loader)=500), "
                         f"got {text!r}")
    problem = None
    for index, char in enumerate(text):
        if char != "=" or text[index - 1:index] in ("=", "!", "<", ">") \
                or text[index + 1:index + 2] == "=":
            continue  # part of ==, !=, <=, >=
        code, raw = text[:index].strip(), text[index + 1:].strip()
        if not _is_handle(code):
            problem = (f"--set {text}: {code!r} is not a name, attribute, call or subscript "
                       "as the code writes it (e.g. num_epochs, args.epochs, len(loader))")
            continue
        try:
            return canonical_code(code), ast.literal_eval(raw)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            problem = (f"--set {text}: the value {raw!r} is not a Python literal (a number, "
                       "True/False/None, a quoted string, a list or tuple of those)")
    raise InputError(problem or f"--set expects CODE=VALUE, got {text!r}")


def _is_handle(code: str) -> bool:
    try:
        tree = ast.parse(f"({code})", mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return bool(code) and isinstance(tree.body, _HANDLES)


def apply_inputs(model, supplied: Supplied, positions) -> list[str]:
    """Give the model's folder what the user supplied; notes on what was inferred from it.

    ``--steps N`` also fills in the one unknown loop length around ``scheduler.step()``
    (``len(loader)`` = N ÷ the epochs), so a schedule sized from it can be drawn.
    """
    from lrlint.analysis.values import supply_values
    from lrlint.explain.numbers import steps_text
    from lrlint.explain.steps import data_loops, loader_length_from_steps

    values = dict(supplied.values)
    notes: list[str] = []
    if supplied.steps_per_epoch is not None:
        from lrlint.explain.lightning import BATCHES_PER_EPOCH, has_lightning_module

        loops = data_loops(model)
        for _, code in loops:
            values.setdefault(canonical_code(f"len({code})"), supplied.steps_per_epoch)
        lightning = has_lightning_module(model)
        if lightning:
            values.setdefault(canonical_code(BATCHES_PER_EPOCH), supplied.steps_per_epoch)
        if not loops and not lightning:
            notes.append("--steps-per-epoch: no loop over data (a loader rather than a range) "
                          "runs optimizer.step() or scheduler.step() in this file")
    supply_values(model, values)
    if supplied.steps is None:
        return notes
    inferred: dict[str, int] = {}
    for scheduler in model.schedulers:
        found = loader_length_from_steps(model, scheduler, positions, supplied.steps)
        if found is not None and canonical_code(found[0]) not in values:
            code, length, loops = found
            if inferred.setdefault(code, length) == length:
                notes.append(f"{code} = {steps_text(length)}: --steps {steps_text(supplied.steps)}"
                             f" over {loops}")
    if inferred:
        supply_values(model, {**values, **inferred})
    return notes
