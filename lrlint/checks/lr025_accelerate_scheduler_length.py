"""LR025 accelerate-scheduler-length: a scheduler passed through ``accelerator.prepare`` is
stepped ``num_processes`` times per optimizer update; its length must count that way."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.accelerate import (
    Settings,
    accelerator_settings,
    accelerators_of,
    prepare_receiver,
    prepared_objects,
)
from lrlint.analysis.collect import dotted_name
from lrlint.analysis.facts import CallSite
from lrlint.analysis.model import TrackedObject
from lrlint.analysis.queries import is_number
from lrlint.analysis.schedule_length import (
    COUNT,
    MICRO_BATCHES,
    PROCESS_MICRO_BATCHES,
    SAMPLES,
    LengthReader,
    Version,
    bounds_a_loop,
    scales_by_processes,
)
from lrlint.analysis.units import HORIZON_ARGUMENTS
from lrlint.checks.base import Rule, RuleContext
from lrlint.prefilter import Vocabulary

_RIGHT = (1, 0, 0)  # num_processes steps per update of each process
_LENGTH_ARGUMENTS = {**{name: arguments[:1] for name, arguments in HORIZON_ARGUMENTS.items()},
                     "OneCycleLR": ("total_steps",)}
_WARMUP = "num_warmup_steps"


@dataclass(frozen=True)
class Wrong:
    argument: str
    expr: cst.BaseExpression
    version: Version
    problem: str  # "per-process", "twice", "micro-batches", "samples"


class AccelerateSchedulerLength(Rule):
    code = "LR025"
    name = "accelerate-scheduler-length"
    summary = ("accelerate: a prepared scheduler (stepped `num_processes` times per update) "
               "sized in the updates of one process, or with the processes counted twice")
    vocabulary = (Vocabulary(gates=(b"prepare",), requires=(Vocabulary(gates=(b"accelerat",)),)),)

    def check(self, context: RuleContext) -> None:
        model = context.model
        prepared = prepared_objects(model)
        reader = LengthReader(model)
        for scheduler in model.standalone_schedulers:
            site = prepared.objects.get(scheduler)
            if site is None or scheduler.custom is not None:
                continue
            settings = _settings(model, site)
            if settings is not None and (settings.steps_per_process is False
                                         or settings.with_optimizer is False):
                continue  # split_batches, or stepped on its own terms: one step per call
            found = self._wrong(context, reader, scheduler, settings)
            if found:
                context.report(found[0].expr, _message(context, scheduler, site, found))

    def _wrong(self, context: RuleContext, reader: LengthReader, scheduler: TrackedObject,
               settings: Settings | None) -> list[Wrong]:
        found = []
        arguments = _LENGTH_ARGUMENTS.get(scheduler.torch_class, ())
        if _WARMUP in scheduler.args and _WARMUP not in arguments:
            arguments = (*arguments, _WARMUP)
        for argument in arguments:
            expr = scheduler.args.get(argument)
            if expr is None or _chosen_per_branch(expr):
                continue
            versions = reader.versions(expr, scheduler.site.scope, scheduler.site.order)
            for version in versions or ():
                problem = _problem(context, version, settings)
                if problem is not None:
                    found.append(Wrong(argument, expr, version, problem))
                    break
        return found


def _chosen_per_branch(expr: cst.BaseExpression) -> bool:
    """``steps if overrode_max_train_steps else steps * accelerator.num_processes``
    (transformers' ``*_no_trainer.py`` scripts): the author scales by the processes in one branch
    only, on a flag lrlint does not tie to where the length came from."""
    return isinstance(expr, cst.IfExp) and \
        scales_by_processes(expr.body) != scales_by_processes(expr.orelse)


def _settings(model, site: CallSite) -> Settings | None:
    found = prepare_receiver(site.node)
    if found is None:
        return None
    calls, _ = accelerators_of(model, found[0], site.scope, site.order)
    return accelerator_settings(calls)


def _problem(context: RuleContext, version: Version, settings: Settings | None) -> str | None:
    """What is wrong with one way of computing the length, or None (right, or unknown)."""
    if version.processes_unknown or not version.leaves:
        return None
    if version.from_data and any(leaf.kind == COUNT for leaf in version.leaves):
        return None  # a step count times a loader length: not a shape lrlint reads
    if not version.from_data and not all(bounds_a_loop(context.model, leaf.node)
                                         for leaf in version.leaves):
        return None  # a count that the training loop does not run per process
    processes, accumulation, batch = version.exponents
    if accumulation == 1 and settings is not None and not _may_accumulate(version, settings):
        accumulation = 0  # the Accelerator does not accumulate: a micro-batch is an update
    if batch > 0:
        return "samples"
    if batch < 0 or accumulation < 0:
        return None
    if processes == 2 and accumulation == 0:
        return "twice"
    if processes == 0 and accumulation == 0:
        return "per-process"
    if accumulation == 1 and processes in (0, 1) and _may_accumulate(version, settings):
        return "micro-batches"
    return None


def _may_accumulate(version: Version, settings: Settings | None) -> bool:
    """Accumulation is, or may be, above 1: the code multiplies by it, or the Accelerator sets
    it (to something other than 1), or a plugin may."""
    if any(_is_accumulation(node) for node in version.divisors):
        return True
    if settings is None:
        return False
    value = settings.accumulation
    if value is None:
        return settings.plugin
    return not (is_number(value) and value <= 1)


def _is_accumulation(node: cst.BaseExpression) -> bool:
    name = dotted_name(node) or ""
    return "accum" in name.lower()


def _message(context: RuleContext, scheduler: TrackedObject, site: CallSite,
             found: list[Wrong]) -> str:
    first = found[0]
    code = context.code_for
    what = f"`{first.argument}={code(first.expr)}`"
    prepared = f"`{code(site.node.func)}(...)`"
    steps = (f"{scheduler.short} goes through {prepared}, whose AcceleratedScheduler "
             "steps it `num_processes` times per optimizer update (split_batches=False)")
    problem = first.problem
    if problem == "per-process":
        message = (f"{what} counts the optimizer updates of one process{_source(code, first)}, "
                   f"but {steps}: on N GPUs the schedule ends after 1/N of the run; multiply it "
                   "by `accelerator.num_processes`")
    elif problem == "twice":
        factor = _factor_text(code, first.version)
        message = (f"{what} counts the processes twice: where it comes from "
                   f"{_leaf_text(code, first.version)}, that length is already taken over all "
                   "processes (each gets 1/N of the batches after "
                   f"`prepare`), and it is multiplied by {factor} again; {steps}, so on N GPUs "
                   "the run ends 1/N of the way through the schedule")
    elif problem == "micro-batches":
        message = (f"{what} counts micro-batches{_source(code, first)}, but {steps} and not at "
                   "all while gradients accumulate (AcceleratedScheduler.step returns unless "
                   "`sync_gradients`): with gradient_accumulation_steps=k the schedule is k "
                   "times too long and never reaches its end; divide by the accumulation")
    else:
        message = (f"{what} counts samples{_source(code, first)}, but {steps}: the schedule is "
                   "a batch size times too long and never reaches its end")
    more = [w.argument for w in found[1:]]
    if more:
        message += f" (so does `{more[0]}`)"
    return message


def _source(code, wrong: Wrong) -> str:
    if not wrong.version.leaves:
        return ""
    leaf = wrong.version.leaves[0]
    where = {COUNT: "", PROCESS_MICRO_BATCHES: ", taken after `prepare` sharded the loader",
             MICRO_BATCHES: "", SAMPLES: ""}.get(leaf.kind, "")
    return f" (`{code(leaf.node)}`{where})"


def _leaf_text(code, version: Version) -> str:
    for leaf in version.leaves:
        if leaf.kind == MICRO_BATCHES:
            return f"`{code(leaf.node)}` (before `prepare`)"
    return "the length"


def _factor_text(code, version: Version) -> str:
    for node in version.divisors:
        if "accum" not in (dotted_name(node) or "").lower():
            return f"`{code(node)}`"
    return "`num_processes`"
