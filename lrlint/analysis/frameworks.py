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
LIGHTNING_INTERVALS = ("step", "epoch")
# The keys of configure_optimizers' top-level dict (core/optimizer.py: _validate_optim_conf);
# any other key ("interval", "frequency", "scheduler") is dropped with a RuntimeWarning.
LIGHTNING_OPTIMIZER_KEYS = frozenset({"optimizer", "lr_scheduler", "monitor"})
LIGHTNING_TRAINERS = frozenset({
    "lightning.Trainer", "lightning.pytorch.Trainer", "lightning.pytorch.trainer.Trainer",
    "lightning.pytorch.trainer.trainer.Trainer", "pytorch_lightning.Trainer",
    "pytorch_lightning.trainer.Trainer", "pytorch_lightning.trainer.trainer.Trainer",
})
# The packages whose own source defines the LightningModule API (their default hooks are not
# the user's overrides).
LIGHTNING_PACKAGES = ("lightning", "pytorch_lightning")
# Trainer attributes that count the run, and their unit (trainer/trainer.py: max_steps and
# estimated_stepping_batches count optimizer steps, num_training_batches the batches of one
# epoch, max_epochs epochs).
LIGHTNING_TRAINER_COUNTS = {
    "estimated_stepping_batches": "iteration", "max_steps": "iteration",
    "num_training_batches": "iteration", "max_epochs": "epoch",
}
# Stepping (loops/training_epoch_loop.py: _update_learning_rates): with automatic optimization,
# Lightning calls the module's lr_scheduler_step(scheduler, metric) hook (default:
# scheduler.step() or scheduler.step(metric)) after every optimizer step ("step") or at the end
# of every training epoch ("epoch"); with manual optimization it never does.
LIGHTNING_AUTOMATIC_FLAG = "automatic_optimization"
LIGHTNING_SCHEDULER_HOOK = "lr_scheduler_step"
LIGHTNING_CONFIGURE = "configure_optimizers"
LIGHTNING_SCHEDULERS_ACCESSOR = "lr_schedulers"  # self.lr_schedulers(): the configured ones
# The hooks Lightning runs again and again during fit, and how often (core/hooks.py, and the
# 1.x *_epoch_end hooks): a scheduler step there repeats with them.
LIGHTNING_RECURRING_HOOKS = {
    **dict.fromkeys(("training_step", "training_step_end", "on_train_batch_start",
                     "on_train_batch_end", "on_before_backward", "on_after_backward",
                     "on_before_optimizer_step", "on_before_zero_grad", "optimizer_step",
                     "optimizer_zero_grad", "backward"), "every training batch"),
    **dict.fromkeys(("validation_step", "validation_step_end", "on_validation_batch_start",
                     "on_validation_batch_end"), "every validation batch"),
    **dict.fromkeys(("on_train_epoch_start", "on_train_epoch_end", "training_epoch_end",
                     "on_validation_start", "on_validation_end", "on_validation_epoch_start",
                     "on_validation_epoch_end", "validation_epoch_end"), "every epoch"),
}
# self.log("val_acc", value) / self.log_dict({"val_acc": value}): the keys a "monitor" names.
LIGHTNING_LOG_METHODS = ("log", "log_dict")

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
# What decides whether step(epoch) or step_update(num_updates) moves the LR (timm 1.0.31:
# scheduler.py `_get_values`, scheduler_factory.py `create_scheduler_v2`): the argument and its
# default. PlateauLRScheduler has no such argument: only step(epoch) moves it (its
# step_update returns None). create_scheduler(args, ...) reads
# `getattr(args, "sched_on_updates", False)`, the negation of step_on_epochs.
TIMM_UNIT_ARGUMENT = {name: ("t_in_epochs", True) for name in TIMM_SCHEDULERS
                      if name != "PlateauLRScheduler"}
TIMM_UNIT_ARGUMENT["create_scheduler_v2"] = ("step_on_epochs", True)
TIMM_ON_UPDATES_ATTRIBUTE = "sched_on_updates"
# The arguments that count the schedule's length, and its warm-up, in the scheduler's unit
# (the factory's in epochs: it multiplies them by updates_per_epoch when step_on_epochs=False).
TIMM_LENGTH_ARGUMENTS = {
    "CosineLRScheduler": ("t_initial",), "TanhLRScheduler": ("t_initial",),
    "PolyLRScheduler": ("t_initial",), "WSDLRScheduler": ("t_initial", "decay_t"),
    "StepLRScheduler": ("decay_t",), "MultiStepLRScheduler": ("decay_t",),
    "create_scheduler_v2": ("num_epochs", "decay_epochs", "decay_milestones", "cooldown_epochs"),
}
TIMM_WARMUP_ARGUMENT = {**{name: "warmup_t" for name in TIMM_LENGTH_ARGUMENTS},
                        "create_scheduler_v2": "warmup_epochs"}
# timm's plateau scheduler wraps torch's ReduceLROnPlateau (timm 1.0.31 plateau_lr.py) with
# other names and another default mode: (mode, its default), (factor, default), (patience,
# default). create_scheduler_v2(sched="plateau") passes plateau_mode (default "max") and
# patience_epochs on; create_scheduler(args) derives the mode from args.eval_metric instead.
# step(epoch, metric=None) hands the metric on only when given one: without it the LR never drops.
TIMM_PLATEAU_ARGUMENTS = {
    "PlateauLRScheduler": (("mode", "max"), ("decay_rate", 0.1), ("patience_t", 10)),
    "create_scheduler_v2": (("plateau_mode", "max"), ("decay_rate", 0.1),
                            ("patience_epochs", 10)),
}
TIMM_PLATEAU_METRIC = ("metric", 1)  # step's parameter, and its position


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
