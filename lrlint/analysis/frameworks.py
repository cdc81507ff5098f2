"""What lrlint knows about the training frameworks, as data: which classes and factories are
whose, which arguments set what, and which defaults differ from plain PyTorch.

The facts here were read off each framework's own source (versions in the comments); the rules
of issue 10 query them through the helpers at the end of this module, so that a framework rule
is a short question ("is this class a LightningModule?", "which TrainingArguments were
passed?") rather than a name match of its own.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

if TYPE_CHECKING:
    from lrlint.analysis.facts import CallSite, ClassInfo
    from lrlint.analysis.model import ModuleModel

# -- Lightning (lightning 2.x; pytorch_lightning 1.x/2.x) ---------------------------------------

LIGHTNING_MODULES = frozenset({
    "lightning.LightningModule", "lightning.pytorch.LightningModule",
    "lightning.pytorch.core.LightningModule", "lightning.pytorch.core.module.LightningModule",
    "pytorch_lightning.LightningModule", "pytorch_lightning.core.LightningModule",
    "pytorch_lightning.core.module.LightningModule",
    "pytorch_lightning.core.lightning.LightningModule",
})
# configure_optimizers' lr_scheduler dict: the keys Lightning reads, and its defaults
# (lightning/pytorch/core/optimizer.py: _configure_schedulers_automatic_opt).
LIGHTNING_SCHEDULER_KEYS = frozenset({"scheduler", "interval", "frequency", "reduce_on_plateau",
                                      "monitor", "strict", "name"})
LIGHTNING_DEFAULT_INTERVAL = "epoch"

# -- Hugging Face transformers (5.x) ------------------------------------------------------------

HF_TRAINING_ARGUMENTS = frozenset({
    "transformers.TrainingArguments", "transformers.Seq2SeqTrainingArguments",
    "transformers.training_args.TrainingArguments",
    "transformers.training_args_seq2seq.Seq2SeqTrainingArguments",
    "trl.SFTConfig", "trl.DPOConfig", "trl.GRPOConfig", "trl.RewardConfig",
})
HF_TRAINERS = frozenset({
    "transformers.Trainer", "transformers.Seq2SeqTrainer", "transformers.trainer.Trainer",
    "trl.SFTTrainer", "trl.DPOTrainer", "trl.RewardTrainer",
})

# TrainingArguments' fields a schedule depends on, and their defaults (transformers 5.24,
# training_args.py; warmup_ratio is 4.x only: 5.x reads a warmup_steps below 1 as a ratio and
# rejects warmup_ratio). Trainer.create_scheduler passes them to get_scheduler as
# (lr_scheduler_type, num_warmup_steps=args.get_warmup_steps(max_steps), num_training_steps=
# max_steps, scheduler_specific_kwargs=lr_scheduler_kwargs).
HF_TRAINING_DEFAULTS: dict[str, object] = {
    "lr_scheduler_type": "linear", "warmup_steps": 0, "warmup_ratio": 0.0, "max_steps": -1,
    "num_train_epochs": 3.0, "gradient_accumulation_steps": 1, "learning_rate": 5e-5,
    "per_device_train_batch_size": 8,
}
# SchedulerType (trainer_utils.py) -> the factory get_scheduler calls (optimization.py,
# TYPE_TO_SCHEDULER_FUNCTION), for the types lrlint.schedules models.
HF_SCHEDULER_TYPES: dict[str, str] = {
    "linear": "get_linear_schedule_with_warmup",
    "cosine": "get_cosine_schedule_with_warmup",
    "cosine_with_restarts": "get_cosine_with_hard_restarts_schedule_with_warmup",
    "polynomial": "get_polynomial_decay_schedule_with_warmup",
    "constant": "get_constant_schedule",
    "constant_with_warmup": "get_constant_schedule_with_warmup",
    "inverse_sqrt": "get_inverse_sqrt_schedule",
    "warmup_stable_decay": "get_wsd_schedule",
}
# get_scheduler returns get_constant_schedule(optimizer) for "constant" before it reads
# num_warmup_steps (or scheduler_specific_kwargs): the warm-up is dropped without a word
# (transformers 4.x and 5.x; diffusers' get_scheduler does the same).
HF_CONSTANT_TYPE = "constant"
HF_CONSTANT_WITH_WARMUP = "constant_with_warmup"
# Types whose factory takes no warm-up at all, or reads no training length.
HF_TYPES_WITHOUT_WARMUP = frozenset({"constant", "reduce_lr_on_plateau", "greedy"})
# The warm-up factories: each ramps with `current_step < num_warmup_steps` and
# `current_step / max(1, num_warmup_steps)` (optimization.py); a float below 1 is read as a
# step count, so only step 0 is "in the warm-up".
HF_WARMUP_FACTORIES = frozenset({
    "get_constant_schedule_with_warmup", "get_linear_schedule_with_warmup",
    "get_cosine_schedule_with_warmup", "get_cosine_with_hard_restarts_schedule_with_warmup",
    "get_polynomial_decay_schedule_with_warmup", "get_inverse_sqrt_schedule",
    "get_wsd_schedule", "get_cosine_with_min_lr_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate", "get_scheduler",
})
# Factories with a total length: warm-up at least that long never reaches the peak LR.
HF_LENGTH_ARGUMENT = "num_training_steps"

# -- accelerate (1.x) ---------------------------------------------------------------------------

ACCELERATORS = frozenset({"accelerate.Accelerator", "accelerate.accelerator.Accelerator"})
# Accelerator.prepare(*args) returns its arguments in order, each wrapped; prepare_scheduler and
# the other prepare_<kind> methods take and return one object (accelerate 1.16,
# accelerator.py: prepare, _prepare_one, prepare_scheduler).
PREPARE_ALL = "prepare"
PREPARE_ONE = ("prepare_scheduler", "prepare_optimizer", "prepare_model", "prepare_data_loader")
# A receiver lrlint cannot trace to an Accelerator(...) call counts as one when named so.
ACCELERATOR_NAME = re.compile(r"_*accelerator", re.IGNORECASE)

# -- timm (1.0) ---------------------------------------------------------------------------------

# timm.scheduler classes: stepped with step(epoch, metric=None) per epoch and
# step_update(num_updates, metric=None) per optimizer update; t_in_epochs (default True) says
# which of the two moves the LR.
TIMM_SCHEDULERS = frozenset({
    "CosineLRScheduler", "StepLRScheduler", "MultiStepLRScheduler", "PlateauLRScheduler",
    "PolyLRScheduler", "TanhLRScheduler", "WSDLRScheduler",
})
# Factories that return (scheduler, num_epochs).
TIMM_FACTORIES = frozenset({"create_scheduler", "create_scheduler_v2"})
TIMM_PACKAGE = "timm"
TIMM_STEP_METHODS = ("step", "step_update")


# -- questions --------------------------------------------------------------------------------

def derives_from(model: ModuleModel, class_info: ClassInfo, names: frozenset[str]) -> bool:
    """True when ``class_info`` (through its project bases) derives from one of ``names``."""
    for cls in model.class_lineage(class_info):
        owner = cls.outer.module_model or model
        for base in cls.bases:
            if owner.qualified_name(base) in names:
                return True
    return False


def classes_deriving(model: ModuleModel, names: frozenset[str]) -> list[ClassInfo]:
    """The classes of this module that derive from one of ``names``."""
    return [cls for cls in model.classes if derives_from(model, cls, names)]


def calls_of(model: ModuleModel, names: frozenset[str]) -> list[CallSite]:
    """The calls of this module to one of the qualified ``names``."""
    return [site for site in model.calls if model.qualified_name(site.node.func) in names]


def keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    """The value passed as ``name=`` to ``call``."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None
