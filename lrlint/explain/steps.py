"""How many steps to show, and why: ``--steps``, the loops around ``scheduler.step()``, the
schedule's own length (``T_max``, ``total_steps``, ...), a horizon that shows its structure, or
100. Also the unit: whether the scheduler is stepped per epoch or per batch.

``Schedule.values(n)`` models a loop of ``n`` iterations of ``optimizer.step();
scheduler.step()``, so a loop that runs ``n`` times around ``scheduler.step()`` means ``n``
steps of the curve.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import libcst as cst

from lrlint.analysis.facts import CallSite, Loop
from lrlint.analysis.model import Event, ModuleModel, TrackedObject
from lrlint.analysis.values import fold_in
from lrlint.explain.find import one_line
from lrlint.explain.numbers import steps_text
from lrlint.explain.timm_view import implied_timm_length, moving_methods

DEFAULT_STEPS = 100
_EPOCH = re.compile(r"epoch", re.IGNORECASE)
_PER_EPOCH = re.compile(r"per_?epoch", re.IGNORECASE)
_BATCH = re.compile(r"batch|loader|data|\bstep|\biter|\bit\b", re.IGNORECASE)
# Iterables that yield as many items as their first argument: `enumerate(range(N))`, `tqdm(...)`.
_TRANSPARENT_WRAPPERS = frozenset({"enumerate", "tqdm"})


@dataclass(frozen=True)
class Stepping:
    """What the code around ``scheduler.step()`` says."""

    count: int | None = None  # how many times the loops run it, when they fold
    loops: str = ""  # "the loop `for epoch in range(EPOCHS)`", for the rationale
    unit: str | None = None  # "epoch" or "batch"
    notes: tuple[str, ...] = ()  # why the count is unknown, when that is news to the reader
    inner: int | None = None  # iterations of the innermost loop (an epoch's batches), if known
    driver: str | None = None  # what runs scheduler.step() when no loop here does (Lightning)


@dataclass(frozen=True)
class StepCount:
    count: int
    source: str  # "option", "loop", "schedule", "horizon" or "default"
    reason: str  # "the loop `for epoch in range(EPOCHS)` around scheduler.step()"
    notes: list[str] = field(default_factory=list)


# -- the loops ---------------------------------------------------------------------------------


def stepping(module: cst.Module, model: ModuleModel, scheduler: TrackedObject,
             positions) -> Stepping:
    methods = moving_methods(model, scheduler)  # timm: step or step_update, per t_in_epochs
    events = scheduler.events_named(*methods)
    if not events:
        from lrlint.explain.lightning import lightning_stepping

        called = "() or scheduler.".join(methods)
        return lightning_stepping(model, scheduler) or Stepping(
            notes=(f"scheduler.{called}() is not called in this file",))
    if len(events) > 1:
        units = {_unit(module, model, scheduler, event) for event in events}
        unit = units.pop() if len(units) == 1 else None
        return Stepping(unit=unit, notes=(f"scheduler.step() is called in {len(events)} places",))
    event = events[0]
    unit = _unit(module, model, scheduler, event)
    chains = [outer + event.chain for outer in model.contexts(event.chain[0].function)]
    if len(chains) != 1:
        return Stepping(unit=unit, notes=(
            f"the code that calls scheduler.step() is reached from {len(chains)} places",))
    chain = chains[0]
    loops = [(loop, site) for site in chain for loop in site.loops]
    if not loops:
        return Stepping(unit=unit, notes=("scheduler.step() is not inside a loop",))
    described = [_loop_text(module, loop) for loop, _ in loops]
    text = ("the loop " if len(loops) == 1 else "the loops ") + " × ".join(described)
    gate = accumulation_gate(model, chain[-1], positions)
    if gate is None and any(_conditional_in_loop(site, positions) for site in chain):
        return Stepping(loops=text, unit=unit, notes=(
            "scheduler.step() runs under a condition inside its loop",))
    counts = [_loop_count(model, loop, site) for loop, site in loops]
    inner = counts[-1]
    if gate is not None and counts[-1] is not None:
        counts[-1] = gate.count(counts[-1])
        described[-1] += f" under `if {gate.code}`"
        text = ("the loop " if len(loops) == 1 else "the loops ") + " × ".join(described)
    if any(count is None for count in counts):
        return Stepping(loops=text, unit=unit, inner=inner)
    if len(loops) > 1:
        described = [f"{d} ({steps_text(c)})" for d, c in zip(described, counts)]
        text = "the loops " + " × ".join(described)
    return Stepping(count=math.prod(counts), loops=text, unit=unit,  # type: ignore[arg-type]
                    inner=inner)


def step_gate(model: ModuleModel, obj: TrackedObject, positions) -> Gate | None:
    """The accumulation gate (``if (i + 1) % k == 0:``) around ``obj``'s one ``step()`` call."""
    events = obj.events_named("step")
    if len(events) != 1:
        return None
    return accumulation_gate(model, events[0].site, positions)


def loader_length_from_steps(model: ModuleModel, scheduler: TrackedObject, positions,
                             steps: int) -> tuple[str, int, str] | None:
    """``("len(loader)", N ÷ the other loops, "the loops ...")`` when exactly one loop around the
    (unconditional) ``scheduler.step()`` iterates data of unknown length."""
    events = scheduler.events_named("step")
    if len(events) != 1:
        return None
    event = events[0]
    chains = [outer + event.chain for outer in model.contexts(event.chain[0].function)]
    if len(chains) != 1 or any(_conditional_in_loop(site, positions) for site in chains[0]):
        return None
    loops = [(loop, site) for site in chains[0] for loop in site.loops]
    counts = [_loop_count(model, loop, site) for loop, site in loops]
    unknown = [index for index, count in enumerate(counts) if count is None]
    if len(unknown) != 1:
        return None
    iterable = _iterated(loops[unknown[0]][0])
    known = math.prod(count for count in counts if count is not None)
    if iterable is None or _is_range(iterable) or steps % known:
        return None
    module = model.module
    described = " × ".join(_loop_text(module, loop) + (f" ({steps_text(count)})" if count else "")
                           for (loop, _), count in zip(loops, counts))
    code = one_line(module.code_for_node(iterable))
    return f"len({code})", steps // known, ("the loop " if len(loops) == 1 else "the loops ") \
        + described


def _loop_text(module: cst.Module, loop: Loop) -> str:
    node = loop.node
    if isinstance(node, cst.For):
        code = f"for {module.code_for_node(node.target)} in {module.code_for_node(node.iter)}"
    else:
        code = f"while {module.code_for_node(node.test)}"
    code = one_line(code)
    return f"`{code if len(code) <= 48 else code[:47] + '…'}`"


def _loop_count(model: ModuleModel, loop: Loop, site: CallSite) -> int | None:
    iterable = _iterated(loop)
    if iterable is None:
        return None
    if isinstance(iterable, cst.Call) and _called_name(iterable) == "trange":
        iterable = iterable.with_changes(func=cst.Name("range"))
    value = fold_in(model, iterable, site.scope, loop.order_start)
    if isinstance(value, (range, list, tuple, str, dict, set)):
        return len(value) if len(value) > 0 else None
    # A data loader: its length, when the user supplied it (--steps-per-epoch, --set len(...)).
    length = fold_in(model, length_of(iterable), site.scope, loop.order_start)
    if isinstance(length, int) and not isinstance(length, bool) and length > 0:
        return length
    return None


def _iterated(loop: Loop) -> cst.BaseExpression | None:
    """What a ``for`` loop iterates, seen through ``enumerate(...)``/``tqdm(...)``."""
    iterable = loop.iter
    if loop.kind != "for" or iterable is None:
        return None
    while (isinstance(iterable, cst.Call) and iterable.args and not iterable.args[0].star
           and _called_name(iterable) in _TRANSPARENT_WRAPPERS):
        iterable = iterable.args[0].value
    return iterable


def length_of(iterable: cst.BaseExpression) -> cst.Call:
    """``len(iterable)``, as an expression the folder can be asked about."""
    return cst.Call(func=cst.Name("len"), args=[cst.Arg(value=iterable)])


def data_loops(model: ModuleModel) -> list[tuple[Loop, str]]:
    """The innermost loops around optimizer and scheduler steps that iterate data rather than a
    ``range`` (``for batch in train_loader``), with the code of what they iterate: what
    ``--steps-per-epoch`` counts."""
    found: dict[str, Loop] = {}
    for obj in (*model.optimizers, *model.schedulers):
        for event in obj.events_named("step"):
            for outer in model.contexts(event.chain[0].function):
                loops = [loop for site in outer + event.chain for loop in site.loops]
                iterable = _iterated(loops[-1]) if loops else None
                if iterable is None or _is_range(iterable):
                    continue
                found.setdefault(one_line(model.module.code_for_node(iterable)), loops[-1])
    return [(loop, code) for code, loop in found.items()]


def _is_range(expr: cst.BaseExpression) -> bool:
    return (isinstance(expr, (cst.List, cst.Tuple, cst.Set, cst.Dict, cst.SimpleString))
            or (isinstance(expr, cst.Call) and _called_name(expr) in ("range", "trange")))


@dataclass(frozen=True)
class Gate:
    """``if (i + offset) % k == remainder:`` around ``scheduler.step()``, where ``i`` counts the
    loop's iterations from ``start``: the step runs on some of them only."""

    code: str
    offset: int
    k: int
    remainder: int
    start: int

    @property
    def first(self) -> int:
        """The first iteration (counted from 0) that passes the gate."""
        return (self.remainder - self.offset - self.start) % self.k

    def count(self, iterations: int) -> int:
        """How many of ``iterations`` pass the gate."""
        low = self.start + self.offset
        high = low + iterations
        return (high - 1 - self.remainder) // self.k - (low - 1 - self.remainder) // self.k


def accumulation_gate(model: ModuleModel, site: CallSite, positions) -> Gate | None:
    """The one ``if`` between the call and its innermost loop, when it is a modulus gate on the
    loop's counter (gradient accumulation); None otherwise."""
    if not site.loops or not site.conditions:
        return None
    loop = site.loops[-1]
    start = positions[loop.node].start
    inside = [c for c in site.conditions
              if (positions[c].start.line, positions[c].start.column) > (start.line, start.column)]
    if len(inside) != 1 or (inside[0], "body") not in site.path:
        return None
    condition = inside[0]
    counter = _counter_start(model, loop, site)
    if counter is None:
        return None
    name, first = counter
    found = _modulus_test(condition.test)
    if found is None:
        return None
    left, divisor, remainder = found
    offset = _counter_offset(model, left, name, site)
    k, remainder = (fold_in(model, e, site.scope, site.order) for e in (divisor, remainder))
    if offset is None or not _whole(k) or not _whole(remainder) or k < 1:
        return None
    return Gate(one_line(model.module.code_for_node(condition.test)), offset, k, remainder % k,
                 first)


def _counter_start(model: ModuleModel, loop: Loop, site: CallSite) -> tuple[str, int] | None:
    """(name, first value) of the loop's counter: ``i`` of ``for i, x in enumerate(xs)`` or of
    ``for i in range(n)``."""
    iterable, targets = loop.iter, loop.target_names
    if loop.kind != "for" or not isinstance(iterable, cst.Call) or not targets:
        return None
    args = [a for a in iterable.args if not a.star]
    name = _called_name(iterable)
    if name == "enumerate" and isinstance(loop.node.target, cst.Tuple):
        start_expr = next((a.value for a in args[1:2] if a.keyword is None), None) or next(
            (a.value for a in args if a.keyword is not None and a.keyword.value == "start"), None)
        start = fold_in(model, start_expr, site.scope, loop.order_start) if start_expr else 0
    elif name in ("range", "trange") and isinstance(loop.node.target, cst.Name):
        positional = [a.value for a in args if a.keyword is None]
        step = fold_in(model, positional[2], site.scope, loop.order_start) \
            if len(positional) > 2 else 1
        start = fold_in(model, positional[0], site.scope, loop.order_start) \
            if len(positional) > 1 else 0
        if step != 1:
            return None
    else:
        return None
    return (targets[0], start) if _whole(start) else None


def _modulus_test(test: cst.BaseExpression):
    """(left, k, remainder) of ``left % k == remainder`` or ``not left % k``."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _unparenthesized(test.expression)
        if _is_modulus(inner):
            return inner.left, inner.right, cst.Integer("0")
        return None
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return None
    left, right = _unparenthesized(test.left), _unparenthesized(target.comparator)
    if _is_modulus(left):
        return left.left, left.right, right
    if _is_modulus(right):
        return right.left, right.right, left
    return None


def _counter_offset(model: ModuleModel, expr: cst.BaseExpression, name: str,
                    site: CallSite) -> int | None:
    """``a`` when ``expr`` is ``name``, ``name + a`` or ``a + name``."""
    expr = _unparenthesized(expr)
    if isinstance(expr, cst.Name):
        return 0 if expr.value == name else None
    if not isinstance(expr, cst.BinaryOperation) or not isinstance(expr.operator, cst.Add):
        return None
    for counter, other in ((expr.left, expr.right), (expr.right, expr.left)):
        if isinstance(counter, cst.Name) and counter.value == name:
            value = fold_in(model, other, site.scope, site.order)
            return value if _whole(value) else None
    return None


def _unparenthesized(expr: cst.BaseExpression) -> cst.BaseExpression:
    return expr.with_changes(lpar=[], rpar=[]) if getattr(expr, "lpar", None) else expr


def _is_modulus(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _called_name(call: cst.Call) -> str | None:
    func = call.func
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


def _conditional_in_loop(site: CallSite, positions) -> bool:
    """An ``if`` between the call and its innermost loop: the loop bound over-counts."""
    if not site.loops or not site.conditions:
        return False
    loop = positions[site.loops[-1].node]
    condition = positions[site.conditions[-1]]
    return (condition.start.line, condition.start.column) > (loop.start.line, loop.start.column)


def _unit(module: cst.Module, model: ModuleModel, scheduler: TrackedObject,
          event: Event) -> str | None:
    """'epoch' or 'batch': the loop variable's name, then where optimizer.step() runs, then
    what the loop iterates (``train_loader``), then an epoch loop further out."""
    chains = [outer + event.chain for outer in model.contexts(event.chain[0].function)]
    loops = [loop for site in chains[0] for loop in site.loops] if chains else []
    if not loops:
        return None
    innermost = loops[-1]
    targets = " ".join(innermost.target_names)
    if _EPOCH.search(targets):
        return "epoch"
    if _BATCH.search(targets):
        return "batch"
    structural = _unit_from_optimizer_steps(model, scheduler, event)
    if structural is not None:
        return structural
    iterable = _loop_text(module, innermost).removeprefix(f"`for {targets} in ")
    if _EPOCH.search(iterable) and not _PER_EPOCH.search(iterable):
        return "epoch"
    if _BATCH.search(iterable):
        return "batch"
    if any(_EPOCH.search(" ".join(loop.target_names)) for loop in loops[:-1]):
        return "batch"
    return None


def _unit_from_optimizer_steps(model: ModuleModel, scheduler: TrackedObject,
                               event: Event) -> str | None:
    """Per batch when optimizer.step() shares the scheduler's innermost loop, per epoch when it
    runs in a loop nested inside it."""
    for optimizer in model.optimizers_of(scheduler):
        for optimizer_step in optimizer.events_named("step"):
            relation = model.relate(optimizer_step, event)
            if relation is None or not relation.loops:
                continue
            shared = len(relation.loops)
            optimizer_depth = sum(len(site.loops) for site in relation.first_chain)
            scheduler_depth = sum(len(site.loops) for site in relation.second_chain)
            if scheduler_depth == shared < optimizer_depth:
                return "epoch"
            if scheduler_depth == shared == optimizer_depth:
                return "batch"
    return None


# -- the schedule's own length -----------------------------------------------------------------


def implied_length(name: str, arguments: dict) -> tuple[int, str] | None:
    """The run length the schedule's arguments state: ``T_max``, ``total_steps``, ..."""
    a = arguments
    if name.startswith("timm."):
        return implied_timm_length(a)
    if name == "OneCycleLR":
        if a.get("total_steps") is not None:
            return a["total_steps"], f"total_steps={a['total_steps']} of OneCycleLR"
        epochs, per_epoch = a.get("epochs"), a.get("steps_per_epoch")
        if isinstance(epochs, int) and isinstance(per_epoch, int):
            return epochs * per_epoch, (f"epochs × steps_per_epoch = {epochs} × {per_epoch} "
                                        "of OneCycleLR")
        return None
    if name == "CosineAnnealingLR":
        return _length(a.get("T_max"), f"T_max={a.get('T_max')} of CosineAnnealingLR")
    if name == "PolynomialLR":
        return _length(a.get("total_iters"), f"total_iters={a.get('total_iters')} of PolynomialLR")
    if name in ("LinearLR", "ConstantLR"):
        total = a.get("total_iters")
        if not isinstance(total, int) or total < 1:
            return None
        return total + 1, f"{name} stops changing the LR at step total_iters={total}"
    if "num_training_steps" in a:
        total = a["num_training_steps"]
        return _length(total, f"num_training_steps={total} of {name}")
    if name == "get_wsd_schedule":
        parts = [a.get(k) for k in ("num_warmup_steps", "num_stable_steps", "num_decay_steps")]
        if all(isinstance(p, int) for p in parts):
            return sum(parts), "num_warmup_steps + num_stable_steps + num_decay_steps"  # type: ignore[arg-type]
        return None
    if name == "SequentialLR":
        return _sequential_length(a)
    if name == "ChainedScheduler":
        lengths = [implied_length(child.name, child.arguments) for child in a.get("schedulers") or ()]
        known = [length for length in lengths if length is not None]
        return max(known) if known else None
    return None


def _length(value: object, reason: str) -> tuple[int, str] | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value, reason
    return None


def _sequential_length(arguments: dict) -> tuple[int, str] | None:
    children, milestones = arguments.get("schedulers") or (), arguments.get("milestones") or ()
    if not children or len(milestones) != len(children) - 1:
        return None
    last = children[-1]
    tail = implied_length(last.name, last.arguments)
    if tail is None:
        return None
    start = milestones[-1] if milestones else 0
    return start + tail[0], f"the last milestone ({start}) + {tail[1]}"


def structure_horizon(name: str, arguments: dict) -> tuple[int, str] | None:
    """When the code does not bound the run: enough steps to show the schedule's structure."""
    a = arguments
    if name == "StepLR" and isinstance(a.get("step_size"), int) and a["step_size"] >= 1:
        return 4 * a["step_size"], f"3 decays of StepLR(step_size={a['step_size']})"
    if name == "MultiStepLR" and a.get("milestones"):
        last = max(a["milestones"])
        return last + max(1, last // 3), f"a third past the last milestone ({last})"
    if name == "CosineAnnealingWarmRestarts" and isinstance(a.get("T_0"), int):
        t0, mult = a["T_0"], a.get("T_mult", 1)
        return t0 * (1 + mult + mult * mult), f"3 cycles of T_0={t0}, T_mult={mult}"
    if name == "CyclicLR":
        up = a.get("step_size_up", 2000)
        down = a.get("step_size_down") or up
        if isinstance(up, (int, float)) and isinstance(down, (int, float)):
            return int(3 * (up + down)), "3 cycles of CyclicLR"
    if name in ("get_constant_schedule_with_warmup", "get_inverse_sqrt_schedule"):
        warmup = a.get("num_warmup_steps")
        if isinstance(warmup, int) and warmup >= 1:
            return 4 * warmup, f"4 × num_warmup_steps={warmup}"
    return None


# -- the choice --------------------------------------------------------------------------------


def choose_steps(option: int | None, found: Stepping, name: str | None,
                 arguments: dict | None) -> StepCount:
    implied = implied_length(name, arguments) if name and arguments is not None else None
    if option is not None:
        chosen = StepCount(option, "option", "--steps")
        from_code = choose_steps(None, found, name, arguments)
        if from_code.source in ("loop", "schedule") and from_code.count != option:
            chosen.notes.append(f"the code implies {steps_text(from_code.count)}: "
                                f"{from_code.reason}")
        return chosen
    if found.count is not None:
        chosen = StepCount(found.count, "loop",
                           found.driver or f"{found.loops} around scheduler.step()")
        if implied is not None and implied[0] != found.count:
            chosen.notes.append(f"the schedule is laid out for {steps_text(implied[0])} "
                                f"({implied[1]})")
        return chosen
    if implied is not None:
        return StepCount(implied[0], "schedule", implied[1])
    horizon = structure_horizon(name, arguments) if name and arguments is not None else None
    if horizon is not None:
        return StepCount(horizon[0], "horizon",
                         f"{horizon[1]} (the code does not say how long the run is)")
    return StepCount(DEFAULT_STEPS, "default", "the default (the code does not say how long "
                                               "the run is)")
