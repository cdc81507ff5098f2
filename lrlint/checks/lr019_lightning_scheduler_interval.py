"""LR019 lightning-scheduler-interval: Lightning steps a schedule in the other unit than the one
it is sized in."""

from __future__ import annotations

import libcst as cst

from lrlint.analysis.lightning import (
    LightningModuleInfo,
    SchedulerEntry,
    lightning_modules,
    lightning_units,
    trainer_max_epochs,
)
from lrlint.analysis.model import TrackedObject
from lrlint.analysis.queries import is_number
from lrlint.analysis.units import Unit
from lrlint.checks.base import FixPlan, ReplaceNode, Rule, RuleContext
from lrlint.checks.lr008_step_unit_mismatch import (
    Configuration,
    _configuration as sizing,
    _per_batch_consequence as per_batch_consequence,
    _per_epoch_consequence as per_epoch_consequence,
)
from lrlint.prefilter import Vocabulary

# An "epoch" count this large is a step count under a misleading name (ClimaX's max_epochs).
_MAX_EPOCHS = 10_000
# Counts of the whole run's optimizer steps (the Trainer's own, or its epochs times the batches
# of one: the unit already says the product counts steps).
_WHOLE_RUN = ("estimated_stepping_batches", "max_steps", "max_epochs")


class LightningSchedulerInterval(Rule):
    code = "LR019"
    name = "lightning-scheduler-interval"
    summary = ("Lightning: a schedule sized in optimizer steps is stepped once per epoch (no "
               "`\"interval\": \"step\"`, or the key put in the top-level dict), or one sized in "
               "epochs after every step")
    fixable = True
    vocabulary = (Vocabulary(gates=(b"configure_optimizers",)),)

    def check(self, context: RuleContext) -> None:
        for module in lightning_modules(context.model):
            if not module.lightning_steps:
                continue  # manual optimization, or an lr_scheduler_step hook of its own
            reported: set[int] = set()
            for entry in module.entries:
                for scheduler in module.schedulers(entry):
                    if id(scheduler) in reported or scheduler.family == "timm" \
                            or scheduler.has_star_args or module.manual_steps(entry, scheduler):
                        continue  # timm counts its own way; a manual step is LR020's
                    if self._check(context, module, entry, scheduler):
                        reported.add(id(scheduler))

    def _check(self, context: RuleContext, module: LightningModuleInfo, entry: SchedulerEntry,
               scheduler: TrackedObject) -> bool:
        model = context.model
        owner = scheduler.scope.module_model or model
        found = sizing(context, lightning_units(owner), scheduler)
        unit = found.unit if found is not None else None
        interval = module.interval(entry)
        misplaced = _misplaced_interval(context, entry)
        node = scheduler.node if model.owns(scheduler.node) else entry.node
        if misplaced is not None and interval == "epoch" and unit is not Unit.EPOCH \
                and (entry.config is None or "interval" not in entry.config.values):
            context.report(misplaced, _misplaced_message(context, scheduler, found),
                           fix=_move_fix(context, entry), facts=_facts(model, scheduler, "epoch"))
            return True
        if found is None:
            return False
        # An explicit interval that contradicts the sizing is reported where it is written
        # (and where its fix edits); a missing one at the scheduler.
        node = _written_interval(model, entry) or node
        if interval == "epoch" and unit is Unit.ITERATION:
            context.report(node, _per_epoch_message(context, entry, scheduler, found),
                           fix=_step_fix(context, module, entry),
                           facts=_facts(model, scheduler, "epoch"))
            return True
        if interval == "step" and unit is Unit.EPOCH and _plausible_epochs(found):
            context.report(node, _per_step_message(context, entry, scheduler, found),
                           fix=_epoch_fix(context, entry), facts=_facts(model, scheduler, "step"))
            return True
        return False


def _plausible_epochs(found: Configuration) -> bool:
    return not (is_number(found.horizon) and found.horizon >= _MAX_EPOCHS)


# -- messages ----------------------------------------------------------------------------------


def _per_epoch_message(context, entry: SchedulerEntry, scheduler: TrackedObject,
                       found: Configuration) -> str:
    explicit = entry.config is not None and "interval" in entry.config.values
    how = ("with `\"interval\": \"epoch\"`" if explicit else
           "without `\"interval\": \"step\"`")
    why = "" if explicit else " (Lightning's default interval)"
    return (f"{scheduler.short} is sized in optimizer steps ({found.evidence}) but is returned "
            f"to Lightning {how}, so Lightning steps it once per epoch{why}: "
            f"{_stretched(context, scheduler, found)}")


def _stretched(context, scheduler: TrackedObject, found: Configuration) -> str:
    """What stepping a schedule of the whole run's optimizer steps once per epoch does."""
    epochs = trainer_max_epochs(context.model)
    whole_run = any(count in found.evidence for count in _WHOLE_RUN)
    if (epochs is not None and is_number(found.horizon)) or not whole_run:
        return per_epoch_consequence(context, scheduler, found, epochs)
    taken = f"in its {epochs} epochs it takes {epochs} steps" if epochs is not None else \
        "by the end of training it has taken one step per epoch"
    reached = f"{taken}, 1/(optimizer steps per epoch) of its curve"
    if scheduler.torch_class == "OneCycleLR":
        pct = context.model.folded_arg(scheduler, "pct_start", 0.3)
        threshold = f"{int(1 / pct) + 1} or more" if is_number(pct) and 0 < pct else "enough"
        return (f"{reached}, so the LR never comes down from its warm-up (with {threshold} "
                "optimizer steps per epoch)")
    warmup = context.model.folded_arg(scheduler, "num_warmup_steps", None)
    if is_number(warmup) and warmup > 0:
        return f"{reached}: its warm-up of {warmup} steps alone lasts {warmup} epochs"
    return f"{reached}, so the LR barely moves from its start"


def _per_step_message(context, entry: SchedulerEntry, scheduler: TrackedObject,
                      found: Configuration) -> str:
    return (f"{scheduler.short} is sized in epochs ({found.evidence}) but is returned to "
            "Lightning with `\"interval\": \"step\"`, so Lightning steps it after every optimizer "
            f"step: {per_batch_consequence(context, scheduler, found)}")


def _misplaced_message(context, scheduler: TrackedObject, found: Configuration | None) -> str:
    head = ("`\"interval\": \"step\"` is a key of the top-level dict of configure_optimizers' "
            "return value, where Lightning ignores it (\"Found unsupported keys in the optimizer "
            f"configuration\"): it belongs in the `lr_scheduler` dict, so {scheduler.short} keeps "
            "the default interval and is stepped once per epoch, not after every optimizer step")
    if found is not None and found.unit is Unit.ITERATION:
        return f"{head}: {_stretched(context, scheduler, found)}"
    return head


def _facts(model, scheduler: TrackedObject, interval: str) -> dict[str, object]:
    """How Lightning reshapes the schedule, for ``lrlint explain`` (as LR008 states it)."""
    factor = _batches_per_epoch(model, scheduler)
    per_epoch = interval == "epoch"
    return {"effect": "stretch" if per_epoch else "squeeze",
            "stepped": "per epoch" if per_epoch else "per batch", "factor": factor}


def _batches_per_epoch(model, scheduler: TrackedObject) -> int | None:
    """OneCycleLR's own steps_per_epoch, or ``self.trainer.num_training_batches`` when it folds
    (``lrlint explain --steps-per-epoch N`` supplies it)."""
    candidates = []
    if scheduler.torch_class == "OneCycleLR" and "steps_per_epoch" in scheduler.args:
        candidates.append(scheduler.args["steps_per_epoch"])
    candidates.append(cst.parse_expression("self.trainer.num_training_batches"))
    for expr in candidates:
        value = model.fold(expr, scheduler.site.scope, scheduler.site.order)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
    return None


# -- fixes -------------------------------------------------------------------------------------


def _written_interval(model, entry: SchedulerEntry) -> cst.CSTNode | None:
    """The ``"interval": ...`` element (or ``interval=`` argument) of the entry's own dict,
    when this module holds it."""
    config = entry.config
    value = config.values.get("interval") if config is not None else None
    if value is None or not model.owns(value):
        return None
    parts = config.node.elements if isinstance(config.node, cst.Dict) else config.node.args
    return next((part for part in parts if getattr(part, "value", None) is value), value)


def _misplaced_interval(context: RuleContext, entry: SchedulerEntry) -> cst.DictElement | None:
    """The ``"interval": "step"`` element of the top-level dict around the entry."""
    outer = entry.outer
    if outer is None or not isinstance(outer.node, cst.Dict) or "interval" not in outer.values:
        return None
    if context.fold(outer.values["interval"], outer.scope, outer.order) != "step":
        return None
    return next((e for e in outer.node.elements if isinstance(e, cst.DictElement)
                 and e.value is outer.values["interval"]), None)


def _step_fix(context: RuleContext, module: LightningModuleInfo,
              entry: SchedulerEntry) -> FixPlan | None:
    """Add ``"interval": "step"`` to the entry's dict, or wrap a bare scheduler in one; turn an
    explicit ``"epoch"`` into ``"step"`` (unsafe: the code said epoch)."""
    if len(module.schedulers(entry)) != 1:
        return None
    config = entry.config
    if config is not None and "interval" in config.values:
        return _replace_interval(context, config.values["interval"], "step")
    if config is None:
        if entry.slot is None:
            return None
        code = context.code_for(entry.slot)
        quote = _quote(entry.outer.node) if entry.outer is not None else '"'
        if _multiline_string(entry.slot):
            return None
        return FixPlan('Return the scheduler as {"scheduler": ..., "interval": "step"}',
                       (ReplaceNode(entry.slot, _wrapped(code, quote), reindent=True),))
    edit = _add_interval(context, config)
    return FixPlan('Add "interval": "step" to the lr_scheduler dict', (edit,)) if edit else None


def _epoch_fix(context: RuleContext, entry: SchedulerEntry) -> FixPlan | None:
    if entry.config is None or "interval" not in entry.config.values:
        return None
    return _replace_interval(context, entry.config.values["interval"], "epoch")


def _replace_interval(context, value: cst.BaseExpression, wanted: str) -> FixPlan | None:
    if not isinstance(value, cst.SimpleString):
        return None  # a constant from elsewhere: change it there
    quote = context.code_for(value)[-1]
    # The sizing says which unit the schedule counts; the code said the other: which of the
    # two was meant is a guess.
    return FixPlan(f'Set "interval": "{wanted}"', (ReplaceNode(value, f"{quote}{wanted}{quote}"),),
                   "unsafe")


def _move_fix(context: RuleContext, entry: SchedulerEntry) -> FixPlan | None:
    """Move the top-level ``"interval": "step"`` into the lr_scheduler dict."""
    outer = entry.outer
    assert outer is not None and isinstance(outer.node, cst.Dict)
    if _multiline_string(outer.node):
        return None
    quote = _quote(outer.node)
    elements = list(outer.node.elements)
    position = next(i for i, e in enumerate(elements) if isinstance(e, cst.DictElement)
                    and e.value is outer.values["interval"])
    removed = elements.pop(position)
    if position == len(elements) and elements:
        elements[-1] = elements[-1].with_changes(comma=removed.comma)
    edits = []
    config = entry.config
    for index, element in enumerate(elements):
        if not isinstance(element, cst.DictElement) or element.value is not outer.values.get(
                "lr_scheduler"):
            continue
        if config is None and entry.slot is element.value:
            code = context.code_for(element.value)
            elements[index] = element.with_changes(
                value=cst.parse_expression(_wrapped(code, quote)))
        elif config is not None and config.node is element.value and isinstance(config.node,
                                                                                 cst.Dict):
            elements[index] = element.with_changes(value=_with_interval(config.node, quote))
        elif config is not None:
            edit = _add_interval(context, config)
            if edit is None:
                return None
            edits.append(edit)
        else:
            return None
    edits.insert(0, ReplaceNode(outer.node, context.code_for(
        outer.node.with_changes(elements=elements)), reindent=True))
    return FixPlan('Move "interval": "step" into the lr_scheduler dict', tuple(edits))


def _add_interval(context, config) -> ReplaceNode | None:
    if isinstance(config.node, cst.Dict) and config.complete \
            and not _multiline_string(config.node):
        updated = _with_interval(config.node, _quote(config.node))
        return ReplaceNode(config.node, context.code_for(updated), reindent=True)
    if isinstance(config.node, cst.Call) and "scheduler" in config.values:
        value = config.values["scheduler"]
        return ReplaceNode(value, f'{context.code_for(value)}, interval="step"')
    return None


def _with_interval(node: cst.Dict, quote: str) -> cst.Dict:
    """The dict with ``"interval": "step"`` right after its "scheduler" element."""
    elements = list(node.elements)
    at = next(i for i, e in enumerate(elements) if isinstance(e, cst.DictElement)
              and _key(e) == "scheduler")
    scheduler = elements[at]
    added = cst.DictElement(cst.SimpleString(f"{quote}interval{quote}"),
                            cst.SimpleString(f"{quote}step{quote}"), comma=scheduler.comma)
    elements[at] = scheduler.with_changes(
        comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    elements.insert(at + 1, added)
    return node.with_changes(elements=elements)


def _key(element: cst.DictElement) -> str | None:
    from lrlint.analysis.collect import string_value

    return string_value(element.key)


def _quote(node: cst.CSTNode) -> str:
    """The quote the dict's keys use."""
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                return "'" if element.key.value.startswith("'") else '"'
    return '"'


def _multiline_string(node: cst.CSTNode) -> bool:
    """A string literal spanning lines: re-indenting the rewritten code would change it."""
    from lrlint.analysis.walk import iter_tree

    return any(isinstance(n, (cst.SimpleString, cst.FormattedStringText)) and "\n" in (
        n.value) for n in iter_tree(node))


def _wrapped(code: str, quote: str) -> str:
    q = quote
    return f"{{{q}scheduler{q}: {code}, {q}interval{q}: {q}step{q}}}"
