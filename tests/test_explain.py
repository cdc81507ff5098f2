"""`lrlint explain`: the numbers it prints are lrlint.schedules' values, the step count and its
rationale follow the code, the chart fits 80 columns, JSON and --plot work."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lrlint.cli import main
from lrlint.explain.chart import render_chart
from lrlint.explain.curve import Reducer, row_chunks
from lrlint.schedules import build, step_decay_to

INPUTS = Path(__file__).parent / "explain_inputs"
ALL_INPUTS = sorted(INPUTS.glob("*.py"))
ROW = re.compile(r"^  +([\d,]+)  (\S+)  +(.+)$")
ADAMW = {"betas": (0.9, 0.999)}


def explain(capsys, path, *options):
    code = main(["explain", str(path), *map(str, options)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def explain_json(capsys, path, *options):
    code, out, _ = explain(capsys, path, *options, "--output-format", "json")
    assert code == 0
    return json.loads(out)


def key_rows(out: str) -> dict[int, tuple[float, str]]:
    """The key-step table: step -> (LR, label)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split() == ["step", "LR"])
    rows = {}
    for line in lines[start + 1:]:
        if not line.strip():
            break
        match = ROW.match(line)
        if match:
            rows[int(match[1].replace(",", ""))] = (float(match[2]), match[3])
    return rows


def field(out: str, name: str) -> str:
    """A field's text, its wrapped continuation lines joined."""
    lines = out.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(f"  {name} "))
    parts = [lines[index][14:]]
    for line in lines[index + 1:]:
        if not line.startswith(" " * 14) or not line.strip():
            break
        parts.append(line.strip())
    return " ".join(parts)


def assert_rows_match(rows, expected: list[float]) -> None:
    for step, (lr, _) in rows.items():
        assert math.isclose(lr, expected[step], rel_tol=1e-4), (step, lr, expected[step])


def write(tmp_path: Path, source: str, name: str = "train.py") -> Path:
    path = tmp_path / name
    path.write_text(source)
    return path


# -- the realistic scripts ---------------------------------------------------------------------


def test_step_lr_per_epoch(capsys):
    code, out, _ = explain(capsys, INPUTS / "step_lr_per_epoch.py")
    assert code == 0
    assert out.splitlines()[0].startswith("scheduler = StepLR(optimizer, step_size=30, gamma=0.1)")
    assert out.splitlines()[1] == f"    ({INPUTS / 'step_lr_per_epoch.py'}:11)"
    assert field(out, "steps") == ("90: the loop `for epoch in range(EPOCHS)` around "
                                   "scheduler.step()")
    assert field(out, "unit") == "stepped once per epoch"
    assert field(out, "base LR") == "1e-1"
    expected = build("StepLR", 0.1, step_size=30, gamma=0.1).values(90)
    rows = key_rows(out)
    assert sorted(rows) == [0, 30, 60, 89]
    assert "decay ×0.1" in rows[30][1] and rows[89][1] == "last step"
    assert_rows_match(rows, expected)
    assert field(out, "minimum") == "1e-3 at step 60"
    assert field(out, "end") == "ends at 1e-3 after 90 steps (last change at step 60)"


def test_one_cycle_per_batch_json(capsys):
    document = explain_json(capsys, INPUTS / "one_cycle_per_batch.py")
    (pair,) = document["pairs"]
    expected = build("OneCycleLR", 3e-3 / 25, max_lr=3e-3, epochs=8, steps_per_epoch=250,
                     pct_start=0.3, optimizer_defaults=ADAMW).values(2000)
    assert pair["status"] == "ok"
    assert pair["steps"] == {"count": 2000, "source": "schedule",
                             "reason": "epochs × steps_per_epoch = 8 × 250 of OneCycleLR"}
    assert pair["unit"] == "batch"
    assert pair["curve"]["downsampled"] is False
    assert pair["curve"]["step"] == list(range(2000))
    assert pair["curve"]["lr"] == expected
    peak = expected.index(max(expected))
    assert pair["max"] == {"step": peak, "lr": max(expected)}
    assert pair["min"] == {"step": expected.index(min(expected)), "lr": min(expected)}
    assert pair["first"]["lr"] == expected[0] and pair["last"] == {"step": 1999, "lr": expected[-1]}
    assert [(k["step"], k["kind"]) for k in pair["key_steps"]] == [(peak, "peak")]
    assert any("OneCycleLR ignores the optimizer's lr" in note for note in pair["notes"])


def test_sequential_warmup_then_cosine(capsys):
    code, out, _ = explain(capsys, INPUTS / "sequential_warmup_cosine.py")
    assert code == 0
    warmup = build("LinearLR", 0.4, start_factor=0.01, end_factor=1.0, total_iters=5)
    cosine = build("CosineAnnealingLR", 0.4, T_max=95, eta_min=1e-5)
    expected = build("SequentialLR", 0.4, schedulers=[warmup, cosine], milestones=[5]).values(100)
    # The children are explained inside their parent, not as pairs of their own.
    assert out.count("(line 9)") == 1
    assert field(out, "steps").startswith("100: the loop `for epoch in range(TOTAL_EPOCHS)`")
    rows = key_rows(out)
    assert sorted(rows) == [0, 5, 99]
    assert "end of warmup (LinearLR)" in rows[5][1] and "CosineAnnealingLR" in rows[5][1]
    assert_rows_match(rows, expected)
    assert "(log scale)" in out


def test_hugging_face_linear_warmup(capsys):
    document = explain_json(capsys, INPUTS / "hf_linear_warmup.py")
    (pair,) = document["pairs"]
    expected = build("get_linear_schedule_with_warmup", 2e-5, num_warmup_steps=180,
                     num_training_steps=3000).values(3000)
    assert pair["steps"]["count"] == 3000 and pair["steps"]["source"] == "schedule"
    assert "num_training_steps=3000" in pair["steps"]["reason"]
    assert pair["unit"] == "batch"  # `for batch in train_dataloader`
    assert pair["curve"]["lr"] == expected
    warmup = [k for k in pair["key_steps"] if k["kind"] == "warmup"]
    assert warmup == [{"step": 180, "kind": "warmup", "label": "end of warmup (num_warmup_steps)",
                       "lr": expected[180]}]
    assert expected[180] == pytest.approx(2e-5)


def test_lambda_with_a_local_warmup_function(capsys):
    code, out, _ = explain(capsys, INPUTS / "lambda_local_warmup.py")
    assert code == 0

    def warmup_then_cosine(step):  # the file's function, run here as plain Python
        if step < 400:
            return (step + 1) / 400
        return 0.5 * (1.0 + math.cos(math.pi * (step - 400) / 3600))

    expected = [6e-4 * warmup_then_cosine(step) for step in range(4000)]
    assert field(out, "steps") == ("4,000: the loop `for step in range(TOTAL)` around "
                                   "scheduler.step()")
    rows = key_rows(out)
    assert rows[399][1] == "peak (end of warmup)"
    assert_rows_match(rows, expected)


def test_arguments_that_do_not_fold_are_listed_with_the_reason(capsys):
    code, out, _ = explain(capsys, INPUTS / "args_lr_unfolded.py")
    assert code == 0
    assert out.startswith("scheduler = CosineAnnealingLR(optimizer, T_max=args[\"epochs\"])")
    assert field(out, "not shown") == (
        "the optimizer's lr and `T_max` depend on args[\"lr\"] and args[\"epochs\"], which "
        "lrlint cannot know without running the code: pass --set args[\"lr\"]=N and --set "
        "args[\"epochs\"]=N")
    assert "(log scale)" not in out and "(linear scale)" not in out
    document = explain_json(capsys, INPUTS / "args_lr_unfolded.py")
    (pair,) = document["pairs"]
    assert pair["status"] == "no_schedule" and pair["curve"] is None
    assert pair["missing"]["inputs"] == ['args["lr"]', 'args["epochs"]']


def test_seed_article_step_decay_shows_where_it_really_ends(capsys):
    code, out, _ = explain(capsys, INPUTS / "seed_step_decay.py")
    assert code == 0
    gamma = (1e-4 / 0.1) ** (1 / 10_000)
    final = build("StepLR", 0.1, step_size=100, gamma=gamma).values(1_000_000)[-1]
    assert final == pytest.approx(1.0007e-4, rel=1e-4)
    assert field(out, "steps").startswith("1,000,000: the loop `for step in range(max_steps)`")
    assert field(out, "end") == ("ends at 1.0007e-4 after 1,000,000 steps (last change at "
                                 "step 999,900)")
    target = field(out, "target")
    assert target.startswith("1e-4 (gamma = (final_lr / initial_lr)**(1 / n_updates)) assumes "
                             "10,000 decays, but 9,999 take effect")
    assert "0.069% above" in target
    size, decays, fixed_gamma = step_decay_to(0.1, 1e-4, 1_000_000, 10_000).nearest_step_lr
    assert f"StepLR(step_size={size}" in target and f"(1 / {decays})" in target
    assert f"{fixed_gamma:.10g}" in target
    fixed = build("StepLR", 0.1, step_size=size, gamma=fixed_gamma).values(1_000_000)[-1]
    assert fixed == pytest.approx(1e-4, rel=1e-9)  # the advice really ends at the target


def test_seed_article_json_is_downsampled_with_exact_extremes(capsys):
    document = explain_json(capsys, INPUTS / "seed_step_decay.py")
    (pair,) = document["pairs"]
    gamma = (1e-4 / 0.1) ** (1 / 10_000)
    expected = build("StepLR", 0.1, step_size=100, gamma=gamma).values(1_000_000)
    curve = pair["curve"]
    assert curve["downsampled"] is True and "min-max per bucket" in curve["method"]
    assert len(curve["step"]) < 20_000 and curve["step"] == sorted(set(curve["step"]))
    assert all(expected[step] == lr for step, lr in zip(curve["step"], curve["lr"]))
    assert pair["first"] == {"step": 0, "lr": 0.1}
    assert pair["last"] == {"step": 999_999, "lr": expected[-1]}
    assert pair["min"] == {"step": 999_900, "lr": min(expected)}
    assert pair["last_change_step"] == 999_900
    assert pair["target"]["planned_decays"] == 10_000 and pair["target"]["decays"] == 9_999
    assert pair["target"]["final_lr"] == expected[-1]


@pytest.mark.parametrize("path", ALL_INPUTS, ids=lambda p: p.stem)
def test_every_line_fits_80_columns(capsys, monkeypatch, path):
    # The location line quotes the path as given: a relative one, so the checkout's depth
    # (a long worktree path) does not decide the width.
    monkeypatch.chdir(path.parent)
    code, out, _ = explain(capsys, path.name)
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 80


# -- the step count ----------------------------------------------------------------------------


def test_steps_option_wins_and_says_what_the_code_implies(capsys):
    code, out, _ = explain(capsys, INPUTS / "step_lr_per_epoch.py", "--steps", "45")
    assert code == 0
    assert field(out, "steps") == "45: --steps"
    assert "the code implies 90: the loop `for epoch in range(EPOCHS)`" in field(out, "note")
    assert sorted(key_rows(out)) == [0, 30, 44]


NESTED = """\
import torch
from torch.optim.lr_scheduler import CosineAnnealingLR

model = torch.nn.Linear(2, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
scheduler = CosineAnnealingLR(optimizer, T_max=120)
for epoch in range(3):
    for step in range(50):
        optimizer.step()
        scheduler.step()
"""


def test_nested_loops_multiply_and_disagreement_with_t_max_is_noted(capsys, tmp_path):
    code, out, _ = explain(capsys, write(tmp_path, NESTED))
    assert code == 0
    assert field(out, "steps") == ("150: the loops `for epoch in range(3)` (3) × `for step in "
                                   "range(50)` (50) around scheduler.step()")
    assert field(out, "unit") == "stepped after every optimizer step (per batch)"
    assert "laid out for 120 (T_max=120 of CosineAnnealingLR)" in field(out, "note")
    rows = key_rows(out)
    assert rows[120][1].startswith("T_max: eta_min reached, then the cosine climbs back")
    assert_rows_match(rows, build("CosineAnnealingLR", 0.05, T_max=120).values(150))


def test_conditional_step_does_not_trust_the_loop_bound(capsys, tmp_path):
    source = NESTED.replace("        scheduler.step()", "        if step > 10:\n"
                                                       "            scheduler.step()")
    code, out, _ = explain(capsys, write(tmp_path, source))
    assert code == 0
    assert field(out, "steps") == "120: T_max=120 of CosineAnnealingLR"
    assert "runs under a condition inside its loop" in field(out, "note")


def test_default_of_100_steps_when_nothing_implies_a_length(capsys, tmp_path):
    source = NESTED.replace("CosineAnnealingLR(optimizer, T_max=120)",
                            "ExponentialLR(optimizer, gamma=0.97)")
    source = source.replace("CosineAnnealingLR", "ExponentialLR").replace(
        "for epoch in range(3):", "while True:")
    document = explain_json(capsys, write(tmp_path, source))
    (pair,) = document["pairs"]
    assert pair["steps"]["count"] == 100 and pair["steps"]["source"] == "default"
    assert pair["curve"]["lr"] == build("ExponentialLR", 0.05, gamma=0.97).values(100)


def test_torch_error_partway_stops_the_curve_and_says_where(capsys, tmp_path):
    source = NESTED.replace("CosineAnnealingLR(optimizer, T_max=120)",
                            "OneCycleLR(optimizer, max_lr=0.1, total_steps=100)")
    source = source.replace("import CosineAnnealingLR", "import OneCycleLR")
    code, out, _ = explain(capsys, write(tmp_path, source))
    assert code == 0
    assert field(out, "steps").startswith("150:")
    assert field(out, "error") == ("torch raises ValueError after step 100 (scheduler.step() "
                                   "call 101): Tried to step 101 times. The specified number of "
                                   "total steps is 100")
    assert "after 101 steps" in field(out, "end")


# -- odd files ---------------------------------------------------------------------------------


def test_file_without_scheduler(capsys, tmp_path):
    path = write(tmp_path, "import torch\nopt = torch.optim.SGD([], lr=0.1)\n")
    code, out, _ = explain(capsys, path)
    assert (code, out) == (0, f"{path}: no LR scheduler found\n")
    assert explain_json(capsys, path)["pairs"] == []


def test_unparsable_and_missing_files_exit_2_with_one_line(capsys, tmp_path):
    code, out, err = explain(capsys, write(tmp_path, "def broken(:\n    pass\n"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "train.py:1:" in err and "SyntaxError" in err
    code, out, err = explain(capsys, tmp_path / "missing.py")
    assert code == 2 and out == ""
    assert err == f"lrlint: error: {tmp_path / 'missing.py'}: No such file or directory\n"


def test_torch_would_raise_at_construction(capsys, tmp_path):
    source = NESTED.replace("CosineAnnealingLR(optimizer, T_max=120)",
                            "LinearLR(optimizer, start_factor=2.0)")
    source = source.replace("import CosineAnnealingLR", "import LinearLR")
    document = explain_json(capsys, write(tmp_path, source))
    (pair,) = document["pairs"]
    assert pair["status"] == "torch_error"
    assert pair["reason"] == ("torch would raise ValueError: Starting multiplicative factor "
                              "expected to be greater than 0 and less or equal to 1.")


def test_param_groups_each_get_their_lr(capsys, tmp_path):
    source = NESTED.replace(
        "torch.optim.SGD(model.parameters(), lr=0.05)",
        "torch.optim.SGD([{'params': model.weight, 'lr': 0.01}, {'params': model.bias}], lr=0.1)")
    code, out, _ = explain(capsys, write(tmp_path, source))
    assert code == 0
    assert field(out, "base LR") == "1e-2 | 1e-1  (2 param groups)"
    assert "chart of param group 0 of 2" in out
    document = explain_json(capsys, write(tmp_path, source))
    (pair,) = document["pairs"]
    expected = build("CosineAnnealingLR", [0.01, 0.1], T_max=120).values(150)
    assert pair["groups"] == 2 and pair["curve"]["lr"] == expected


# -- the chart and the downsampling -------------------------------------------------------------


def test_chart_labels_extremes_and_picks_log_scale_beyond_two_decades():
    lines = render_chart([1e-1] * 10 + [1e-4] * 10)
    assert "(log scale)" in lines[0]
    assert lines[1].split()[0] == "1e-1" and lines[10].split()[0] == "1e-4"
    assert lines[11].endswith(" step") and lines[12].split()[0] == "0"
    assert lines[12].split()[-1] == "19"
    assert "(linear scale)" in render_chart([1.0, 0.5, 0.02])[0]  # 50×: linear
    assert "(linear scale)" in render_chart([1.0, 0.0])[0]  # zero has no logarithm


def test_chart_of_a_long_curve_keeps_its_drops_within_80_columns():
    values = build("StepLR", 0.1, step_size=250_000, gamma=0.1).values(1_000_000)
    lines = render_chart(values, "epoch")
    assert all(len(line) <= 80 for line in lines)
    assert lines[-1].split()[-1] == "999,999"
    plot_rows = lines[1:11]
    # Three decays: three columns whose dots span several rows.
    columns = ["".join(row[row.index("│") + 1 if "│" in row else row.index("┤") + 1:]
                       .ljust(60)[c] for row in plot_rows) for c in range(60)]
    vertical = [c for c in columns if sum(ch != " " for ch in c) >= 3]
    assert len(vertical) == 3


def reduce(values, keep=(), chunk=None):
    reducer = Reducer(1, keep)
    if chunk is None:
        for columns in row_chunks(values, 1):
            reducer.feed(columns)
    else:
        for start in range(0, len(values), chunk):
            reducer.feed([values[start:start + chunk]])
    return reducer.curve()


def test_downsampling_keeps_first_last_extremes_and_key_steps():
    column = [math.sin(step / 1000) + (5 if step == 123_457 else 0) for step in range(300_000)]
    curve = reduce(column, keep=[7, 299_998])
    kept = curve.steps
    assert kept[0] == 0 and kept[-1] == 299_999 and curve.downsampled
    assert {7, 299_998, 123_457, column.index(min(column))} <= set(kept)
    assert len(kept) <= 4 * 1000 + 4
    assert curve.columns[0] == [column[step] for step in kept]
    assert curve.minimum.step == column.index(min(column))
    assert curve.maximum == type(curve.maximum)(123_457, [column[123_457]])
    assert reduce(column[:10_000]).steps == list(range(10_000))


@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_reduction_does_not_depend_on_how_the_rows_arrive(chunk):
    values = build("CosineAnnealingWarmRestarts", 0.1, T_0=700, T_mult=2).values(30_000)
    values[12_345] = values[12_344]  # a flat step somewhere
    whole, pieces = reduce(values), reduce(values, chunk=chunk)
    assert (pieces.steps, pieces.columns) == (whole.steps, whole.columns)
    assert pieces.minimum == whole.minimum and pieces.maximum == whole.maximum
    assert pieces.first_drop == whole.first_drop == 1
    last_change = max(s for s in range(1, 30_000) if values[s] != values[s - 1])
    assert pieces.last_change == whole.last_change == last_change


def test_first_drop_and_last_change_of_a_warmup_then_constant():
    values = [min(1.0, (s + 1) / 5000) for s in range(40_000)] + [0.5] * 5
    curve = reduce(values, chunk=1000)
    assert curve.first_drop == 40_000 and curve.last_change == 40_000
    assert curve.maximum.step == 4999  # the first step at the top


# -- --plot --------------------------------------------------------------------------------------


def test_plot_writes_a_png(capsys, tmp_path):
    destination = tmp_path / "curve.png"
    code, out, err = explain(capsys, INPUTS / "sequential_warmup_cosine.py", "--plot",
                             str(destination))
    assert code == 0 and "scheduler = SequentialLR" in out
    assert err == f"wrote {destination}\n"
    data = destination.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_plot_without_matplotlib_is_one_clear_error(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` raises
    destination = tmp_path / "curve.png"
    code, out, err = explain(capsys, INPUTS / "step_lr_per_epoch.py", "--plot", str(destination))
    assert (code, out) == (2, "")
    assert err == ("lrlint: error: --plot needs matplotlib, which is not installed; install it "
                   "with pip install 'lrlint[plot]'\n")
    assert not destination.exists()


def test_explain_does_not_import_torch():
    script = ("import sys; from lrlint.cli import main; "
              f"code = main(['explain', {str(INPUTS / 'one_cycle_per_batch.py')!r}]); "
              "assert code == 0 and 'torch' not in sys.modules, sorted(sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr


EPOCH_FUNCTION = """\
import torch
from torch.optim import lr_scheduler
from tqdm import tqdm

EPOCHS = 40


def train_one_epoch(model, loader, optimizer, scheduler):
    for x, y in loader:
        optimizer.step()
    scheduler.step()


def main(model, loader):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = lr_scheduler.MultiStepLR(optimizer, milestones=[20, 30], gamma=0.2)
    for epoch in tqdm(range(EPOCHS)):
        train_one_epoch(model, loader, optimizer, scheduler)
    restarts = lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=10, T_mult=2)
"""


def test_step_inside_a_function_called_from_the_epoch_loop(capsys, tmp_path):
    document = explain_json(capsys, write(tmp_path, EPOCH_FUNCTION))
    multi_step, restarts = document["pairs"]
    assert multi_step["steps"] == {
        "count": 40, "source": "loop",
        "reason": "the loop `for epoch in tqdm(range(EPOCHS))` around scheduler.step()"}
    assert multi_step["unit"] == "epoch"  # optimizer.step() runs in a loop nested inside
    assert [(k["step"], k["lr"]) for k in multi_step["key_steps"]] == [
        (20, pytest.approx(0.02)), (30, pytest.approx(0.004))]
    # Never stepped here and unbounded: three restart cycles are shown, and said so.
    assert restarts["steps"]["count"] == 70 and restarts["steps"]["source"] == "horizon"
    assert "scheduler.step() is not called in this file" in restarts["notes"]
    assert [k["step"] for k in restarts["key_steps"] if k["kind"] == "restart"] == [10, 30]


def test_a_lambda_that_raises_and_one_lrlint_cannot_evaluate(capsys, tmp_path):
    source = """\
import torch
from torch.optim.lr_scheduler import LambdaLR
optimizer = torch.optim.SGD([], lr=0.1)
raising = LambdaLR(optimizer, lambda step: 1 / (10 - step))
opaque = LambdaLR(optimizer, lambda step: helper(step) if step > 5 else 1.0)
for i in range(20):
    optimizer.step()
    raising.step()
    opaque.step()
"""
    document = explain_json(capsys, write(tmp_path, source))
    raising, opaque = document["pairs"]
    assert raising["error"] == ("torch raises ZeroDivisionError after step 9 (scheduler.step() "
                                "call 10): division by zero")
    assert raising["curve"]["lr"] == [0.1 * (1 / (10 - step)) for step in range(10)]
    assert opaque["error"].startswith("lrlint cannot evaluate the schedule after step 5 "
                                      "(scheduler.step() call 6): ")
    assert len(opaque["curve"]["lr"]) == 6


def test_header_drops_comments_of_a_multi_line_call(tmp_path, capsys):
    from lrlint.cli import main

    script = tmp_path / "anneal.py"
    script.write_text(
        "import torch\n"
        "optimizer = torch.optim.Adam(params, lr=2.5e-4)\n"
        "annealing = torch.optim.lr_scheduler.LinearLR(  # anneal to half\n"
        "    optimizer, start_factor=1.0, end_factor=0.5, total_iters=10\n"
        ")\n"
    )
    assert main(["explain", str(script)]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "#" not in header
    assert header.startswith("annealing = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=1.0")


# -- values the code does not know: --steps-per-epoch, --set, --steps -------------------------

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_fine_tuning_fixtures_say_which_value_is_missing_and_how_to_pass_it(capsys):
    code, out, _ = explain(capsys, FIXTURES / "finetune_warmup.py")
    assert code == 0
    assert field(out, "not shown") == (
        "the number of warmup steps and the number of training steps depend on len(loader), "
        "which lrlint cannot know without running the code: pass --steps-per-epoch N or --set "
        "len(loader)=N")
    (pair,) = explain_json(capsys, FIXTURES / "clean_finetune.py")["pairs"]
    assert pair["status"] == "no_schedule"
    assert pair["missing"] == {"arguments": ["lr_lambda"], "inputs": ["len(loader)"],
                               "options": ["--steps-per-epoch N or --set len(loader)=N"]}
    assert pair["reason"].startswith("`lr_lambda` depends on len(loader), which lrlint cannot")


def test_steps_per_epoch_draws_the_hugging_face_warmup(capsys):
    (pair,) = explain_json(capsys, FIXTURES / "finetune_warmup.py", "--steps-per-epoch",
                           "500")["pairs"]
    updates = 3 * math.ceil(500 / 8)  # EPOCHS * ceil(len(loader) / ACCUMULATION_STEPS)
    expected = build("get_linear_schedule_with_warmup", 2e-5, num_warmup_steps=int(0.06 * updates),
                     num_training_steps=updates).values(1500)
    assert pair["status"] == "ok" and pair["missing"] is None
    assert pair["schedule"] == "get_linear_schedule_with_warmup(num_warmup_steps=11, " \
                               "num_training_steps=189)"
    # 3 epochs × 500 micro-batches; the optimizer steps on 62 of each epoch's (LR009: see below)
    assert pair["steps"]["count"] == 186
    assert pair["curve"]["lr"] == expected[:186]
    # --set names the same value as the code writes it, spaces aside.
    same = explain_json(capsys, FIXTURES / "finetune_warmup.py", "--set", "len( loader )=500")
    assert same["pairs"][0]["curve"] == pair["curve"]


def test_set_overrides_a_name_and_an_attribute(capsys):
    (pair,) = explain_json(capsys, FIXTURES / "finetune_warmup.py", "--set", "len(loader)=500",
                           "--set", "EPOCHS=2")["pairs"]
    assert pair["schedule"].endswith("num_training_steps=126)")  # 2 * ceil(500 / 8)
    assert pair["steps"]["count"] == 2 * 62  # optimizer steps: (step + 1) % 8 == 0
    (pair,) = explain_json(capsys, INPUTS / "args_lr_unfolded.py", "--set", "args['lr']=0.05",
                           "--set", "args['epochs']=10")["pairs"]
    assert pair["base_lr"] == 0.05 and pair["steps"]["count"] == 10
    assert pair["curve"]["lr"] == build("CosineAnnealingLR", 0.05, T_max=10).values(10)


def test_accumulation_gate_counts_the_optimizer_steps(capsys):
    code, out, _ = explain(capsys, FIXTURES / "clean_finetune.py", "--steps-per-epoch", "502")
    assert code == 0
    # (step + 1) % 4 == 0 passes 125 of 502 batches: 4 epochs × 125 optimizer steps.
    assert field(out, "steps") == (
        "500: the loops `for epoch in range(EPOCHS)` (4) × `for step, batch in enumerate(loader)`"
        " under `if (step + 1) % ACCUMULATION_STEPS == 0` (125) around scheduler.step()")
    total = 4 * math.ceil(502 / 4)

    def factor(step):  # the file's warmup_then_cosine(total_steps), as plain Python
        if step < 200:
            return (step + 1) / 200
        return 0.5 * (1.0 + math.cos(math.pi * min(1.0, (step - 200) / max(1, total - 200))))

    assert_rows_match(key_rows(out), [3e-5 * factor(step) for step in range(500)])


def test_gate_on_the_counter_itself_counts_from_the_first_iteration(capsys, tmp_path):
    source = NESTED.replace("        scheduler.step()", "        if step % 7 == 0:\n"
                                                       "            scheduler.step()")
    document = explain_json(capsys, write(tmp_path, source))
    assert document["pairs"][0]["steps"]["count"] == 3 * 8  # steps 0, 7, ..., 49: 8 per epoch


def test_steps_fills_in_the_one_unknown_loop_length(capsys):
    code, out, _ = explain(capsys, FIXTURES / "finetune_warmup.py", "--steps", "3000")
    assert code == 0
    assert field(out, "schedule") == ("get_linear_schedule_with_warmup(num_warmup_steps=22, "
                                      "num_training_steps=375)")
    assert "len(loader) = 1,000: --steps 3,000 over the loops `for epoch in range(EPOCHS)` (3)" \
        in " ".join(out.split())


@pytest.mark.parametrize(("assignment", "message"), [
    ("len(loader)", ("--set expects CODE=VALUE (e.g. --set len(train_loader)=500), got "
                     "'len(loader)'")),
    ("len(loader)=lots", "--set len(loader)=lots: the value 'lots' is not a Python literal"),
    ("a + b=3", "--set a + b=3: 'a + b' is not a name, attribute, call or subscript"),
])
def test_bad_set_is_one_clear_error(capsys, assignment, message):
    code, out, err = explain(capsys, FIXTURES / "finetune_warmup.py", "--set", assignment)
    assert (code, out) == (2, "")
    assert err.startswith(f"lrlint: error: {message}") and err.count("\n") == 1


CONFIGURED = """\
import torch
import yaml
from torch.optim.lr_scheduler import CosineAnnealingLR, LambdaLR

config = yaml.safe_load(open("config.yaml"))
optimizer = torch.optim.SGD([], lr=0.1)
scheduler = CosineAnnealingLR(optimizer, T_max=config["epochs"])
warmup = LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / config["warmup"]))
"""


def test_set_reaches_subscripts_and_the_inside_of_a_lambda(capsys, tmp_path):
    path = write(tmp_path, CONFIGURED)
    cosine, warmup = explain_json(capsys, path)["pairs"]
    assert cosine["missing"]["inputs"] == ['config["epochs"]']
    assert warmup["missing"]["inputs"] == ['config["warmup"]']  # the lambda's `s` is not missing
    # Quotes and spaces need not match the code's.
    cosine, warmup = explain_json(capsys, path, "--set", "config['epochs']=30",
                                  "--set", "config[ 'warmup' ]=5")["pairs"]
    assert cosine["curve"]["lr"] == build("CosineAnnealingLR", 0.1, T_max=30).values(30)
    assert warmup["curve"]["lr"] == [0.1 * min(1.0, (s + 1) / 5) for s in range(100)]


# -- several paths, the options' help, the x axis, long curves ----------------------------------


def test_several_files_and_a_directory(capsys, tmp_path):
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    (project / "sub" / "train.py").write_text(NESTED)
    (project / "helpers.py").write_text("def add(a, b):\n    return a + b\n")
    plain = write(tmp_path, "import torch\nopt = torch.optim.SGD([], lr=0.1)\n", "plain.py")
    one = INPUTS / "step_lr_per_epoch.py"
    code, out, err = explain(capsys, one, project, plain)
    assert (code, err) == (0, "")
    assert out.count("scheduler = StepLR(") == 1
    assert out.count("scheduler = CosineAnnealingLR(optimizer, T_max=120)") == 1
    assert f"({project / 'sub' / 'train.py'}:6)" in out
    assert "helpers.py" not in out  # found in a directory, builds no scheduler: not listed
    assert f"{plain}: no LR scheduler found" in out  # named: it is answered
    document = explain_json(capsys, one, project)
    assert [Path(f["path"]).name for f in document] == ["train.py", "step_lr_per_epoch.py"] \
        or [Path(f["path"]).name for f in document] == ["step_lr_per_epoch.py", "train.py"]
    assert all(len(f["pairs"]) == 1 for f in document)
    # A directory alone is an array too; a bad path among good ones: exit 2, the rest explained.
    assert isinstance(explain_json(capsys, project), list)
    code, out, err = explain(capsys, tmp_path / "missing.py", one)
    assert code == 2 and "scheduler = StepLR(" in out
    assert err == f"lrlint: error: {tmp_path / 'missing.py'}: No such file or directory\n"


def test_every_explain_option_has_help(capsys):
    from lrlint.cli import build_parser

    parser = build_parser()
    explain_parser = parser._subparsers._group_actions[0].choices["explain"]
    options = [a for a in explain_parser._actions if a.dest != "help"]
    assert {a.dest for a in options} >= {"paths", "steps", "steps_per_epoch", "assignments",
                                         "plot", "output_format"}
    assert all(a.help for a in options), [a.dest for a in options if not a.help]
    with pytest.raises(SystemExit):
        main(["explain", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--steps-per-epoch N batches per epoch" in text
    assert "--set CODE=VALUE give an expression of the code a value" in text


@pytest.mark.parametrize(("path", "axis"), [
    (INPUTS / "step_lr_per_epoch.py", "epoch"),
    (INPUTS / "one_cycle_per_batch.py", "optimizer step"),
    (INPUTS / "args_lr_unfolded.py", None),
])
def test_x_axis_is_named_for_the_loop(capsys, path, axis):
    options = ("--set", "args['lr']=0.1", "--set", "args['epochs']=9")
    (pair,) = explain_json(capsys, path, *options)["pairs"]
    expected = axis or "scheduler step"  # scheduler.step() is not called in that file
    assert pair["x_axis"] == expected
    _, out, _ = explain(capsys, path, *options)
    chart = out[out.index("LR  ("):]
    assert chart.rstrip().endswith(expected) or f" {expected}\n" in chart


def test_a_long_stepped_curve_streams_in_bounded_chunks():
    from lrlint.explain.curve import BUCKETS, CHUNK
    from lrlint.explain.evaluation import Rows

    warmup = build("LinearLR", 0.4, start_factor=0.01, total_iters=5)
    cosine = build("CosineAnnealingLR", 0.4, T_max=50_000, eta_min=1e-5)
    schedule = build("SequentialLR", 0.4, schedulers=[warmup, cosine], milestones=[5])
    chunks = list(Rows(schedule, 150_000))  # SequentialLR has no closed form: stepped
    assert len(chunks) > 2 and max(len(c[0]) for c in chunks) <= CHUNK
    streamed = [lr for chunk in chunks for lr in chunk[0]]
    assert streamed == schedule.values(150_000)
    curve = reduce(streamed, keep=[5])
    assert len(curve.steps) <= 4 * BUCKETS + 3
    assert curve.minimum.step == streamed.index(min(streamed))


def test_millions_of_key_steps_are_capped_and_said_so(capsys, tmp_path):
    source = NESTED.replace("CosineAnnealingLR(optimizer, T_max=120)",
                            "StepLR(optimizer, step_size=10, gamma=0.999)")
    source = source.replace("import CosineAnnealingLR", "import StepLR")
    path = write(tmp_path, source)
    (pair,) = explain_json(capsys, path, "--steps", "200000")["pairs"]
    assert len(pair["key_steps"]) == 1000 and pair["key_steps_truncated"] is True
    assert pair["key_steps"][-1]["step"] == 10_000
    assert pair["curve"]["downsampled"] and len(pair["curve"]["step"]) < 6000
    expected = build("StepLR", 0.05, step_size=10, gamma=0.999).values(200_000)
    assert pair["last"] == {"step": 199_999, "lr": expected[-1]}
    assert pair["min"] == {"step": 199_990, "lr": min(expected)}
    _, out, _ = explain(capsys, path, "--steps", "200000")
    assert field(out, "note").startswith("the code implies 150")
    assert "only the first 1,000 key steps are listed" in out


# -- the curve the code really produces ----------------------------------------------------------


def test_accumulation_spends_the_schedule_early(capsys):
    (pair,) = explain_json(capsys, FIXTURES / "finetune_warmup.py", "--steps-per-epoch",
                           "500")["pairs"]
    declared = build("get_linear_schedule_with_warmup", 2e-5, num_warmup_steps=11,
                     num_training_steps=189).values(1500)  # one row per scheduler.step()
    # (step + 1) % 8 == 0 over 500 micro-batches: 62 optimizer steps an epoch, on micro-batches
    # 7, 15, ..., 495; the scheduler has stepped 500 times per epoch.
    optimizer_batches = [epoch * 500 + j * 8 + 7 for epoch in range(3) for j in range(62)]
    assert pair["x_axis"] == "optimizer step" and pair["steps"]["count"] == 186
    assert pair["curve"]["lr"] == declared[:186]
    actual = pair["actual"]
    assert [(f["code"], f["line"], f["facts"]["factor"]) for f in actual["findings"]] == [
        ("LR009", 53, 8)]
    assert actual["curve"]["step"] == list(range(186))
    assert actual["curve"]["lr"] == [declared[i] for i in optimizer_batches]
    assert actual["last_change_step"] == 23 and actual["last"]["lr"] == 0.0
    assert "advances 8 steps per optimizer step" in actual["effect"]


def test_scheduler_stepped_first_shifts_the_curve_one_step(capsys):
    (pair,) = explain_json(capsys, FIXTURES / "image_classification_amp.py")["pairs"]
    declared = build("StepLR", 0.1, step_size=30, gamma=0.1).values(91)
    assert pair["x_axis"] == "epoch" and pair["curve"]["lr"] == declared[:90]
    assert pair["actual"]["findings"][0]["facts"] == {"effect": "shift", "steps": 1}
    assert pair["actual"]["curve"]["lr"] == declared[1:]
    _, out, _ = explain(capsys, FIXTURES / "image_classification_amp.py")
    assert field(out, "actual").startswith("LR003 (line 84): scheduler.step() runs before "
                                           "optimizer.step()")
    assert "  ⣿ declared   • actual: LR003 (line 84)" in out.splitlines()
    rows = out.splitlines()
    assert rows[rows.index(next(r for r in rows if r.split()[:3] == ["step", "LR", "actual"]))
                + 4].split()[:3] == ["89", "1e-3", "1e-4"]


def test_per_batch_schedule_stepped_per_epoch_is_stretched(capsys):
    path = INPUTS / "one_cycle_per_epoch.py"
    (pair,) = explain_json(capsys, path, "--steps-per-epoch", "50")["pairs"]
    declared = build("OneCycleLR", 0.01, max_lr=0.1, epochs=10, steps_per_epoch=50,
                     optimizer_defaults={"momentum": 0.9}).values(500)
    assert pair["steps"]["count"] == 500 and pair["x_axis"] == "optimizer step"
    assert pair["curve"]["lr"] == declared
    assert pair["actual"]["findings"][0]["facts"] == {
        "effect": "stretch", "stepped": "per epoch", "factor": 50}
    assert pair["actual"]["curve"]["lr"] == [declared[t // 50] for t in range(500)]


def test_epoch_schedule_stepped_per_batch_is_squeezed(capsys):
    path = INPUTS / "cosine_epochs_per_batch.py"
    (pair,) = explain_json(capsys, path, "--steps-per-epoch", "20")["pairs"]
    cosine = build("CosineAnnealingLR", 0.1, T_max=30).values(600)
    assert pair["curve"]["lr"] == [cosine[t // 20] for t in range(600)]  # what was meant
    assert pair["actual"]["curve"]["lr"] == cosine
    assert pair["actual"]["min"] == {"step": 30, "lr": cosine[30]}
    # Without the batches per epoch, explain says what to pass.
    (pair,) = explain_json(capsys, path)["pairs"]
    assert pair["actual"] is None
    assert ("LR008 (line 18): to see the curve the code produces, pass --steps-per-epoch N "
            "(the batches per epoch)") in pair["notes"]


def test_a_suppressed_finding_leaves_the_curve_alone(capsys, tmp_path):
    source = (FIXTURES / "image_classification_amp.py").read_text().replace(
        "scheduler.step()  # expect: LR003", "scheduler.step()  # lrlint: ignore[LR003]")
    (pair,) = explain_json(capsys, write(tmp_path, source))["pairs"]
    assert pair["actual"] is None


def test_plot_draws_the_actual_curve_beside_the_declared_one(capsys, tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    saved = []
    monkeypatch.setattr(Figure, "savefig", lambda figure, destination: saved.append(figure))
    code, _, _ = explain(capsys, FIXTURES / "finetune_warmup.py", "--steps-per-epoch", "500",
                         "--plot", tmp_path / "lr.png")
    assert code == 0
    (axes,) = saved[0].axes
    labels = [line.get_label() for line in axes.get_lines()]
    assert labels == ["declared: get_linear_schedule_with_warmup", "actual: LR009 (line 53)"]
    actual = axes.get_lines()[1]
    assert actual.get_linestyle() == "--" and max(actual.get_ydata()[24:]) == 0.0
    assert axes.get_xlabel() == "optimizer step"
    assert [t.get_text() for t in axes.get_legend().get_texts()] == labels


def test_a_notebook_is_refused_with_a_clear_message(capsys, tmp_path):
    notebook = tmp_path / "explore.ipynb"
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {},
                                               "source": ["import torch\n"], "outputs": [],
                                               "execution_count": None}],
                                    "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    code, out, err = explain(capsys, notebook, INPUTS / "step_lr_per_epoch.py")
    assert code == 2 and "scheduler = StepLR(" in out and "no LR scheduler" not in out
    assert err == (f"lrlint: error: {notebook}: explain cannot read notebooks yet; export it "
                   "with `jupyter nbconvert --to script` and explain the .py\n")
