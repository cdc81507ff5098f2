"""How Lightning steps a scheduler that ``configure_optimizers`` returns: once per epoch, or
after every optimizer step (its ``"interval"``), for as many epochs or steps as the run has.

The run's length is what the Trainer knows at fit time; ``lrlint explain`` takes it from the
user: ``--set self.trainer.max_epochs=E``, ``--set self.trainer.estimated_stepping_batches=N``,
``--steps-per-epoch B`` (``self.trainer.num_training_batches``), or from a ``Trainer(max_epochs=E)``
in the same file.
"""

from __future__ import annotations

import libcst as cst

from lrlint.analysis.lightning import configured, trainer_max_epochs
from lrlint.analysis.model import ModuleModel, TrackedObject
from lrlint.explain.numbers import steps_text

BATCHES_PER_EPOCH = "self.trainer.num_training_batches"  # what --steps-per-epoch supplies
_MAX_EPOCHS = "self.trainer.max_epochs"
_TOTAL_STEPS = "self.trainer.estimated_stepping_batches"


def has_lightning_module(model: ModuleModel) -> bool:
    from lrlint.analysis.lightning import lightning_modules

    return bool(lightning_modules(model))


def lightning_stepping(model: ModuleModel, scheduler: TrackedObject):
    """The ``Stepping`` of a scheduler only Lightning steps, or None."""
    from lrlint.explain.steps import Stepping

    found = configured(model, scheduler)
    if len(found) != 1:
        return None
    module, entry = found[0]
    if not module.lightning_steps or module.manual_steps(entry, scheduler):
        return None
    interval = module.interval(entry)
    if interval is None:
        return Stepping(notes=("Lightning steps it at an interval lrlint cannot read",))
    site = scheduler.site
    epochs = _count(model, _MAX_EPOCHS, site) or trainer_max_epochs(model)
    if interval == "epoch":
        said = "once per epoch (\"interval\": \"epoch\"" + (
            ")" if entry.config is not None and "interval" in entry.config.values
            else ", Lightning's default)")
        driver = (f"Lightning's {steps_text(epochs)} epochs (max_epochs)" if epochs else None)
        return Stepping(count=epochs, loops="Lightning's epochs", unit="epoch", driver=driver,
                        notes=(f"Lightning steps it {said}",) + _missing(epochs, _MAX_EPOCHS))
    total = _count(model, _TOTAL_STEPS, site)
    batches = _count(model, BATCHES_PER_EPOCH, site)
    driver = None
    if total:
        driver = f"Lightning's {steps_text(total)} optimizer steps (estimated_stepping_batches)"
    elif epochs and batches:
        total = epochs * batches
        driver = (f"Lightning's {steps_text(epochs)} epochs × {steps_text(batches)} batches "
                  "(max_epochs × --steps-per-epoch)")
    missing = () if total else (
        f"pass --set {_TOTAL_STEPS}=N (or --set {_MAX_EPOCHS}=E with --steps-per-epoch B) "
        "for the run's length",)
    return Stepping(count=total, loops="Lightning's optimizer steps", unit="batch",
                    driver=driver, inner=batches,
                    notes=("Lightning steps it after every optimizer step (\"interval\": "
                           "\"step\")",) + missing)


def configuration_nodes(model: ModuleModel, scheduler: TrackedObject) -> set[cst.CSTNode]:
    """Every node of the dicts and slots that return ``scheduler`` to Lightning (where LR019
    reports an interval written there)."""
    if not has_lightning_module(model):
        return set()
    from lrlint.analysis.walk import iter_tree

    nodes: set[cst.CSTNode] = set()
    for _, entry in configured(model, scheduler):
        for config in (entry.config, entry.outer):
            if config is not None:
                nodes.update(iter_tree(config.node))
        nodes.add(entry.node)
    return nodes


def _count(model: ModuleModel, code: str, site) -> int | None:
    value = model.fold(cst.parse_expression(code), site.scope, site.order)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _missing(value, code: str) -> tuple[str, ...]:
    return () if value else (f"pass --set {code}=N for the run's length",)
