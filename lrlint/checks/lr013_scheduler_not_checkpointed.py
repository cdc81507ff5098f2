"""LR013 scheduler-not-checkpointed: a checkpoint that forgets the scheduler, or a scheduler
resumed with ``last_epoch=`` on an optimizer that has no ``initial_lr`` yet."""

from __future__ import annotations

import libcst as cst

from lrlint.analysis.checkpoint import (
    Save,
    loaded_key,
    project_saves,
    save_calls,
    stored_keys,
    stored_objects,
)
from lrlint.analysis.facts import FunctionInfo
from lrlint.analysis.loops import range_bounds
from lrlint.analysis.model import Event, TrackedObject
from lrlint.analysis.torch_api import Kind
from lrlint.analysis.trips import is_fast_forward
from lrlint.analysis.updates import lr_update, schedulers_driving
from lrlint.checks.base import Rule, RuleContext
from lrlint.checks.common import describe_schedule, fmt
from lrlint.prefilter import SCHEDULER, Vocabulary

_KEY_ERROR = ("KeyError: \"param 'initial_lr' is not specified in param_groups[0] when resuming "
              "scheduler with last_epoch >= 0\"")
# Schedulers whose own state is not a schedule (ReduceLROnPlateau keeps only its patience
# counters; the LR itself travels in the optimizer's state_dict), or that hold no initial_lr.
_NO_SCHEDULE = frozenset({"ReduceLROnPlateau"})
_COMPOSITES = frozenset({"SequentialLR", "ChainedScheduler"})
# A call that hands the scheduler to something that checkpoints it (Accelerate, Lightning...).
_REGISTERS = frozenset({"prepare", "register_for_checkpointing"})


class SchedulerNotCheckpointed(Rule):
    code = "LR013"
    name = "scheduler-not-checkpointed"
    summary = "a checkpoint saves the optimizer but not its scheduler, or a resume that raises KeyError"
    # Every recognised save is a ``save(`` call (a space before the parenthesis is not worth a
    # scan of every file); the KeyError needs ``last_epoch``. The literal gates are rare enough
    # that the scheduler regex behind them runs on few files.
    vocabulary = (SCHEDULER.also(Vocabulary(gates=(b"save(", b"last_epoch"))),)

    def check(self, context: RuleContext) -> None:
        self._checkpoints(context)
        for scheduler in context.model.schedulers:
            self._resume_without_initial_lr(context, scheduler)
            self._resume_under_another_key(context, scheduler)
            self._replayed_onto_the_loaded_lr(context, scheduler)
            self._restarted_on_resume(context, scheduler)

    # -- a checkpoint without the scheduler ---------------------------------------------------

    def _checkpoints(self, context: RuleContext) -> None:
        model = context.model
        saves = save_calls(model)
        if not saves:
            return
        stored = {id(save): stored_objects(model, save) for save in saves}
        stored_anywhere = {obj for states, whole in stored.values() for obj in states | whole}
        by_function: dict[FunctionInfo | None, list[Save]] = {}
        for save in saves:
            by_function.setdefault(save.function, []).append(save)
        for group in by_function.values():
            reported: set[int] = set()
            for save in group:
                # A whole object pickled (or handed to Fabric, which calls state_dict() itself)
                # carries its state as much as its state_dict() does.
                states, whole = stored[id(save)]
                for optimizer in sorted(states | whole, key=lambda o: o.order):
                    if optimizer.kind is not Kind.OPTIMIZER:
                        continue
                    for scheduler in schedulers_driving(context.model, optimizer):
                        if scheduler.torch_class in _NO_SCHEDULE or id(scheduler) in reported:
                            continue
                        if _state_is_handled(context, scheduler, stored_anywhere):
                            continue
                        reported.add(id(scheduler))
                        self._report_missing(context, save, optimizer, scheduler)

    def _report_missing(self, context, save: Save, optimizer: TrackedObject,
                        scheduler: TrackedObject) -> None:
        name = scheduler.short
        update = lr_update(context.model, scheduler)
        if update == "closed":
            values = context.model.schedule_values(scheduler, 2)
            back = f" at LR {fmt(values[1])}" if values else ""
            what = (f"a resumed run restarts {name} from its first step{back} instead of "
                    "continuing where the checkpoint left off")
        elif update == "chainable":
            what = (f"a resumed run restarts {name}'s step count at 0: it continues from the LR "
                    f"saved with the optimizer but counts {describe_schedule(context.model, scheduler)} "
                    "again from the resume, so every decay lands later than planned")
        else:
            what = f"a resumed run restarts {name}'s schedule instead of continuing it"
        load = _load_of_a_missing_key(context, save, scheduler)
        if load is not None:
            what += (f"; and the resume's `{_short(context, load.node)}` raises KeyError: "
                     f"{loaded_key(context.model, load.node.args[0].value, load.site)!r}")
        context.report(
            _checkpoint_node(context, save),
            f"this checkpoint saves the state of {_called(context, optimizer, 'optimizer')} but "
            f"not that of {_called(context, scheduler, 'scheduler')}: {what}; save "
            "`scheduler.state_dict()` too and load it on resume",
        )

    # -- a chainable scheduler fast-forwarded onto an optimizer that holds the decayed LR ------

    def _replayed_onto_the_loaded_lr(self, context: RuleContext, scheduler: TrackedObject) -> None:
        model = context.model
        if lr_update(model, scheduler) != "chainable":
            return  # a closed form rebuilds the LR from base_lrs: replaying is a fine resume
        for replay in scheduler.events_named("step"):
            if not is_fast_forward(replay) or not model.owns(replay.node):
                continue
            for optimizer in model.optimizers_of(scheduler, replay.made_by):
                loaded = [load for load in optimizer.events_named("load_state_dict")
                          if (order := model.relate_chains(load.chain, replay.chain)) is not None
                          and order.first_before_second]
                if not loaded:
                    continue
                context.report(replay.node, (
                    f"`{_short(context, replay.node)}` replays {scheduler.short}'s steps on an "
                    f"optimizer whose state was loaded (`{_short(context, loaded[0].node)}`): "
                    f"its param groups already hold the decayed LR, and {scheduler.short} "
                    f"computes each LR from the current one, so every decay up to the resumed "
                    f"epoch is applied twice ({describe_schedule(model, scheduler)}); load the "
                    "scheduler's state_dict instead of replaying its steps"))
                return

    # -- a loop that resumes at a saved epoch around a scheduler built afresh -----------------

    def _restarted_on_resume(self, context: RuleContext, scheduler: TrackedObject) -> None:
        model = context.model
        if scheduler.site is None or scheduler.torch_class in _NO_SCHEDULE or \
                not model.owns(scheduler.site.node) or scheduler in model.composed_children():
            return
        if _state_is_handled(context, scheduler, set()) or not _loads_a_checkpoint(model) or \
                any(member.events_named("load_state_dict")
                    for member in (scheduler, *model.children_of(scheduler))):
            return  # its position is restored (or nothing is ever resumed)
        if _saved_with_its_optimizer(context, scheduler):
            return  # a checkpoint of its optimizer without it is the finding, made once there
        for step in scheduler.steps:
            loop = _resuming_loop(model, step)
            if loop is None:
                continue
            start = " ".join(model.code_for(range_bounds(loop.iter)[1]).split())
            values = model.schedule_values(scheduler, 1)
            back = f" (LR back to {fmt(values[0])})" if values else ""
            context.report(scheduler.site.node, (
                f"the training loop resumes at `{start}` but {scheduler.short} is built afresh and "
                f"nothing restores its position (no load_state_dict, no last_epoch): a resumed "
                f"run restarts the schedule from its first step{back} instead of continuing it; "
                "save `scheduler.state_dict()` in the checkpoint and load it on resume"))
            return

    # -- a resume that reads the scheduler under a key no checkpoint writes -------------------

    def _resume_under_another_key(self, context: RuleContext, scheduler: TrackedObject) -> None:
        model = context.model
        saved_under = {key for _, save, keys in _keyed_saves(context) for key, value in keys.items()
                       if _is_state_of(context, value, save, scheduler)}
        if not saved_under:
            return
        written = {key for _, _, keys in _keyed_saves(context) for key in keys}
        for load in scheduler.events_named("load_state_dict"):
            if not load.node.args or not model.owns(load.node):
                continue
            key = loaded_key(model, load.node.args[0].value, load.site)
            if key is None or key in written or _any_unreadable_save(context):
                continue
            stored = ", ".join(repr(k) for k in sorted(saved_under))
            context.report(load.node, (
                f"the resume reads the {scheduler.short} state from key {key!r}, but the "
                f"checkpoint stores it under {stored}: resuming raises KeyError: {key!r}; "
                "use one key for both"))

    # -- last_epoch= on a fresh optimizer -----------------------------------------------------

    def _resume_without_initial_lr(self, context: RuleContext, scheduler: TrackedObject) -> None:
        expr = scheduler.args.get("last_epoch")
        if expr is None or scheduler.site is None or scheduler.torch_class in _NO_SCHEDULE | _COMPOSITES:
            return
        value = context.model.folded_arg(scheduler, "last_epoch", -1)
        if isinstance(value, bool) or (isinstance(value, (int, float)) and value < 0):
            return  # -1: a fresh start, which sets initial_lr itself
        if "initial_lr" in context.source.text:
            return  # the code manages initial_lr itself
        for optimizer in context.model.optimizers_of(scheduler):
            late_load = _fresh_at(context, optimizer, scheduler)
            if late_load is False:
                continue
            when = ("" if isinstance(value, int)
                    else f" when `{context.code_for(expr)}` is >= 0 (a resumed run)")
            load = (f"; `{context.code_for(late_load.node)}` comes only after this line"
                    if isinstance(late_load, Event) else "")
            context.report(
                expr,
                f"{scheduler.short}(last_epoch={context.code_for(expr)}) resumes on a freshly built "
                f"{optimizer.short} whose param groups have no 'initial_lr'{load}: torch raises "
                f"{_KEY_ERROR}{when}; load the optimizer's state_dict before building the "
                "scheduler (it carries initial_lr), or keep last_epoch=-1 and load the "
                "scheduler's state_dict",
            )
            return


def _state_is_handled(context, scheduler: TrackedObject, stored_anywhere: set) -> bool:
    """Anything in the module that saves or restores the scheduler's position."""
    model = context.model
    family = [scheduler, *model.children_of(scheduler)]
    for member in family:
        # Only a saved state counts: loading one (`scheduler.load_state_dict(ckpt["scheduler"])`)
        # does not put it in a checkpoint that lacks it.
        if member in stored_anywhere or member.events_named("state_dict"):
            return True
        if "last_epoch" in member.args and model.folded_arg(member, "last_epoch", -1) != -1:
            return True  # rebuilt at the resumed epoch
        if any(e.node.args for e in member.events_named("step")):
            return True  # step(epoch): positioned explicitly
        if _fast_forwarded(member):
            return True
    if _handed_over(context, scheduler):
        return True
    return any(
        use.node.attr.value == "last_epoch" and use.context != "load"
        and any(r.obj in family for r in model.resolve(use.node.value, use.scope, use.order))
        for use in model.attribute_uses
    )


def _fast_forwarded(scheduler: TrackedObject) -> bool:
    """``for _ in range(start_epoch): scheduler.step()``: a loop that only steps the scheduler."""
    return any(is_fast_forward(event) for event in scheduler.events_named("step"))


def _handed_over(context, scheduler: TrackedObject) -> bool:
    """The scheduler is given to something that checkpoints it (``accelerator.prepare``)."""
    model = context.model
    for site in model.calls:
        if site.method not in _REGISTERS:
            continue
        for arg in site.node.args:
            if any(r.obj is scheduler for r in model.resolve(arg.value, site.scope, site.order, site.path)):
                return True
    return False


def _fresh_at(context, optimizer: TrackedObject, scheduler: TrackedObject):
    """Whether ``optimizer`` certainly has no ``initial_lr`` when ``scheduler`` is built: False
    when it may have one; otherwise the optimizer's first load_state_dict (which comes later),
    or True when there is none."""
    model = context.model
    if optimizer.site is None:
        return False
    sched_chain = (scheduler.site,)
    built = model.relate_chains((optimizer.site,), sched_chain)
    if built is None or not built.first_before_second:
        return False
    for other in model.schedulers:
        if other is not scheduler and optimizer in model.optimizers_of(other):
            order = model.relate_chains((other.site,), sched_chain) if other.site else None
            if order is None or order.first_before_second:
                return False  # an earlier scheduler already set initial_lr
    loads = optimizer.events_named("load_state_dict")
    for load in loads:
        order = model.relate_chains(load.chain, sched_chain)
        if order is None or order.first_before_second:
            return False
    if _escapes_before(context, optimizer, scheduler):
        return False
    return loads[0] if loads else True


def _escapes_before(context, optimizer: TrackedObject, scheduler: TrackedObject) -> bool:
    """The optimizer is handed to some other call before the scheduler is built (it may load
    a checkpoint into it: ``load_checkpoint(path, model, optimizer)``)."""
    model = context.model
    for site in model.calls:
        if site is scheduler.site or model.object_at.get(site.node) is not None:
            continue
        for arg in site.node.args:
            if any(r.obj is optimizer for r in model.resolve(arg.value, site.scope, site.order, site.path)):
                order = model.relate_chains((site,), (scheduler.site,))
                if order is None or order.first_before_second:
                    return True
    return False


def _keyed_saves(context):
    """(module, save, its keys) for every save of the project whose dict lrlint can read."""
    found = []
    for member, save in project_saves(context.model):
        keys = stored_keys(member, save)
        if keys is not None:
            found.append((member, save, keys))
    return found


def _any_unreadable_save(context) -> bool:
    return any(stored_keys(member, save) is None for member, save in project_saves(context.model))


def _is_state_of(context, value: cst.BaseExpression, save: Save, scheduler: TrackedObject) -> bool:
    """``scheduler.state_dict()`` (or the scheduler itself)."""
    owner = save.site.scope.module_model or context.model
    target = value.func.value if (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
                                  and value.func.attr.value == "state_dict") else value
    return any(ref.obj is scheduler for ref in owner.resolve(target, save.site.scope, save.site.order,
                                                              save.site.path))


def _load_of_a_missing_key(context, save: Save, scheduler: TrackedObject) -> Event | None:
    """A ``scheduler.load_state_dict(ckpt["k"])`` whose key this checkpoint does not write."""
    keys = stored_keys(context.model, save)
    if keys is None:
        return None
    for load in scheduler.events_named("load_state_dict"):
        owner = load.site.scope.module_model or context.model
        if load.node.args and (key := loaded_key(owner, load.node.args[0].value, load.site)) \
                and key not in keys:
            return load
    return None


def _short(context, node: cst.CSTNode) -> str:
    owner = context.model
    return " ".join(owner.code_for(node).split())


def _called(context, obj: TrackedObject, kind: str) -> str:
    """"`g_optimizer` (Adam)", or "the Adam optimizer" when it has no name."""
    names = context.model.binding_names(obj)
    return f"`{names[0]}` ({obj.short})" if names else f"the {obj.short} {kind}"


def _checkpoint_node(context, save: Save) -> cst.CSTNode:
    """Where the checkpoint is put together: the dict literal a saved variable holds (where the
    scheduler's entry belongs), else the save call."""
    stored = save.stored
    if isinstance(stored, cst.Name):
        site = save.site
        bindings = context.model.assignments_reaching(stored.value, site.scope, site.order, site.path)
        if len(bindings) == 1 and isinstance(bindings[0].value, cst.Dict):
            return bindings[0].value
    return save.site.node


_RESUME_WORDS = ("start", "resume", "begin", "init", "last", "ckpt", "checkpoint")


def _resuming_loop(model, step: Event):
    """A loop around ``step`` counting from a saved position: ``range(args.start_epoch, n)``."""
    for outer in model.contexts(step.chain[0].function):
        for site in outer + step.chain:
            for loop in site.loops:
                bounds = range_bounds(loop.iter)
                if bounds is None or bounds[1] is None:
                    continue
                start = " ".join(model.code_for(bounds[1]).split()).lower()
                if not isinstance(bounds[1], (cst.Integer, cst.Float)) and any(
                        word in start for word in _RESUME_WORDS):
                    return loop
    return None


def _loads_a_checkpoint(model) -> bool:
    """Something in the run restores a saved state (the model's weights, an optimizer)."""
    return any(site.method == "load_state_dict" or model.qualified_name(site.node.func) in
               ("torch.load", "torch_xla.core.xla_model.load")
               for member in model.project.members or [model] for site in member.calls)


def _saved_with_its_optimizer(context: RuleContext, scheduler: TrackedObject) -> bool:
    """Whether some checkpoint stores an optimizer this scheduler drives."""
    model = context.model
    optimizers = set(map(id, model.optimizers_of(scheduler)))
    for save in save_calls(model):
        states, whole = stored_objects(model, save)
        if any(id(obj) in optimizers for obj in states | whole):
            return True
    return False
