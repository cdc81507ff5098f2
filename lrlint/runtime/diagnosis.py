"""The head of an ``LRScheduleError``: one diagnosis per distinct cause, in the order the causes
first showed — what it means, where it first showed (the user's ``file:line``), and the fix.
Torch-free, like ``errors``."""

from __future__ import annotations

from collections.abc import Sequence

from lrlint.runtime import errors as E

# cause -> (what it means, the fix)
_EXPLAIN: dict[str, tuple[str, str]] = {
    E.CAUSE_SCHEDULER_FIRST: (
        "PyTorch skips the first value of the schedule: every LR change comes one step early",
        "call scheduler.step() after optimizer.step()",
    ),
    E.CAUSE_GRADSCALER_SKIP: (
        (
            "GradScaler skipped optimizer steps (inf/NaN gradients) while the scheduler kept "
            "counting: the schedule runs ahead by one step per skipped step"
        ),
        (
            "step the scheduler only when the optimizer stepped: keep scale = scaler.get_scale() "
            "before scaler.update(), then call scheduler.step() only if scaler.get_scale() >= scale"
        ),
    ),
    E.CAUSE_EXTRA_SCHEDULER_STEP: (
        (
            "the scheduler is stepped more often than the optimizer (a second scheduler.step() per "
            "iteration, or one per micro-batch under gradient accumulation)"
        ),
        "step the scheduler once per optimizer step, under the same condition",
    ),
    E.CAUSE_MISSED_SCHEDULER_STEP: (
        "the scheduler is stepped less often than unit= declares: the LR moves too slowly",
        "step the scheduler as often as declared, or correct unit=/steps_per_epoch=",
    ),
    E.CAUSE_OUTSIDE_WRITE: (
        (
            "something other than the scheduler changed group['lr'] (a manual write, a callback, "
            "a second scheduler); it is noticed at the next step"
        ),
        "change the LR through the scheduler, or declare the change in expect=",
    ),
    E.CAUSE_LR_ATTRIBUTE: (
        "torch optimizers never read optimizer.lr: the LR they use stays the same",
        "write optimizer.param_groups[i]['lr'] (or use a scheduler)",
    ),
    E.CAUSE_SCHEDULE_TOO_SHORT: (
        "the run went past the end of the declared schedule",
        "make the schedule as long as the run (total_steps, T_max, num_training_steps ...)",
    ),
    E.CAUSE_DIFFERS: (
        "the LR the optimizer used is not the one the declared schedule gives at that point",
        "check the scheduler's arguments, and anything that changes the scheduler mid-run",
    ),
    E.CAUSE_ADDED_GROUP: (
        (
            "a param group joined at an LR far above the others' current LR: was it given the "
            "initial LR instead of the value the schedule has reached?"
        ),
        (
            "add the group at the schedule's current LR (scale its LR by the factor the others "
            "have decayed by)"
        ),
    ),
    E.CAUSE_OPTIMIZER_ONLY_LOADED: (
        (
            "optimizer.load_state_dict() replaced the LR, but the scheduler's state was not loaded: "
            "the scheduler goes on from its own position"
        ),
        "save and load scheduler.state_dict() together with the optimizer's",
    ),
    E.CAUSE_SCHEDULER_ONLY_LOADED: (
        (
            "scheduler.load_state_dict() moved the schedule, but the optimizer kept its LR (torch "
            "does not write the LR when a scheduler is loaded)"
        ),
        "load optimizer.state_dict() as well: it holds the LR",
    ),
    E.CAUSE_LOADS_DISAGREE: (
        "the loaded optimizer's LR is not the one the loaded scheduler state gives",
        "save optimizer and scheduler state at the same step",
    ),
    E.CAUSE_RESTARTED_SCHEDULE: (
        (
            "the optimizer's state has already taken steps, but the scheduler is at step 0: the "
            "schedule (warm-up included) starts over on a resumed run"
        ),
        "load the scheduler's state_dict too when resuming",
    ),
}
_PROBE_FIX = "the optimizer's step() must use group['lr'] as its step size, sign included"
_CADENCE_FIX = "step the scheduler at the declared cadence, or leave out unit= to have it inferred"


def _explain(cause: str) -> tuple[str, str]:
    if cause in _EXPLAIN:
        return _EXPLAIN[cause]
    if cause.startswith(E.CADENCE_PREFIX):
        return "the scheduler's cadence is not the one unit= declares", _CADENCE_FIX
    return "", _PROBE_FIX  # the probe's causes: the update does not follow the LR


def _where(first: E.Divergence) -> str:
    if first.kind == E.KIND_SCHEDULER_STEP:
        place = f"first at scheduler step {first.step}"
    else:
        place = f"first at optimizer step {first.step}"
    if first.group is not None and (first.expected is not None or first.got is not None):
        place += f" (group {first.group}: expected {_num(first.expected)}, got {_num(first.got)})"
    elif first.kind == E.KIND_LOAD and first.got is not None:
        place += f" (the optimizer's state has taken {_num(first.got)} steps)"
    if first.site:
        place += f", at {first.site}"
    return place


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def diagnose(divergences: Sequence[E.Divergence], optimizer_steps: int) -> list[str]:
    """The lines that lead the error message."""
    firsts: dict[str, E.Divergence] = {}
    counts: dict[str, int] = {}
    for d in divergences:
        firsts.setdefault(d.cause, d)
        counts[d.cause] = counts.get(d.cause, 0) + 1
    lines: list[str] = []
    for index, (cause, first) in enumerate(firsts.items()):
        meaning, fix = _explain(cause)
        lines.append(("learning rate diverged: " if index == 0 else "also: ") + cause)
        lines.append(f"  {_where(first)}")
        if meaning:
            lines.append(f"  {meaning}")
        lines.append(f"  fix: {fix}")
    if optimizer_steps == 0:
        lines.append(
            "note: the watched optimizer never stepped — is it the optimizer the loop steps?"
        )
    return lines
