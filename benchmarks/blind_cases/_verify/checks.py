"""The check of each blind case: how it is run, and what its LR curve must show."""
import math
from dataclasses import dataclass, field

SPECS = {}


@dataclass
class Spec:
    runs: list
    check: object = None


def case(name, *runs):
    """Register a check; each run is (entry, argv) or (entry, argv, env)."""
    normalized = [run if len(run) == 3 else (*run, None) for run in runs]

    def register(check):
        SPECS[name] = Spec(normalized, check)
        return check
    return register


def lrs(result, opt=0, group=0):
    """The LR that each step of optimizer `opt` used, for one param group."""
    return [s["lr"][group] for s in result["steps"] if s["opt"] == opt]


def no_error(result):
    assert result["error"] is None, result["error"]


def close(a, b, rel=1e-6):
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


def fmt(values):
    return "[" + ", ".join(f"{v:.3g}" for v in values) + "]"


def per_epoch(values, steps_per_epoch):
    """First LR of each epoch."""
    return values[::steps_per_epoch]


# ---------------------------------------------------------------- core bug cases

@case("lr001_adjust_lr_attribute",
      ("main.py", ["--epochs", "6", "--warmup-epochs", "2", "--num-samples", "64", "--batch-size", "16"]))
def _(r):
    no_error(r)
    used = lrs(r)
    printed = [float(line.split()[3]) for line in r["log"].splitlines() if line.startswith("epoch")]
    assert len(set(printed)) > 3, printed
    assert set(used) == {0.1}, set(used)
    return f"printed schedule {fmt(printed)} but every step used lr 0.1"


@case("lr001_trainer_warmup_attr",
      ("train.py", ["--warmup_iters", "8", "--max_epochs", "3", "--num_samples", "64", "--batch_size", "16"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert len(used) == 12 and set(used) == {3e-4}, used
    return "warmup over 8 iterations intended; all 12 steps used lr 3e-4 (no warmup)"


@case("lr003_custom_warmup_cosine_class",
      ("train.py", ["--num_steps", "10", "--warmup_steps", "4", "--num_samples", "64", "--train_batch_size", "16"]))
def _(r):
    no_error(r)
    used = lrs(r)
    intended = [0.03 * f for f in (0, 0.25, 0.5, 0.75)]
    assert close(used[0], 0.03 * 0.25) and close(used[3], 0.03), used
    assert not close(used[1], intended[1])
    return f"used {fmt(used[:5])}: each step used the next step's factor (warmup starts at 1/4, not 0)"


@case("lr003_vendored_gradual_warmup_amp",
      ("main.py", ["--epochs", "3", "--warmup-iters", "4", "--num-samples", "64", "--batch-size", "16"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert close(used[0], 0.1) and close(used[3], 0.4), used  # intended 0, 0.1, 0.2, 0.3 then 0.4
    return f"used {fmt(used[:6])}: the warmup value of step 0 is never used, the curve runs one step early"


@case("lr003_helper_step_project_base",
      ("run_pretraining.py", ["--max_steps", "10", "--warmup_proportion", "0.4", "--num_samples", "64",
                              "--train_batch_size", "16"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert close(used[0], 1e-4 * 0.25) and close(used[-1], 0.0), used  # intended 0, .25, .5, .75, 1 ...
    return f"used {fmt(used)}: warmup starts at step 1's value and the last update runs at lr 0"
