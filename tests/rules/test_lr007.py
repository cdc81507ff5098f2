"""LR007 invalid-scheduler-argument: every error is checked against real torch.

Each case is a complete script: lrlint must report exactly one LR007 finding quoting torch's
message, and running the same script with torch must raise that very error. Without torch the
runs skip (``run_with_torch``) and the findings are still checked.
"""

from __future__ import annotations

import warnings

import pytest
from lintkit import findings

HEADER = """\
import torch
from torch.optim import lr_scheduler as S

model = torch.nn.Linear(2, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
"""
LOOP = """\
for epoch in range({n}):
    optimizer.step()
    scheduler.step()
"""

# (scheduler construction, loop length in the linted script or None); for a script without a
# loop that raises when stepped, the torch run steps it (see ``STEPPED_BY_TORCH``).
RAISING = [
    ("S.LinearLR(optimizer, start_factor=0, total_iters=4)", None),
    ("S.LinearLR(optimizer, start_factor=1.5)", None),
    ("S.LinearLR(optimizer, start_factor=0.5, end_factor=-0.1)", None),
    ("S.LinearLR(optimizer, end_factor=2.0)", None),
    ("S.ConstantLR(optimizer, factor=1.5)", None),
    ("S.ConstantLR(optimizer, factor=-0.5)", None),
    ("S.ConstantLR(optimizer, factor=0, total_iters=4)", 10),
    ("S.ConstantLR(optimizer, factor=0)", None),  # LR 0 until it raises: stepped or not
    ("S.StepLR(optimizer, step_size=0)", 3),
    ("S.StepLR(optimizer, step_size=0)", None),
    ("S.MultiStepLR(optimizer, milestones=30)", None),
    ("S.CosineAnnealingLR(optimizer, T_max=0)", 3),
    ("S.CosineAnnealingWarmRestarts(optimizer, T_0=0)", None),
    ("S.CosineAnnealingWarmRestarts(optimizer, T_0=2.5)", None),
    ("S.CosineAnnealingWarmRestarts(optimizer, T_0=10, T_mult=0)", None),
    ("S.CosineAnnealingWarmRestarts(optimizer, T_0=10, T_mult=1.5)", None),
    ("S.CosineAnnealingWarmRestarts(optimizer, T_0=10, eta_min='0')", None),
    ("S.OneCycleLR(optimizer, max_lr=0.1)", None),
    ("S.OneCycleLR(optimizer, max_lr=0.1, total_steps=0)", None),
    ("S.OneCycleLR(optimizer, max_lr=0.1, total_steps=10.5)", None),
    ("S.OneCycleLR(optimizer, max_lr=0.1, epochs=0, steps_per_epoch=10)", None),
    ("S.OneCycleLR(optimizer, max_lr=0.1, epochs=10, steps_per_epoch=0)", None),
    ("S.OneCycleLR(optimizer, max_lr=0.1, total_steps=100, pct_start=1)", None),
    ("S.OneCycleLR(optimizer, max_lr=0.1, total_steps=100, pct_start=1.5)", None),
    ("S.OneCycleLR(optimizer, max_lr=0.1, total_steps=100, anneal_strategy='cosine')", None),
    ("S.OneCycleLR(optimizer, max_lr=0.1, total_steps=10, pct_start=0.1)", None),
    ("S.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)", 11),
    ("S.OneCycleLR(optimizer, max_lr=0.1, epochs=2, steps_per_epoch=5)", 12),
    ("S.OneCycleLR(optimizer, max_lr=[0.1, 0.01], total_steps=10)", None),
    (("S.SequentialLR(optimizer, [S.ConstantLR(optimizer), S.ExponentialLR(optimizer, 0.9)], "
      "milestones=[2, 5])"), None),
    ("S.SequentialLR(optimizer, [], milestones=[])", None),
    (("S.SequentialLR(optimizer, [S.ConstantLR(optimizer), S.ReduceLROnPlateau(optimizer)], "
      "milestones=[5])"), None),
    ("S.ChainedScheduler([])", None),
    ("S.ReduceLROnPlateau(optimizer, factor=1.0)", None),
    ("S.ReduceLROnPlateau(optimizer, mode='maximum')", None),
    ("S.ReduceLROnPlateau(optimizer, threshold_mode='relative')", None),
    ("S.ReduceLROnPlateau(optimizer, min_lr=[0.0, 0.0])", None),
    ("S.CyclicLR(optimizer, base_lr=0.01, max_lr=0.1, mode='cosine')", None),
    ("S.CyclicLR(optimizer, base_lr=0.01, max_lr=0.1, step_size_up=0)", None),
    ("S.CyclicLR(torch.optim.Adagrad(model.parameters()), base_lr=0.01, max_lr=0.1)", None),
    ("S.LambdaLR(optimizer, 0.95)", None),
    ("S.LambdaLR(optimizer, [lambda e: 1.0, lambda e: 0.5])", None),
    ("S.MultiplicativeLR(optimizer, 0.95)", None),
    ("torch.optim.swa_utils.SWALR(optimizer, swa_lr=0.05, anneal_strategy='cosine')", None),
    ("torch.optim.swa_utils.SWALR(optimizer, swa_lr=0.05, anneal_epochs=-1)", None),
]


# Scripts without a loop whose error comes from stepping: torch steps them this often.
STEPPED_BY_TORCH = {"S.ConstantLR(optimizer, factor=0)": 5, "S.StepLR(optimizer, step_size=0)": 1}


def script(construction: str, steps: int | None) -> str:
    return HEADER + f"scheduler = {construction}\n" + (LOOP.format(n=steps) if steps else "")


def run_with_torch(source: str) -> dict:
    """Run the linted script for real; its globals afterwards. The test that asks is skipped
    without torch."""
    pytest.importorskip("torch")
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, "train.py", "exec"), namespace)  # noqa: S102 - our own test scripts
    return namespace


def torch_error(source: str) -> Exception:
    pytest.importorskip("torch")  # not the ModuleNotFoundError of the script's `import torch`
    try:
        run_with_torch(source)
    except Exception as error:  # noqa: BLE001 - the error torch raises is the point
        return error
    raise AssertionError("torch did not raise")


@pytest.mark.parametrize(("construction", "steps"), RAISING)
def test_reports_one_error_for_what_torch_rejects(construction, steps):
    [finding] = findings(script(construction, steps), "LR007")
    assert "torch raises " in finding.message
    assert finding.severity == "error"


@pytest.mark.parametrize(("construction", "steps"), RAISING)
def test_reports_exactly_what_torch_raises(construction, steps):
    source = script(construction, steps)
    probe = STEPPED_BY_TORCH.get(construction) if steps is None else None
    error = torch_error(source + (LOOP.format(n=probe) if probe else ""))
    [finding] = findings(source, "LR007")
    assert f"torch raises {type(error).__name__}" in finding.message
    assert str(error) in finding.message
    assert finding.severity == "error"


ONE_CYCLE_PAST_TOTAL_STEPS = script("S.OneCycleLR(optimizer, max_lr=0.1, total_steps=100)", None) + """\
for epoch in range(10):
    for batch in range(20):
        optimizer.step()
        scheduler.step()
"""


def test_one_cycle_stepped_past_total_steps_reports_the_loop():
    source = ONE_CYCLE_PAST_TOTAL_STEPS
    [finding] = findings(source, "LR007")
    assert "this loop steps it 200 times" in finding.message
    assert "at the 101st `scheduler.step()`" in finding.message
    assert finding.start.line == source.splitlines().index("        scheduler.step()") + 1


def test_one_cycle_stepped_past_total_steps_quotes_torchs_error():
    error = torch_error(ONE_CYCLE_PAST_TOTAL_STEPS)
    [finding] = findings(ONE_CYCLE_PAST_TOTAL_STEPS, "LR007")
    assert str(error) in finding.message


def child_on_another_optimizer(kind: str) -> str:
    other = "other = torch.optim.Adam(model.parameters(), lr=1e-3)\n"
    children = "[S.ConstantLR(optimizer), S.ExponentialLR(other, 0.9)]"
    built = (f"S.SequentialLR(optimizer, {children}, milestones=[5])" if kind == "SequentialLR"
             else f"S.ChainedScheduler({children})")
    return HEADER + other + f"scheduler = {built}\n"


@pytest.mark.parametrize("kind", ["SequentialLR", "ChainedScheduler"])
def test_child_on_another_optimizer(kind):
    [finding] = findings(child_on_another_optimizer(kind), "LR007")
    assert "has Adam" in finding.message


@pytest.mark.parametrize("kind", ["SequentialLR", "ChainedScheduler"])
def test_child_on_another_optimizer_quotes_torchs_error(kind):
    source = child_on_another_optimizer(kind)
    error = torch_error(source)
    [finding] = findings(source, "LR007")
    prefix = str(error).split(" has ")[0]
    assert prefix in finding.message and "has Adam" in finding.message


TENSOR_LR_REFUSED = [
    "torch.optim.Adam(model.parameters(), lr=torch.tensor(0.01), foreach=True)",
    "torch.optim.AdamW(model.parameters(), lr=torch.tensor(0.01), foreach=True, capturable=False)",
    "torch.optim.SGD(model.parameters(), lr=torch.tensor([0.1, 0.01]))",
    "torch.optim.Adam(model.parameters(), lr=torch.as_tensor([]))",
]
TENSOR_LR_ACCEPTED = [
    "torch.optim.Adam(model.parameters(), lr=torch.tensor(0.01), foreach=True, capturable=True)",
    "torch.optim.Adam(model.parameters(), lr=torch.tensor(0.01))",
    "torch.optim.SGD(model.parameters(), lr=torch.tensor(0.01), foreach=True)",
    "torch.optim.SGD(model.parameters(), lr=torch.tensor([0.01]))",
]


@pytest.mark.parametrize("optimizer", TENSOR_LR_REFUSED)
def test_tensor_lr_torch_refuses(optimizer):
    assert len(findings(HEADER + f"tensor_lr = {optimizer}\n", "LR007")) == 1


@pytest.mark.parametrize("optimizer", TENSOR_LR_REFUSED)
def test_tensor_lr_torch_refuses_is_quoted_from_torch(optimizer):
    source = HEADER + f"tensor_lr = {optimizer}\n"
    error = torch_error(source)
    [finding] = findings(source, "LR007")
    assert str(error) in finding.message


@pytest.mark.parametrize("optimizer", TENSOR_LR_ACCEPTED)
def test_tensor_lr_torch_accepts(optimizer):
    assert findings(HEADER + f"tensor_lr = {optimizer}\n", "LR007") == []


@pytest.mark.parametrize("optimizer", TENSOR_LR_ACCEPTED)
def test_tensor_lr_torch_accepts_runs_in_torch(optimizer):
    run_with_torch(HEADER + f"tensor_lr = {optimizer}\n")


def test_unknown_optimizer_still_proves_what_does_not_depend_on_it():
    source = """\
from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts, OneCycleLR


def build(optimizer, max_lr):
    return CosineAnnealingWarmRestarts(optimizer, T_0=10, T_mult=0)


def build_cycle(optimizer):
    return OneCycleLR(optimizer, max_lr=[0.1, 0.01], total_steps=100)
"""
    [finding] = findings(source, "LR007")
    assert "Expected integer T_mult >= 1, but got 0" in finding.message


NEVER_DECAYS = script("S.StepLR(optimizer, step_size=100 / 3)", 100)
DECAYS_AT_5 = script("S.StepLR(optimizer, step_size=2.5, gamma=0.5)", 5)


def test_fractional_step_size_never_decays():
    [finding] = findings(NEVER_DECAYS, "LR007")
    assert "StepLR(step_size=33.33)" in finding.message and "never decays" in finding.message


def test_fractional_step_size_never_decays_in_torch():
    namespace = run_with_torch(NEVER_DECAYS)
    assert namespace["scheduler"].get_last_lr() == [0.1]  # 100 steps, no decay


def test_fractional_step_size_that_divides_a_later_step():
    [finding] = findings(DECAYS_AT_5, "LR007")
    assert "decays every 5 steps, not every 2.5" in finding.message


def test_fractional_step_size_that_divides_a_later_step_in_torch():
    namespace = run_with_torch(DECAYS_AT_5)
    assert namespace["scheduler"].get_last_lr() == [0.05]  # decayed once, at step 5


SILENT = [
    # Valid arguments.
    script("S.StepLR(optimizer, step_size=30.0)", 3),
    script("S.ConstantLR(optimizer, factor=0.5)", 3),
    script("S.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)", 10),
    script("S.CyclicLR(optimizer, 0.01, 0.1, step_size_up=5)", 3),
    # Unknown loop bound, or a loop that may end early: stepping past total_steps is unproven.
    script("S.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)", None)
    + "loader = make_loader()\nfor batch in loader:\n    optimizer.step()\n    scheduler.step()\n",
    script("S.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)", None)
    + "for i in range(20):\n    optimizer.step()\n    scheduler.step()\n    if i == 9:\n        break\n",
    script("S.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)", None)
    + "for i in range(20):\n    optimizer.step()\n    if i < 10:\n        scheduler.step()\n",
    # The number of param groups is not known: a list max_lr proves nothing.
    HEADER + "groups = make_groups(model)\nopt = torch.optim.SGD(groups, lr=0.1, momentum=0.9)\n"
    "scheduler = S.OneCycleLR(opt, max_lr=[0.1, 0.01], total_steps=10)\n",
    # Optimizers whose defaults lrlint does not know.
    HEADER + "class MyOpt(torch.optim.Optimizer):\n    pass\n\n\n"
    "scheduler = S.CyclicLR(MyOpt(model.parameters(), {}), 0.01, 0.1)\n",
    HEADER + "scheduler = S.OneCycleLR(torch.optim.Muon(model.parameters()), 0.1, total_steps=10)\n",
    # A test that asserts torch raises.
    HEADER + "import pytest\n\n\ndef test_zero():\n    with pytest.raises(ValueError):\n"
    "        S.LinearLR(optimizer, start_factor=0)\n",
    # The lambda's own error is LR017's business; a custom subclass may validate differently.
    script("S.LambdaLR(optimizer, lambda step: step / 0)", None),
    HEADER + "class Mine(S.StepLR):\n    pass\n\n\nscheduler = Mine(optimizer, step_size=0)\n",
    # Not constants.
    script("S.CosineAnnealingLR(optimizer, T_max=len(loader))", None),
]


@pytest.mark.parametrize("source", SILENT)
def test_silent_near_misses(source):
    assert findings(source, "LR007") == []


def test_argument_removed_from_torch_names_the_modelled_version():
    (d,) = findings(
        "import torch\n"
        "from torch.optim.lr_scheduler import MultiStepLR\n"
        "opt = torch.optim.SGD(params, lr=0.1)\n"
        "sched = MultiStepLR(opt, milestones=[50, 100], gamma=0.1, verbose=False)\n",
        "LR007", path="bic.py")
    assert "unexpected keyword argument 'verbose'" in d.message
    assert "torch 2.13" in d.message
