"""What lrlint knows about the PyTorch (and Hugging Face) API, as data.

Qualified names are the public import paths; ``canonical_name`` maps the many spellings of one
class (``torch.optim.adam.Adam``, ``torch.optim.Adam``) to one key.
"""

from __future__ import annotations

from enum import Enum

from lrlint.analysis.frameworks import TIMM_FACTORIES, TIMM_PACKAGE, TIMM_SCHEDULERS


class Kind(str, Enum):
    OPTIMIZER = "optimizer"
    SCHEDULER = "scheduler"
    SCALER = "scaler"


# name -> default lr, for every optimizer in torch.optim (torch 2.13). The first two constructor
# parameters are always (params, lr).
OPTIMIZER_DEFAULT_LR: dict[str, float] = {
    "Adafactor": 1e-2,
    "Adadelta": 1.0,
    "Adagrad": 1e-2,
    "Adam": 1e-3,
    "Adamax": 2e-3,
    "AdamW": 1e-3,
    "ASGD": 1e-2,
    "LBFGS": 1,
    "Muon": 1e-3,
    "NAdam": 2e-3,
    "RAdam": 1e-3,
    "RMSprop": 1e-2,
    "Rprop": 1e-2,
    "SGD": 1e-3,
    "SparseAdam": 1e-3,
}
OPTIMIZER_POSITIONAL = ("params", "lr")

TORCH_SCHEDULERS = frozenset(
    {
        "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
        "ExponentialLR", "SequentialLR", "PolynomialLR", "CosineAnnealingLR", "ChainedScheduler",
        "ReduceLROnPlateau", "CyclicLR", "CosineAnnealingWarmRestarts", "OneCycleLR",
    }
)
SCHEDULER_BASES = frozenset({"LRScheduler", "_LRScheduler"})

# Hugging Face schedule factories: they return a LambdaLR. Matched by their distinctive names
# whichever module they are imported from (transformers, diffusers, vendored copies).
HF_SCHEDULES = frozenset(
    {
        "get_constant_schedule", "get_constant_schedule_with_warmup",
        "get_linear_schedule_with_warmup", "get_cosine_schedule_with_warmup",
        "get_cosine_with_hard_restarts_schedule_with_warmup",
        "get_polynomial_decay_schedule_with_warmup", "get_inverse_sqrt_schedule",
        "get_wsd_schedule",
    }
)
HF_PACKAGES = ("transformers", "diffusers")

GRAD_SCALERS = frozenset(
    {"torch.amp.GradScaler", "torch.cuda.amp.GradScaler", "torch.cpu.amp.GradScaler",
     "torch.amp.grad_scaler.GradScaler", "torch.cuda.amp.grad_scaler.GradScaler"}
)

# Schedulers that take other schedulers rather than computing a factor themselves.
COMPOSITE_SCHEDULERS = frozenset({"SequentialLR", "ChainedScheduler"})


def classify(qualified: str) -> tuple[Kind, str] | None:
    """Return (kind, short class name) for a qualified name from torch or Hugging Face."""
    parts = qualified.split(".")
    short = parts[-1]
    if qualified in GRAD_SCALERS:
        return Kind.SCALER, "GradScaler"
    if parts[0] == "torch" and len(parts) >= 3 and parts[1] == "optim":
        inner = parts[2:-1]  # e.g. [] for torch.optim.SGD, ["lr_scheduler"], ["adam"]
        if short == "Optimizer" or short in OPTIMIZER_DEFAULT_LR:
            if not inner or inner == [short.lower()] or inner == ["optimizer"]:
                return Kind.OPTIMIZER, short
        # Schedulers live in torch.optim.lr_scheduler only (torch.optim does not re-export them).
        if (short in TORCH_SCHEDULERS or short in SCHEDULER_BASES) and inner == ["lr_scheduler"]:
            return Kind.SCHEDULER, short
        if short == "SWALR" and inner == ["swa_utils"]:
            return Kind.SCHEDULER, short
        return None
    if parts[0] == TIMM_PACKAGE and (short in TIMM_SCHEDULERS or short in TIMM_FACTORIES
                                     or (short == "Scheduler" and "scheduler" in parts[1:-1])):
        return Kind.SCHEDULER, short
    if short in HF_SCHEDULES:
        return Kind.SCHEDULER, short
    if short == "get_scheduler" and parts[0] in HF_PACKAGES:
        return Kind.SCHEDULER, short
    return None


def is_abstract_base(short: str) -> bool:
    return short in ("Optimizer", "LRScheduler", "_LRScheduler", "Scheduler")


def family(short: str) -> str:
    """Whose API a scheduler has: "timm" (step(epoch) / step_update(n)), "hf" (a LambdaLR
    from a Hugging Face factory) or "torch"."""
    if short in TIMM_SCHEDULERS or short in TIMM_FACTORIES or short == "Scheduler":
        return "timm"
    if short in HF_SCHEDULES or short == "get_scheduler":
        return "hf"
    return "torch"
