"""Run a rule test's LightningModule snippet under a real Lightning ``Trainer`` (CPU, a few tiny
batches) and record the LR each optimizer step used, so that a test can check the claim its rule
makes against Lightning itself. Callers skip when Lightning is not installed:

    L = pytest.importorskip("lightning.pytorch")
    run = fit_snippet(SOURCE, "Model", epochs=3, batches=4)
    run.lrs        # the LR of the first param group at every training batch, in order
    run.warnings   # the messages of the warnings Lightning raised
    run.error      # the exception fit raised, or None
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from textwrap import dedent


@dataclass
class Run:
    lrs: list[float] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: Exception | None = None
    module: object = None

    def per_epoch(self, batches: int) -> list[list[float]]:
        return [self.lrs[i:i + batches] for i in range(0, len(self.lrs), batches)]


def fit_snippet(source: str, class_name: str, epochs: int = 3, batches: int = 4,
                **trainer_options) -> Run:
    """Execute ``source`` (a test's own snippet), build ``class_name()`` and fit it on
    ``batches`` batches of 4 random rows of 4 features per epoch (the same data validate)."""
    import torch
    import lightning.pytorch as L

    namespace: dict[str, object] = {"__name__": "lightning_snippet"}
    exec(compile(dedent(source), "<snippet>", "exec"), namespace)  # noqa: S102 - test code
    module = namespace[class_name]()
    run = Run(module=module)

    class RecordLR(L.Callback):
        def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
            optimizer = trainer.optimizers[0]
            run.lrs.append(optimizer.param_groups[0]["lr"])

    torch.manual_seed(0)
    data = torch.utils.data.DataLoader(torch.randn(4 * batches, 4), batch_size=4)
    trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, num_sanity_val_steps=0,
                        callbacks=[RecordLR()], **trainer_options)
    loggers = [logging.getLogger(name) for name in ("lightning.pytorch", "lightning.fabric")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)  # its tips and progress lines
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            validation = data if _overrides(module, "validation_step") else None
            trainer.fit(module, data, validation)
        except Exception as error:  # noqa: BLE001 - the claim may be that fit raises
            run.error = error
        finally:
            for logger, level in zip(loggers, levels):
                logger.setLevel(level)
    run.warnings = [str(w.message) for w in caught]
    return run


def _overrides(module, name: str) -> bool:
    import lightning.pytorch as L

    return getattr(type(module), name) is not getattr(L.LightningModule, name)


def changes(lrs: list[float]) -> int:
    """How many times the LR changed between consecutive optimizer steps."""
    return sum(1 for a, b in zip(lrs, lrs[1:]) if a != b)
