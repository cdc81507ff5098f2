"""LR001 optimizer-lr-attribute: ``optimizer.lr`` is not the learning rate."""

from __future__ import annotations

import re

import libcst as cst

from lrlint.analysis.queries import is_number
from lrlint.analysis.torch_api import Kind
from lrlint.analysis.updates import schedulers_driving
from lrlint.checks.base import FixPlan, ReplaceNode, Rule, RuleContext
from lrlint.checks.common import fmt, free_name, is_pure
from lrlint.prefilter import Vocabulary

_OPERATORS = {
    "AddAssign": "+=", "SubtractAssign": "-=", "MultiplyAssign": "*=", "DivideAssign": "/=",
    "FloorDivideAssign": "//=", "PowerAssign": "**=", "ModuloAssign": "%=",
}


class OptimizerLrAttribute(Rule):
    code = "LR001"
    name = "optimizer-lr-attribute"
    summary = "`optimizer.lr` is not the learning rate: torch reads `param_groups[i]['lr']`"
    fixable = True
    # `optimizer.lr` as it is written (`optimizer. lr`, legal but never seen, is not looked for).
    vocabulary = (Vocabulary(gates=(b".lr",), pattern=re.compile(rb"\.lr\b")),)

    def check(self, context: RuleContext) -> None:
        model = context.model
        for use in model.attribute_uses:
            if use.node.attr.value != "lr":
                continue
            optimizers = [
                ref.obj for ref in model.resolve(use.node.value, use.scope, use.order, use.path)
                if ref.obj.kind is Kind.OPTIMIZER and not _defines_lr(model, ref.obj)
            ]
            if not optimizers:
                continue
            receiver = context.code_for(use.node.value)
            current = context.model.optimizer_lr(optimizers[0])
            stays = f" stays {fmt(current)}" if is_number(current) else " does not change"
            if use.context == "load":
                context.report(
                    use.node,
                    f"`{receiver}.lr` is not the learning rate: torch optimizers have no `lr` "
                    f"attribute (AttributeError) unless code set one; read "
                    f"`{receiver}.param_groups[0][\"lr\"]` or the scheduler's `get_last_lr()`",
                )
                continue
            if use.context == "del":
                context.report(use.node, f"`del {receiver}.lr` removes an attribute torch never reads")
                continue
            value = context.fold(use.value, use.scope, use.order) if use.value is not None else None
            shown = f" = {fmt(value)}" if is_number(value) else ""
            context.report(
                use.node,
                f"`{receiver}.lr{shown}` sets an attribute {optimizers[0].short} never reads: "
                f"the learning rate it uses{stays}; write `param_groups[i][\"lr\"]` instead",
                self._fix(context, use, receiver, optimizers[0], value),
            )

    def _fix(self, context: RuleContext, use, receiver: str, optimizer,
             value: object) -> FixPlan | None:
        statement = use.statement
        if statement is None or len(statement.line.body) != 1 or use.value is None:
            return None
        small = statement.small
        if isinstance(small, cst.Assign):
            if len(small.targets) != 1 or small.targets[0].target is not use.node:
                return None
            operator = "="
        elif isinstance(small, cst.AugAssign):
            if small.target is not use.node:
                return None
            operator = _OPERATORS.get(type(small.operator).__name__)
            if operator is None:
                return None
        else:
            return None
        group = free_name(context.model, use.scope, ("group", "param_group", "pg"))
        content = (
            f"for {group} in {receiver}.param_groups:\n"
            f"    {group}[\"lr\"] {operator} {context.code_for(use.value)}"
        )
        # The fix makes the assignment take effect, so it is safe only when the new value is
        # harmless where it lands. Unsafe: a value with side effects (it would run once per
        # param group), a negative LR (LR004 next), and an optimizer a scheduler drives (the
        # written LR fights the schedule: LR015 next).
        safe = (
            is_pure(use.value)
            and is_pure(use.node.value)
            and not (is_number(value) and value < 0)
            and not schedulers_driving(context.model, optimizer)
        )
        return FixPlan(
            f"Set the LR of every param group of `{receiver}`",
            (ReplaceNode(statement.line, content, reindent=True),),
            "safe" if safe else "unsafe",
        )


def _defines_lr(model, optimizer) -> bool:
    """A local optimizer class with its own ``lr`` (attribute or property) reads it itself."""
    if optimizer.custom is None:
        return False
    for cls in model.class_lineage(optimizer.custom):
        if "lr" in cls.attributes or "lr" in cls.methods or "lr" in cls.scope.assignments:
            return True
    return False
