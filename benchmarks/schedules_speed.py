"""Time to evaluate a million steps of each closed-form schedule with lrlint.schedules.

    python benchmarks/schedules_speed.py [--steps N] [--groups G]

Prints one line per schedule: the CPU and wall milliseconds of ``Schedule.values(N)``
(best of 3) and the rate; for timm's schedules, of ``values_by_update(N,
updates_per_epoch=1000)``, the loop of timm's train.py. Pure Python; torch is not imported.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from lrlint.schedules import build

M = 1_000_000

CLOSED_FORM: list[tuple[str, dict[str, Any]]] = [
    ("StepLR", {"step_size": 30_000, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [300_000, 600_000, 900_000]}),
    ("ExponentialLR", {"gamma": 0.999_999}),
    ("CosineAnnealingLR", {"T_max": 250_000, "eta_min": 1e-5}),
    ("LinearLR", {"start_factor": 0.01, "total_iters": M}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 10_000}),
    ("PolynomialLR", {"total_iters": M, "power": 2.0}),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": M}),
    (
        "OneCycleLR",
        {"max_lr": 0.1, "total_steps": M, "three_phase": True, "anneal_strategy": "linear"},
    ),
    ("CosineAnnealingWarmRestarts", {"T_0": 1000, "T_mult": 2}),
    (
        "CyclicLR",
        {
            "base_lr": 0.001,
            "max_lr": 0.1,
            "step_size_up": 2000,
            "mode": "exp_range",
            "gamma": 0.99999,
        },
    ),
    ("get_constant_schedule", {}),
    ("get_constant_schedule_with_warmup", {"num_warmup_steps": 10_000}),
    ("get_linear_schedule_with_warmup", {"num_warmup_steps": 10_000, "num_training_steps": M}),
    ("get_cosine_schedule_with_warmup", {"num_warmup_steps": 10_000, "num_training_steps": M}),
    (
        "get_cosine_with_hard_restarts_schedule_with_warmup",
        {"num_warmup_steps": 10_000, "num_training_steps": M, "num_cycles": 4},
    ),
    (
        "get_polynomial_decay_schedule_with_warmup",
        {"num_warmup_steps": 10_000, "num_training_steps": M, "power": 2.0},
    ),
    ("get_inverse_sqrt_schedule", {"num_warmup_steps": 10_000}),
    (
        "get_wsd_schedule",
        {"num_warmup_steps": 10_000, "num_decay_steps": 100_000, "num_training_steps": M},
    ),
]


# timm schedules, driven as timm's train.py drives them: step_update(num_updates) after
# every update and step(epoch + 1) after every UPDATES_PER_EPOCH updates.
UPDATES_PER_EPOCH = 1000
TIMM: list[tuple[str, dict[str, Any]]] = [
    ("timm.CosineLRScheduler", {"t_initial": M, "warmup_t": 10_000, "t_in_epochs": False}),
    (
        "timm.CosineLRScheduler",
        {"t_initial": 100_000, "cycle_limit": 10, "cycle_decay": 0.5, "t_in_epochs": False},
    ),
    ("timm.CosineLRScheduler", {"t_initial": 1000, "warmup_t": 5}),  # moves once an epoch
    ("timm.PolyLRScheduler", {"t_initial": M, "power": 2.0, "t_in_epochs": False}),
    ("timm.TanhLRScheduler", {"t_initial": M, "warmup_t": 10_000, "t_in_epochs": False}),
    ("timm.StepLRScheduler", {"decay_t": 30_000, "decay_rate": 0.5, "t_in_epochs": False}),
    (
        "timm.MultiStepLRScheduler",
        {"decay_t": [300_000, 600_000, 900_000], "decay_rate": 0.1, "t_in_epochs": False},
    ),
    ("timm.WSDLRScheduler", {"t_initial": M, "decay_t": 200_000, "t_in_epochs": False}),
    (
        "timm.create_scheduler_v2",
        {
            "num_epochs": 1000,
            "warmup_epochs": 5,
            "step_on_epochs": False,
            "updates_per_epoch": 1000,
        },
    ),
    # No fast table: the mirror's _get_lr for every update.
    ("timm.CosineLRScheduler", {"t_initial": 1000, "cycle_mul": 2.0, "t_in_epochs": False}),
]


def best_of(runs: int, fn: Any) -> tuple[float, float]:
    """Best (CPU seconds, wall seconds) of ``runs`` calls: CPU time ignores other
    processes competing for the machine, wall time is what a user waits."""
    cpu, wall = [], []
    for _ in range(runs):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
    return min(cpu), min(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=M)
    parser.add_argument("--groups", type=int, default=1)
    args = parser.parse_args()
    base_lr: Any = 0.1 if args.groups == 1 else [0.1 / (g + 1) for g in range(args.groups)]
    print(f"{args.steps:,} steps, {args.groups} param group(s), best of 3")
    width = max(len(name) for name, _ in CLOSED_FORM)
    print(f"{'schedule':<{width}}  {'CPU ms':>8}  {'wall ms':>8}  {'M steps/s':>9}")
    for name, kwargs in CLOSED_FORM:
        schedule = build(name, base_lr, **kwargs)
        cpu, wall = best_of(3, lambda s=schedule: s.values(args.steps))
        rate = args.steps / cpu / 1e6
        print(f"{name:<{width}}  {cpu * 1000:8.1f}  {wall * 1000:8.1f}  {rate:9.1f}")
    print(f"timm, values_by_update(N, updates_per_epoch={UPDATES_PER_EPOCH})")
    for name, kwargs in TIMM:
        schedule = build(name, base_lr, **kwargs)
        cpu, wall = best_of(
            3,
            lambda s=schedule: s.values_by_update(args.steps, updates_per_epoch=UPDATES_PER_EPOCH),
        )
        rate = args.steps / cpu / 1e6
        print(f"{name:<{width}}  {cpu * 1000:8.1f}  {wall * 1000:8.1f}  {rate:9.1f}")


if __name__ == "__main__":
    main()
