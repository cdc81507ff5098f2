"""How often a ``scheduler.step()`` runs: once per epoch, or once per batch.

Judged from the loops around the scheduler step and around the steps of the optimizer it
drives, in a shared calling context (``model.relate``):

* once per EPOCH: the optimizer steps inside a batch loop that the scheduler step is *not* in,
  and the scheduler step is in no batch loop at all (``for epoch ...: train(); sched.step()``,
  or ``sched.step()`` after the batch loop of a ``train_one_epoch`` nothing here calls);
  or, when the module shows no step of that optimizer, the scheduler step's innermost loop is
  an epoch loop and no batch loop is around it;
* once per BATCH: the scheduler step's innermost loop is a batch loop, the optimizer (when
  visible) steps in that same loop, and no condition inside the loop gates the scheduler step
  that does not also gate the optimizer step (``if i == len(loader) - 1: sched.step()`` is a
  per-epoch step in disguise).
"""

from __future__ import annotations

from dataclasses import dataclass

from lrlint.analysis.chains import Frame, blocks_inside, frames, is_conditional
from lrlint.analysis.facts import CallSite
from lrlint.analysis.loops import LoopClassifier, LoopKind
from lrlint.analysis.model import Event, ModuleModel, TrackedObject


@dataclass(frozen=True)
class Cadence:
    per: LoopKind  # EPOCH or BATCH
    loop: Frame | None  # the loop the scheduler step repeats with (None: once per call)
    optimizer_loop: Frame | None = None  # per EPOCH: the batch loop the optimizer steps in
    epoch_loop: Frame | None = None  # per BATCH: an epoch loop around the batch loop


def cadence(model: ModuleModel, loops: LoopClassifier, step: Event,
            optimizers: list[TrackedObject]) -> Cadence | None:
    """The cadence of scheduler step ``step``, or None when the loops do not settle it."""
    optimizer_steps = [e for o in optimizers for e in o.events_named("step")]
    if optimizer_steps:
        found = []
        for optimizer_step in optimizer_steps:
            relation = model.relate(optimizer_step, step)
            if relation is not None:
                found.append(_related(loops, relation.first_chain, relation.second_chain,
                                      len(relation.loops)))
        # Several optimizer loops (an LR finder, a fine-tuning phase) must tell the same story.
        known = [c for c in found if c is not None]
        if known and all(c.per is known[0].per for c in known):
            return known[0]
        return None
    for outer in model.contexts(step.chain[0].function):
        found = _alone(loops, outer + step.chain)
        if found is not None:
            return found
    return None


def _related(loops: LoopClassifier, optimizer_chain: tuple[CallSite, ...],
             scheduler_chain: tuple[CallSite, ...], shared: int) -> Cadence | None:
    scheduler_frames = frames(scheduler_chain)
    optimizer_frames = frames(optimizer_chain)
    if len(scheduler_frames) != shared:
        return None  # the scheduler steps in a loop of its own
    innermost = scheduler_frames[-1] if scheduler_frames else None
    kinds = [loops.kind(f) for f in scheduler_frames]
    if len(optimizer_frames) > shared:
        # Once per pass over the batch loop the optimizer steps in: in the epoch loop around
        # it, or after it in a `train_one_epoch` that nothing here calls.
        inner = optimizer_frames[shared]
        if LoopKind.BATCH not in kinds and loops.kind(inner) is LoopKind.BATCH:
            return Cadence(LoopKind.EPOCH, innermost, optimizer_loop=inner)
        return None
    if not kinds or kinds[-1] is not LoopKind.BATCH:
        return None
    scheduler_blocks = blocks_inside(scheduler_chain, innermost.loop) or []
    optimizer_blocks = blocks_inside(optimizer_chain, innermost.loop) or []
    gates = [b for b in scheduler_blocks if is_conditional(b)]
    shared_gates = [b for b in optimizer_blocks if is_conditional(b)][: len(gates)]
    if any(a[0] is not b[0] or a[1] != b[1] for a, b in zip(gates, shared_gates)) \
            or len(shared_gates) < len(gates):
        return None  # gated more sparsely than the optimizer: not once per batch
    return Cadence(LoopKind.BATCH, innermost,
                   epoch_loop=_epoch_around(loops, scheduler_frames[:-1]))


def _alone(loops: LoopClassifier, chain: tuple[CallSite, ...]) -> Cadence | None:
    scheduler_frames = frames(chain)
    if not scheduler_frames:
        return None
    kinds = [loops.kind(f) for f in scheduler_frames]
    innermost = scheduler_frames[-1]
    if kinds[-1] is LoopKind.EPOCH and LoopKind.BATCH not in kinds:
        return Cadence(LoopKind.EPOCH, innermost)
    if kinds[-1] is LoopKind.BATCH:
        blocks = blocks_inside(chain, innermost.loop) or []
        if not any(is_conditional(b) for b in blocks):
            return Cadence(LoopKind.BATCH, innermost,
                           epoch_loop=_epoch_around(loops, scheduler_frames[:-1]))
    return None


def _epoch_around(loops: LoopClassifier, outer: list[Frame]) -> Frame | None:
    for frame in reversed(outer):
        if loops.kind(frame) is LoopKind.EPOCH:
            return frame
    return None
