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


@case("lr004_llrd_linear_negative_group",
      ("finetune.py", ["--epochs", "1", "--num_samples", "64", "--batch_size", "16"]))
def _(r):
    no_error(r)
    first = r["steps"][0]["lr"]
    negative = [lr for lr in first if lr < 0]
    assert negative, first
    return f"group LRs at step 0 {fmt(sorted(set(first)))}: the embeddings and first blocks run gradient ascent"


@case("lr004_linear_decay_past_end",
      ("train_seg.py", ["--epochs", "5", "--decay-epochs", "4", "--num-samples", "16", "--batch-size", "4"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert used[0] == 0.01 and min(used) < 0 and sum(1 for v in used if v < 0) == 3, used
    return f"last epoch used {fmt(used[-4:])}: negative LR after decay_epochs"


@case("lr005_lambda_absolute_step_decay",
      ("train_cifar.py", ["--epochs", "4", "--decay-every", "2", "--num-samples", "32", "--batch-size", "16"]))
def _(r):
    no_error(r)
    epochs = per_epoch(lrs(r), 2)
    assert close(epochs[0], 0.01) and close(epochs[2], 0.002), epochs  # intended 0.1 then 0.02
    return f"per-epoch LR {fmt(epochs)}: base_lr * base_lr (0.01), not 0.1"


@case("lr005_closure_factory_absolute",
      ("finetune.py", ["--epochs", "2", "--warmup-steps", "2", "--num-samples", "64", "--batch-size", "16"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert close(max(used), 5e-4 * 5e-4), used
    return f"peak LR {max(used):.3g} (= 5e-4 squared) instead of 5e-4"


@case("lr006_gamma_from_swapped_ratio",
      ("train.py", ["solver.epochs=5", "num_samples=32", "batch_size=16"]))
def _(r):
    no_error(r)
    epochs = per_epoch(lrs(r), 2)
    assert epochs[-1] > epochs[0] * 10, epochs  # intended to fall to final_lr
    return f"per-epoch LR {fmt(epochs)}: grows x100 per run instead of decaying to 1e-5"


@case("lr008_onecycle_stepped_per_epoch",
      ("main.py", ["--epochs", "4", "--num-samples", "64", "--batch-size", "8"]))
def _(r):
    no_error(r)
    used = lrs(r)
    # intended: up to 0.05 by step ~10, then anneal to ~2e-7 at step 32
    assert len(used) == 32 and max(used) < 0.05 * 0.35 and used[-1] > 0.01, used
    return f"per-epoch LR {fmt(per_epoch(used, 8))}: still warming up when training ends (0.05 peak, ~0 end intended)"


@case("lr008_cosine_epochs_stepped_per_iter",
      ("train_net.py", ["SOLVER.MAX_EPOCHS", "3", "DATA.NUM_SAMPLES", "64", "SOLVER.IMS_PER_BATCH", "8"]))
def _(r):
    no_error(r)
    used = lrs(r)
    # T_max=3 stepped per iteration: the cosine reaches eta_min after 3 iterations and rises again.
    assert close(used[3], 1e-4) and used[6] > 0.019, used
    return f"first 8 steps {fmt(used[:8])}: a full cosine period every 6 iterations"


@case("lr008_range_steps_epoch_cosine",
      ("train_gpt.py", ["--epochs", "3", "--num_sequences", "64", "--batch_size", "8"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert len(used) == 24 and close(used[3], 6e-5) and used[6] > 5.9e-4, used
    return f"first 8 of 24 steps {fmt(used[:8])}: T_max=3 epochs consumed by 3 steps, then it cycles"


@case("lr008_islice_epoch_milestones",
      ("train.py", ["--epochs", "3", "--iters-per-epoch", "4", "--milestones", "3", "6", "--batch-size", "4"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert close(used[3], 0.01) and close(used[6], 0.001) and close(used[-1], 0.001), used
    return f"per-epoch LR {fmt(per_epoch(used, 4))}: milestones in epochs hit after 3 and 6 iterations"


@case("lr008_trainer_linear_warmup_per_epoch",
      ("run_glue.py", ["--num_epochs", "3", "--num_examples", "80", "--batch_size", "8", "--warmup_proportion", "0.1"]))
def _(r):
    no_error(r)
    used = lrs(r)
    # 30 optimizer steps, 3 warmup steps intended; stepped once per epoch the LR stays at 0, then 1/3 of the ramp
    assert used[:10] == [0.0] * 10 and max(used) < 2e-5, used
    return f"per-epoch LR {fmt(per_epoch(used, 10))}: the whole first epoch at 0, never reaches 2e-5"


@case("lr009_accum_scheduler_outside_if",
      ("finetune_lm.py", ["--epochs", "2", "--num_samples", "64", "--per_device_batch_size", "2",
                          "--gradient_accumulation_steps", "4", "--warmup_steps", "2"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 16 updates intended: warmup 2, linear decay to 0 at update 16
    zeros = sum(1 for v in used if v == 0.0)
    assert len(used) == 16 and zeros >= 11, used
    return f"LR per update {fmt(used)}: schedule over after 1/4 of the updates, LR 0 for the rest"


@case("lr009_engine_accum_iter",
      ("main_finetune.py", ["--epochs", "4", "--num_samples", "64", "--batch_size", "4", "--accum_iter", "4",
                            "--warmup_epochs", "1"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 16 updates; intended warmup 4 updates then cosine over 12
    assert len(used) == 16 and close(used[0], 6.25e-5), used  # intended 1/4 of the peak at update 0
    assert sum(1 for v in used if v < 1e-9) >= 10, used
    return f"LR per update {fmt(used)}: no warmup seen, cosine over by update 4, then LR 0"


def plateau_curve(metrics, **kwargs):
    """The LR a fresh ReduceLROnPlateau(lr=1.0, **kwargs) gives after each metric."""
    import torch
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    out = []
    for m in metrics:
        sched.step(m)
        out.append(opt.param_groups[0]["lr"])
    return out


def logged(result, key):
    """Values of `key VALUE` pairs in the case's printed log, in order."""
    values = []
    for line in result["log"].splitlines():
        words = line.replace("=", " ").replace(":", " ").split()
        for i, word in enumerate(words[:-1]):
            if word == key:
                values.append(float(words[i + 1]))
    return values


@case("lr010_plateau_min_on_accuracy",
      ("train.py", ["--epochs", "6", "--patience", "1", "--n", "512"]))
def _(r):
    no_error(r)
    acc = logged(r, "val_acc")
    as_run = plateau_curve(acc, mode="min", factor=0.1, patience=1, min_lr=1e-6)
    intended = plateau_curve(acc, mode="max", factor=0.1, patience=1, min_lr=1e-6)
    assert as_run != intended and as_run[-1] < intended[-1], (acc, as_run, intended)
    assert close(logged(r, "lr")[-1], 0.05 * as_run[-1], rel=1e-2), (logged(r, "lr"), as_run)
    return f"val_acc {fmt(acc)} rising; LR cut to {logged(r, 'lr')[-1]:.2g} (mode max would keep {0.05 * intended[-1]:.2g})"


@case("lr010_plateau_max_on_loss",
      ("train_regressor.py", ["--epochs", "8", "--patience", "1", "--n", "1000"]))
def _(r):
    no_error(r)
    loss = logged(r, "val_loss")
    assert all(b < a for a, b in zip(loss, loss[1:])), loss
    lr = logged(r, "lr")
    assert lr[-1] <= 1e-3 / 8, lr
    return f"val_loss falls every epoch {fmt(loss)} yet LR cut to {lr[-1]:.2g}"


@case("lr011_step_epoch_per_batch_onecycle",
      ("train.py", ["--epochs", "4", "--num_samples", "64", "--batch_size", "8"]))
def _(r):
    no_error(r)
    used = lrs(r)
    epochs = per_epoch(used, 8)
    assert len(used) == 32 and len(set(used)) == 4, used
    assert max(used) < 0.01 * 0.35, used  # intended: up to 0.01 then down to ~0
    return f"per-epoch LR {fmt(epochs)}: OneCycle frozen at step index = epoch, peak 0.01 never reached"


@case("lr011_step_epoch_minus_one_lag",
      ("train.py", ["--epochs", "10", "--num-samples", "20", "--batch-size", "10"]))
def _(r):
    no_error(r)
    epochs = per_epoch(lrs(r), 2)
    intended = [1e-3 * 0.5 * (1 + math.cos(math.pi * e / 10)) for e in range(10)]
    assert close(epochs[-1], intended[-2]) and close(epochs[1], 1e-3), epochs
    return f"per-epoch LR {fmt(epochs)}: one epoch behind, ends at {epochs[-1] / 1e-3:.3f}x base, not {intended[-1] / 1e-3:.3f}x"


@case("lr012_logger_get_lr",
      ("main.py", ["--epochs", "6", "--milestones", "2", "4", "--n", "128"]))
def _(r):
    no_error(r)
    used = [lrs(r)[i] for i in range(6)]  # one step per epoch
    shown = logged(r, "lr")
    # the log line of epoch e should show the LR of epoch e + 1, i.e. used[e + 1]
    wrong = [e for e in range(5) if not close(shown[e], used[e + 1], rel=1e-3)]
    assert wrong, (shown, used)
    return f"logged {fmt(shown)} vs used next {fmt(used[1:])}: wrong at milestone epochs {wrong} (gamma applied twice)"


@case("lr013_ckpt_without_scheduler",
      ("main.py", ["--epochs", "3", "--milestones", "2", "4", "--num-samples", "256"]),
      ("main.py", ["--epochs", "6", "--milestones", "2", "4", "--num-samples", "256",
                   "--resume", "checkpoints/checkpoint.pth.tar"]))
def _(first, resumed):
    no_error(first), no_error(resumed)
    used = per_epoch(lrs(first), 1) + per_epoch(lrs(resumed), 1)
    intended = [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]
    assert not all(close(a, b) for a, b in zip(used, intended)), used
    return f"per-epoch LR over the resume {fmt(used)}, uninterrupted {fmt(intended)}"


@case("lr013_ckpt_key_mismatch",
      ("train_net.py", ["--max-iter", "6", "--steps", "4", "--checkpoint-period", "3"]),
      ("train_net.py", ["--max-iter", "12", "--steps", "4", "--checkpoint-period", "3", "--resume"]))
def _(first, resumed):
    no_error(first)
    assert resumed["error"] and resumed["error"].startswith("KeyError") and "lr_scheduler" in resumed["error"]
    return f"resume fails: {resumed['error']}"


@case("lr013_resume_replay_chainable",
      ("train.py", ["--epochs", "3", "--step-size", "2", "--n", "64"]),
      ("train.py", ["--epochs", "6", "--step-size", "2", "--n", "64", "--resume"]))
def _(first, resumed):
    no_error(first), no_error(resumed)
    used = per_epoch(lrs(first), 1) + per_epoch(lrs(resumed), 1)
    intended = [1e-2, 1e-2, 1e-3, 1e-3, 1e-4, 1e-4]
    assert close(used[3], 1e-4) and close(used[5], 1e-5), used
    return f"per-epoch LR {fmt(used)} vs uninterrupted {fmt(intended)}: decayed twice at the resume"


@case("lr014_unfreeze_rebuilds_optimizer",
      ("finetune.py", ["--epochs", "4", "--unfreeze_at", "2", "--n", "64"]))
def _(r):
    no_error(r)
    head = lrs(r, opt=0)
    after = [s["lr"] for s in r["steps"] if s["opt"] == 1]
    assert len(head) == 4 and len(after) == 4 and all(g == after[0] for g in after), after
    return f"before unfreeze {fmt(head)}; after, the new optimizer stays at {after[0]} (cosine drives the old one)"


@case("lr014_two_stage_new_optimizer",
      ("train_probe_then_ft.py", ["--probe_epochs", "2", "--ft_epochs", "2", "--n", "128"]))
def _(r):
    no_error(r)
    probe, ft = lrs(r, opt=0), lrs(r, opt=1)
    assert probe[1] < probe[0] and set(ft) == {1e-4}, (probe, ft)
    return f"probe LR decays {fmt(probe)}; fine-tune LR constant {ft[0]} (its linear decay never applied)"


@case("lr015_warmup_write_clobbers_multistep",
      ("train.py", ["--epochs", "6", "--warmup-epochs", "2", "--milestones", "3", "4", "--n", "256"]))
def _(r):
    no_error(r)
    used = per_epoch(lrs(r), 1)
    assert used[-1] == 0.2 and used[0] == 0.1, used  # intended 0.002 at the end
    return f"per-epoch LR {fmt(used)}: milestone decays erased every epoch by the warmup write"


@case("lr015_adjust_helper_plus_cosine",
      ("main.py", ["--epochs", "4", "--cos", "--num-samples", "256"]))
def _(r):
    no_error(r)
    used = per_epoch(lrs(r), 1)
    assert set(used) == {0.1}, used  # cosine over 4 epochs intended
    return f"per-epoch LR {fmt(used)}: the cosine schedule has no effect"


@case("lr016_warmup_lambda_plus_multistep",
      ("train.py", ["--epochs", "8", "--warmup", "2", "--milestones", "4", "6", "--n", "128"]))
def _(r):
    no_error(r)
    used = per_epoch(lrs(r), 1)
    # intended: 0.05, 0.1, 0.1, 0.1, 0.02, 0.02, 0.004, 0.004
    assert used[5] == 0.1 and used[7] == 0.1 and close(used[4], 0.02), used
    return f"per-epoch LR {fmt(used)}: each milestone decay lasts one epoch, LambdaLR resets it"


@case("lr016_onecycle_plus_plateau",
      ("train.py", ['{"epochs": 8, "n": 128, "batch_size": 32, "patience": 0, "max_lr": 0.05}']))
def _(r):
    no_error(r)
    used = lrs(r)
    import torch
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.05)
    ref = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, epochs=8, steps_per_epoch=4, pct_start=0.25)
    pure = []
    for _ in range(32):
        pure.append(opt.param_groups[0]["lr"])
        opt.step(), ref.step()
    cut = [i for i, (a, b) in enumerate(zip(used, pure)) if not close(a, b)]
    assert len(used) == 32 and cut and all(i % 4 == 0 for i in cut), (used, pure)
    return f"plateau cuts change only steps {cut} (first batch of an epoch); OneCycle overwrites them at once"


@case("lr017_epoch_warmup_first_factor_zero",
      ("train.py", ["--epochs", "4", "--warmup_epochs", "2", "--n", "512"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert used[:2] == [0.0, 0.0] and used[2] > 0, used
    return f"LR by step {fmt(used)}: the whole first epoch trains at LR 0"


@case("lr017_closure_linear_warmup_zero",
      ("train_ddpm.py", ["--total_steps", "4", "--warmup", "4", "--batch_size", "1024"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert used[0] == 0.0 and close(used[1], 5e-5), used
    return f"first steps {fmt(used)}: the first update runs at LR 0"


@case("lr018_built_never_passed",
      ("train_net.py", ["--config", '{"max_iter": 6, "warmup_iters": 4, "steps": [3]}']))
def _(r):
    no_error(r)
    used = lrs(r)
    # intended: warmup from 0.02/3 up to 0.02, then 0.002 after iteration 3
    assert len(used) == 6 and all(close(v, 0.02 / 3) for v in used), used
    return f"LR {fmt(used)}: stuck at the warmup start 0.02/3 for the whole run (scheduler never stepped)"


@case("lr018_trainer_scheduler_only_saved",
      ("main.py", ["--epochs", "4", "--lr_step", "1", "--n_train", "16"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert set(used) == {1e-4}, used
    return f"LR {fmt(used)}: constant though StepLR(step_size=1, gamma=0.5) was built"


# ---------------------------------------------------------------- framework bug cases

@case("fw_lightning_onecycle_no_interval",
      ("train.py", ["--max_epochs", "4", "--num_samples", "64", "--batch_size", "8"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert len(used) == 32 and len(set(used)) == 4 and max(used) < 0.01 * 0.35, used
    return f"per-epoch LR {fmt(per_epoch(used, 8))}: OneCycle stepped once per epoch, peak 0.01 never reached"


@case("fw_lightning_interval_toplevel",
      ("pretrain.py", ["--epochs", "2", "--warmup_steps", "4", "--batch_size", "8", "--num_sequences", "64"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 16 steps: warmup 4 then cosine intended
    assert len(used) == 16 and set(used[:8]) == {0.0} and set(used[8:]) == {3e-4 * 0.25}, used
    return f"per-epoch LR {fmt(per_epoch(used, 8))}: the top-level 'interval' is dropped, stepped per epoch"


@case("fw_lightning_epoch_cosine_interval_step",
      ("train.py", ["--max_epochs", "3", "--num_images", "32", "--batch_size", "8"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert close(used[3], 1e-6) and used[6] > 9e-4, used
    return f"first 8 steps {fmt(used[:8])}: T_max=max_epochs consumed in 3 steps, then the cosine cycles"


@case("fw_lightning_plateau_min_on_acc_monitor",
      ("train.py", ["--max_epochs", "6", "--patience", "1", "--n", "512"]))
def _(r):
    no_error(r)
    used = per_epoch(lrs(r), 8)
    assert used[-1] < 1e-3 / 5, used
    # the same data with mode="max" (clean_lightning_plateau_max_on_acc) keeps 1e-3: val_acc improves
    return f"per-epoch LR {fmt(used)}: cut twice on an improving val_acc (mode defaults to 'min')"


@case("fw_lightning_manual_opt_unstepped",
      ("train.py", ["--max_epochs", "4", "--lr_decay_epochs", "4", "--n", "128"]))
def _(r):
    no_error(r)
    g, d = lrs(r, 0), lrs(r, 1)
    assert set(g) == {2e-4} and set(d) == {2e-4} and len(g) == 8, (g, d)
    return "both optimizers at 2e-4 for every step: linear decay to 0 over 4 epochs never applied"


@case("fw_lightning_double_step",
      ("train.py", ["--max_epochs", "2", "--warmup_steps", "4", "--n", "128", "--batch_size", "16"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 16 steps: warmup 4, linear decay to 0 at 16 intended
    assert close(used[1], 2e-5 * 2 / 4) and used[8:] == [0.0] * 8, used
    return f"LR by step {fmt(used)}: stepped twice per update, over at half the run"


@case("fw_hf_constant_with_warmup_steps",
      ("run_classification.py", ["--num_train_epochs", "1", "--warmup_steps", "4", "--train_size", "64",
                                 "--per_device_train_batch_size", "8"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert len(used) == 8 and set(used) == {5e-5}, used
    return f"LR by step {fmt(used)}: warmup_steps=4 ignored by lr_scheduler_type='constant'"


@case("fw_hf_warmup_exceeds_max_steps",
      ("sft.py", ["--max_steps", "6", "--warmup_steps", "12", "--train_size", "64",
                  "--per_device_train_batch_size", "8"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert len(used) == 6 and max(used) <= 2e-5 * 5 / 12 + 1e-12, used
    return f"LR by step {fmt(used)}: still warming up at max_steps, peak 2e-5 never reached"


@case("fw_hf_trainer_sched_sized_in_samples",
      ("train.py", ["--epochs", "2", "--batch_size", "8", "--train_size", "64"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 16 updates, schedule sized 128 with 7 warmup steps
    assert len(used) == 16 and used[-1] > 3e-5 * 0.8, used
    return f"LR by step {fmt(used)}: schedule sized 128 'steps' for 16 updates, ends at {used[-1] / 3e-5:.2f}x peak, not ~0"


@case("fw_hf_trainer_sched_ignores_accumulation",
      ("finetune.py", ["--epochs", "2", "--micro_batch_size", "2", "--grad_accum", "4", "--train_size", "64",
                       "--warmup_ratio", "0.1"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 16 updates; schedule sized 64 micro-batches, warmup 6
    assert len(used) == 16 and max(used) > 3e-4 * 0.9 and used[-1] > 3e-4 * 0.5, used
    return f"LR by step {fmt(used)}: sized in micro-batches, ends at {used[-1] / 3e-4:.2f}x peak instead of 0"


@case("fw_hf_warmup_ratio_as_steps",
      ("train.py", ["--epochs", "2", "--n", "640"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 20 steps, intended warmup of 2
    assert used[0] == 0.0 and close(used[1], 1e-4, rel=0.05), used
    return f"first steps {fmt(used[:4])}: warmup of 0.1 'steps' is no warmup, full LR at step 1"


@case("fw_accelerate_sched_sized_per_process",
      ("train_no_trainer.py", ["--num_train_epochs", "2", "--per_device_train_batch_size", "4", "--train_size", "64"],
       {"NPROC": "2", "ACCELERATE_USE_CPU": "true"}))
def _(r):
    no_error(r)
    used = lrs(r)  # per process: 8 batches per epoch, 16 updates; schedule sized 16, stepped 2x per update
    assert len(used) == 16 and used[8:] == [0.0] * 8, used
    return f"LR by update (2 processes) {fmt(used)}: the linear decay ends at half the run, LR 0 after"


@case("fw_accelerate_accumulate_unprepared_sched",
      ("train.py", ["--epochs", "2", "--batch_size", "4", "--gradient_accumulation_steps", "4",
                    "--warmup_steps", "2", "--n", "64"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 8 updates: warmup 2 then cosine to 0 at update 8 intended
    assert len(used) == 8 and sum(1 for v in used if v < 1e-12) >= 5, used
    return f"LR by update {fmt(used)}: scheduler stepped per micro-batch, schedule over after 2 updates"


@case("fw_accelerate_manual_accum_step_outside_if",
      ("train_lora.py", ["--epochs", "2", "--micro_batch", "4", "--accum", "4", "--warmup", "2", "--n", "64"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 8 updates intended over the linear schedule
    assert len(used) == 8 and used[2:] == [0.0] * 6, used
    return f"LR by update {fmt(used)}: prepared scheduler still steps every micro-batch without accumulate()"


@case("fw_timm_t_in_epochs_only_step_update",
      ("train.py", ["--epochs", "3", "--warmup_epochs", "1", "--n", "64", "--batch_size", "16"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert len(used) == 12 and set(used) == {1e-6}, used
    return f"all {len(used)} steps at warmup_lr_init 1e-6: t_in_epochs=True ignores step_update"


@case("fw_timm_warmup_epochs_with_update_schedule",
      ("main.py", ["--opts", "train.epochs=4", "train.warmup_epochs=2", "data.num_samples=64", "train.batch_size=8"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 32 updates; intended warmup over 2 epochs = 16 updates
    assert len(used) == 32 and used[3] > 9e-4, used
    return f"first steps {fmt(used[:5])}: warmup over 2 updates instead of 2 epochs (16 updates)"


@case("fw_timm_plateau_default_mode_on_loss",
      ("train.py", ["--epochs", "6", "--patience", "1", "--n", "1000"]))
def _(r):
    no_error(r)
    loss, lr = logged(r, "val_loss"), logged(r, "lr")
    assert all(b < a for a, b in zip(loss, loss[1:])), loss
    assert lr[-1] < 1e-3 / 3, lr
    return f"val_loss falls {fmt(loss)}; LR cut to {lr[-1]:.2g} (PlateauLRScheduler mode='max')"


@case("fw_timm_step_without_epoch",
      ("train.py", ["--epochs", "3", "--n", "256"]))
def _(r):
    assert r["error"] and r["error"].startswith("TypeError"), r["error"]
    return f"crashes at the end of epoch 0: {r['error']}"


# ---------------------------------------------------------------- clean look-alikes

@case("clean_unit_test_gamma10", ("pytest:tests/test_schedules.py", []))
def _(r):
    no_error(r)
    used = lrs(r)
    assert [round(v, 10) for v in used[:2]] == [0.01, 0.1], used
    assert "3 passed" in r["log"], r["log"]
    return f"the case's own tests pass (3 passed); LR {fmt(used[:2])} in the gamma=10 test is the asserted value"


@case("clean_sched_step_at_epoch_top_guarded",
      ("train.py", ["--epochs", "6", "--step_size", "2", "--n", "256"]))
def _(r):
    no_error(r)
    used = per_epoch(lrs(r), 1)
    assert all(close(a, b) for a, b in zip(used, [0.1, 0.1, 0.01, 0.01, 0.001, 0.001])), used
    return f"per-epoch LR {fmt(used)}: exactly StepLR(step_size=2)"


@case("clean_resume_replay_closed_form",
      ("train.py", ["--epochs", "6", "--stop_after", "3", "--n", "128"]),
      ("train.py", ["--epochs", "6", "--n", "128"]))
def _(first, resumed):
    no_error(first), no_error(resumed)
    used = lrs(first) + lrs(resumed)
    intended = [0.1 * 0.5 * (1 + math.cos(math.pi * e / 6)) for e in range(6)]
    assert len(used) == 6 and all(close(a, b) for a, b in zip(used, intended)), used
    return f"per-epoch LR across the resume {fmt(used)} = the uninterrupted cosine"


@case("clean_warm_restarts_fractional_epoch",
      ("train.py", ["--epochs", "3", "--t0", "1", "--t_mult", "2", "--n", "512"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 4 iterations per epoch; restarts at epoch 1 and epoch 3
    assert close(used[0], 0.05) and used[4] < used[2] < used[1] and close(used[5], 0.05, rel=1e-3), used
    return f"LR by step {fmt(used)}: SGDR with restarts at epoch boundaries, as documented"


@case("clean_warmup_lambda_offset_by_one",
      ("train.py", ["--epochs", "4", "--warmup_epochs", "2", "--n", "256"]))
def _(r):
    no_error(r)
    used = per_epoch(lrs(r), 1)
    assert close(used[0], 2.5e-4) and close(used[1], 5e-4) and used[3] < used[2], used
    return f"per-epoch LR {fmt(used)}: the first epoch trains at half the LR, not 0"


@case("clean_lambda_divides_by_base_lr",
      ("finetune.py", ["--epochs", "2", "--warmup-steps", "2", "--num-samples", "64", "--batch-size", "16"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert close(max(used), 5e-4) and close(used[0], 2.5e-4), used
    return f"LR by step {fmt(used)}: peak 5e-4 as intended"


@case("clean_accum_step_inside_if_helper",
      ("main.py", ["--epochs", "2", "--batch_size", "2", "--accum_steps", "4", "--n", "32"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 8 updates, linear decay 1 - s/8
    intended = [1e-4 * (1 - s / 8) for s in range(8)]
    assert len(used) == 8 and all(close(a, b) for a, b in zip(used, intended)), used
    return f"LR by update {fmt(used)}: one scheduler step per optimizer update"


@case("clean_cosine_sized_in_iters_engine",
      ("train_net.py", ["--cfg", '{"max_epochs": 2, "n": 64, "batch_size": 16}']))
def _(r):
    no_error(r)
    used = lrs(r)
    intended = [1e-4 + (0.02 - 1e-4) * 0.5 * (1 + math.cos(math.pi * i / 8)) for i in range(8)]
    assert all(close(a, b) for a, b in zip(used, intended)), used
    return f"LR by step {fmt(used)}: one half-cosine over the run"


@case("clean_while_max_steps_linear",
      ("train.py", ["--max_steps", "8", "--warmup_steps", "2", "--n", "64", "--batch_size", "16"]))
def _(r):
    no_error(r)
    used = lrs(r)
    intended = [0, 1.5e-4, 3e-4, 2.5e-4, 2e-4, 1.5e-4, 1e-4, 5e-5]
    assert all(close(a, b) for a, b in zip(used, intended)), used
    return f"LR by step {fmt(used)}: warmup then linear decay over max_steps"


@case("clean_config_optimizer_lr_scaling",
      ("train.py", ["--epochs", "3", "--num_samples", "64"]))
def _(r):
    no_error(r)
    epochs = per_epoch(lrs(r), 1)
    assert close(epochs[0], 2.5e-4) and epochs[2] < epochs[1] < epochs[0], epochs
    return f"per-epoch LR {fmt(epochs)}: scaled config LR reaches the optimizer, cosine decays it"


@case("clean_exponential_gamma_decay_ratio",
      ("train.py", ["solver.epochs=5", "num_samples=32", "batch_size=16"]))
def _(r):
    no_error(r)
    epochs = per_epoch(lrs(r), 2)
    assert close(epochs[-1], 1e-3 * (1e-2) ** (4 / 5)), epochs
    return f"per-epoch LR {fmt(epochs)}: decays toward final_lr"


@case("clean_unfreeze_rebuilds_both",
      ("finetune.py", ["--epochs", "4", "--unfreeze_at", "2", "--n", "64"]))
def _(r):
    no_error(r)
    after = [s["lr"][1] for s in r["steps"] if s["opt"] == 1]
    assert len(after) == 4 and after[0] == 1e-3 and after[3] < after[1] < after[0], after
    return f"head LR after unfreeze {fmt(after)}: the new optimizer follows a fresh cosine"


@case("clean_manual_cosine_no_scheduler",
      ("main_pretrain.py", ["--epochs", "4", "--warmup_epochs", "1", "--num_samples", "64", "--batch_size", "16"]))
def _(r):
    no_error(r)
    g0, g1 = lrs(r, group=0), lrs(r, group=1)
    assert g0[0] == 0.0 and close(g0[4], 1.5e-4) and all(close(b, a * 0.5) for a, b in zip(g0, g1)), (g0, g1)
    return f"group 0 LR {fmt(per_epoch(g0, 4))} per epoch, group 1 at lr_scale 0.5: the hand-written cosine"


@case("clean_sequential_warmup_cosine",
      ("train.py", ["--epochs", "6", "--warmup", "2", "--n", "128"]))
def _(r):
    no_error(r)
    used = per_epoch(lrs(r), 1)
    assert close(used[0], 0.01) and close(used[2], 0.1) and used[5] < used[4] < used[3], used
    return f"per-epoch LR {fmt(used)}: warmup then cosine, composed by SequentialLR"


@case("clean_ckpt_scheduler_roundtrip",
      ("train_net.py", ["--max-iter", "10", "--stop-at", "6", "--steps", "7", "--checkpoint-period", "3"]),
      ("train_net.py", ["--max-iter", "10", "--steps", "7", "--checkpoint-period", "3"]))
def _(first, resumed):
    no_error(first), no_error(resumed)
    used = lrs(first) + lrs(resumed)
    intended = [0.02] * 7 + [0.002] * 3
    assert len(used) == 10 and all(close(a, b) for a, b in zip(used, intended)), used
    return f"LR across the resume {fmt(used)} = uninterrupted MultiStepLR"


@case("clean_hook_steps_scheduler",
      ("train_net.py", ["--cfg", '{"max_iter": 8, "steps": [5]}']))
def _(r):
    no_error(r)
    used = lrs(r)
    assert used == [0.02] * 5 + [0.002] * 3 or all(close(a, b) for a, b in zip(used, [0.02] * 5 + [0.002] * 3)), used
    return f"LR by iteration {fmt(used)}: MultiStepLR stepped by the hook after each update"


@case("clean_custom_get_lr_subclass",
      ("train_seg.py", ["--epochs", "2", "--warmup_iters", "2", "--scale", "0.5", "--n", "32"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 8 iterations
    intended = []
    for it in range(8):
        f = 1e-3 * (1 - it / 2) + it / 2 if it < 2 else (1 - (it - 2) / 6) ** 0.9
        intended.append(0.01 * 0.5 * f)
    assert all(close(a, b) for a, b in zip(used, intended)), (used, intended)
    return f"LR by step {fmt(used)}: the subclass's get_lr/super().get_lr() give the intended warmup-poly curve"


@case("clean_amp_scaler_then_scheduler",
      ("main.py", ["--epochs", "2", "--num-samples", "64", "--batch-size", "16"]))
def _(r):
    no_error(r)
    used = lrs(r)
    import torch
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.4)
    ref = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.4, epochs=2, steps_per_epoch=4)
    intended = []
    for _ in range(8):
        intended.append(opt.param_groups[0]["lr"])
        opt.step(), ref.step()
    assert all(close(a, b) for a, b in zip(used, intended)), used
    return f"LR by step {fmt(used)}: OneCycle in order after scaler.step(optimizer)"


@case("clean_manual_sgd_negative_alpha",
      ("meta.py", ["--iterations", "3", "--tasks_per_batch", "2"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert used == [1e-3] * 3, used
    return "meta optimizer at 1e-3; inner updates p -= inner_lr * g by hand (alpha=-inner_lr), no negative LR"


@case("clean_plateau_min_on_error_rate",
      ("train.py", ["--epochs", "6", "--patience", "1", "--n", "512"]))
def _(r):
    no_error(r)
    err = logged(r, "top1_err")
    as_run = plateau_curve(err, mode="min", factor=0.1, patience=1)
    shown = logged(r, "lr")
    assert all(close(a, 0.05 * b, rel=1e-2) for a, b in zip(shown, as_run)), (err, shown)
    return f"top1_err {fmt(err)}; LR {fmt(shown)}: reduced only when the error stops falling"


@case("clean_lightning_onecycle_interval_step",
      ("train.py", ["--max_epochs", "4", "--num_samples", "64", "--batch_size", "8"]))
def _(r):
    no_error(r)
    used = lrs(r)
    assert len(used) == 32 and close(max(used), 0.01, rel=1e-2) and used[-1] < 1e-5, used
    return f"per-epoch LR {fmt(per_epoch(used, 8))}: the full one-cycle over 32 steps, peak 0.01"


@case("clean_lightning_timm_scheduler_hook",
      ("train.py", ["--max_epochs", "4", "--warmup_epochs", "1", "--n", "256"]))
def _(r):
    no_error(r)
    used = per_epoch(lrs(r), 2)
    cosine = [1e-5 + 0.5 * (5e-4 - 1e-5) * (1 + math.cos(math.pi * t / 4)) for t in range(4)]
    assert close(used[0], 1e-6) and all(close(a, b) for a, b in zip(used[1:], cosine[1:])), used
    return f"per-epoch LR {fmt(used)}: timm warmup + cosine driven through lr_scheduler_step"


@case("clean_lightning_manual_opt_stepped",
      ("train.py", ["--max_epochs", "4", "--lr_decay_epochs", "4", "--n", "128"]))
def _(r):
    no_error(r)
    g = per_epoch(lrs(r, 0), 2)
    assert all(close(a, b) for a, b in zip(g, [2e-4, 1.5e-4, 1e-4, 5e-5])), g
    return f"generator per-epoch LR {fmt(g)}: linear decay applied once per epoch"


@case("clean_lightning_plateau_max_on_acc",
      ("train.py", ["--max_epochs", "6", "--patience", "1", "--n", "512"]))
def _(r):
    no_error(r)
    used = per_epoch(lrs(r), 8)
    assert used[4] == 1e-3, used
    return f"per-epoch LR {fmt(used)}: kept while val_acc improves (mode='max')"


@case("clean_lightning_cosine_epoch_default_interval",
      ("train.py", ["--max_epochs", "3", "--num_images", "32", "--batch_size", "8"]))
def _(r):
    no_error(r)
    used = per_epoch(lrs(r), 4)
    intended = [1e-6 + (1e-3 - 1e-6) * 0.5 * (1 + math.cos(math.pi * e / 3)) for e in range(3)]
    assert all(close(a, b) for a, b in zip(used, intended)), used
    return f"per-epoch LR {fmt(used)}: T_max=max_epochs stepped per epoch (the default interval)"


@case("clean_hf_constant_with_warmup_ratio",
      ("run_classification.py", ["--num_train_epochs", "2", "--warmup_ratio", "0.25", "--train_size", "64",
                                 "--per_device_train_batch_size", "8"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 16 steps, warmup 4
    assert len(used) == 16 and used[0] == 0.0 and close(used[2], 2.5e-5) and set(used[4:]) == {5e-5}, used
    return f"LR by step {fmt(used)}: 4 warmup steps (25%), then constant"


@case("clean_hf_trainer_sched_sized_in_updates",
      ("finetune.py", ["--epochs", "2", "--micro_batch_size", "2", "--grad_accum", "4", "--train_size", "64",
                       "--warmup_ratio", "0.1"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 16 updates, warmup 2, cosine to 0 at 16
    assert len(used) == 16 and close(used[2], 3e-4) and used[-1] < 3e-4 * 0.02, used
    return f"LR by update {fmt(used)}: sized in optimizer updates, reaches ~0 at the end"


@case("clean_accelerate_diffusers_sizing",
      ("train_text_to_image.py", ["--num_train_epochs", "2", "--train_batch_size", "4", "--num_images", "64",
                                  "--lr_warmup_steps", "2"], {"NPROC": "2", "ACCELERATE_USE_CPU": "true"}))
def _(r):
    no_error(r)
    used = lrs(r)  # per process 8 batches per epoch -> 16 updates; warmup 2, cosine to 0 at update 16
    intended = [1e-4 * s / 2 if s < 2 else 1e-4 * 0.5 * (1 + math.cos(math.pi * (s - 2) / 14)) for s in range(16)]
    assert len(used) == 16 and all(close(a, b) for a, b in zip(used, intended)), used
    return f"LR by update (2 processes) {fmt(used)}: warmup 2, cosine over all 16 updates"


@case("clean_accelerate_prepared_in_accumulate",
      ("train.py", ["--epochs", "2", "--batch_size", "4", "--gradient_accumulation_steps", "4",
                    "--warmup_steps", "2", "--n", "64"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 8 updates
    intended = [1e-4 * (s + 1) / 2 if s < 2 else 1e-4 * 0.5 * (1 + math.cos(math.pi * (s - 2) / 6)) for s in range(8)]
    assert len(used) == 8 and all(close(a, b) for a, b in zip(used, intended)), (used, intended)
    return f"LR by update {fmt(used)}: one scheduler step per update"


@case("clean_timm_train_step_update_and_step",
      ("train.py", ["--epochs", "4", "--warmup-epochs", "1", "--n", "256"]))
def _(r):
    no_error(r)
    used = per_epoch(lrs(r), 2)
    cosine = [1e-5 + 0.5 * (5e-4 - 1e-5) * (1 + math.cos(math.pi * t / 4)) for t in range(4)]
    assert close(used[0], 1e-6) and all(close(a, b) for a, b in zip(used[1:], cosine[1:])), used
    return f"per-epoch LR {fmt(used)}: epoch-based timm cosine; step_update is a no-op with t_in_epochs"


@case("clean_timm_update_schedule_step_update",
      ("train.py", ["--epochs", "3", "--warmup_epochs", "1", "--n", "64", "--batch_size", "16"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 12 updates, warmup 4
    assert close(used[0], 1e-6) and used[1] > used[0] and used[-1] < used[5] and max(used) > 3.5e-4, used
    return f"LR by step {fmt(used)}: per-update warmup and cosine"


@case("clean_timm_plateau_min_on_loss",
      ("train.py", ["--epochs", "6", "--patience", "1", "--n", "1000"]))
def _(r):
    no_error(r)
    loss, lr = logged(r, "val_loss"), logged(r, "lr")
    assert all(b < a for a, b in zip(loss, loss[1:])) and set(lr) == {1e-3}, (loss, lr)
    return f"val_loss falls {fmt(loss)}; LR stays 1e-3 (mode='min')"


@case("lr013_save_omits_scheduler_load_guarded",
      ("train.py", ["--epochs", "3", "--lr-step-size", "2", "--num-samples", "256"]),
      ("train.py", ["--epochs", "6", "--lr-step-size", "2", "--num-samples", "256", "--resume", "checkpoint.pth"]))
def _(first, resumed):
    no_error(first), no_error(resumed)
    used = per_epoch(lrs(first), 1) + per_epoch(lrs(resumed), 1)
    intended = [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]
    assert not all(close(a, b) for a, b in zip(used, intended)), used
    return f"per-epoch LR over the resume {fmt(used)}, uninterrupted {fmt(intended)}: the guarded load never runs"


@case("lr003_one_off_step_before_loop",
      ("train.py", ["--epochs", "6", "--warmup_epochs", "4", "--n", "512"]))
def _(r):
    no_error(r)
    used = per_epoch(lrs(r), 1)
    intended = [0.1, 0.2, 0.3, 0.4, 0.4, 0.4]
    assert close(used[0], 0.2) and close(used[2], 0.4), used
    return f"per-epoch LR {fmt(used)} vs {fmt(intended)}: the one-off step skips the first warmup value"


@case("clean_hf_warmup_with_epoch_budget",
      ("sft.py", ["--num_train_epochs", "2", "--warmup_steps", "4", "--train_size", "64",
                  "--per_device_train_batch_size", "8"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 16 steps from the epoch budget, warmup 4, cosine to ~0
    assert len(used) == 16 and close(used[4], 2e-5) and used[-1] < 2e-5 * 0.05, used
    return f"LR by step {fmt(used)}: max_steps=-1, the epoch budget (16 steps) exceeds the 4 warmup steps"


@case("clean_hf_warmup_ratio_converted",
      ("train.py", ["--epochs", "2", "--n", "640"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 20 steps, warmup int(0.1 * 20) = 2
    assert used[0] == 0.0 and close(used[1], 5e-5) and close(used[2], 1e-4), used
    return f"first steps {fmt(used[:4])}: the ratio becomes 2 warmup steps"


@case("clean_lightning_toplevel_monitor_key",
      ("pretrain.py", ["--epochs", "2", "--warmup_steps", "4", "--batch_size", "8", "--num_sequences", "64"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 16 steps: warmup 4 then cosine, stepped per step
    intended = [3e-4 * s / 4 if s < 4 else 3e-4 * 0.5 * (1 + math.cos(math.pi * (s - 4) / 12)) for s in range(16)]
    assert len(used) == 16 and all(close(a, b) for a, b in zip(used, intended)), used
    return f"LR by step {fmt(used)}: interval 'step' inside lr_scheduler, top-level 'monitor' is a valid key"


@case("clean_timm_warmup_converted_to_updates",
      ("main.py", ["--opts", "train.epochs=4", "train.warmup_epochs=2", "data.num_samples=64", "train.batch_size=8"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 32 updates, warmup 16 updates
    assert len(used) == 32 and used[8] < 6e-4 and used[3] < used[8] < used[16], used
    return f"LR at updates 0/8/16/31 {fmt([used[0], used[8], used[16], used[31]])}: warmup over 2 epochs of updates"


@case("clean_lightning_reads_scheduler_in_step",
      ("train.py", ["--max_epochs", "2", "--warmup_steps", "4", "--n", "128", "--batch_size", "16"]))
def _(r):
    no_error(r)
    used = lrs(r)  # 16 steps: warmup 4, linear decay to 0 at 16
    intended = [2e-5 * s / 4 if s < 4 else 2e-5 * (16 - s) / 12 for s in range(16)]
    assert all(close(a, b) for a, b in zip(used, intended)), used
    return f"LR by step {fmt(used)}: stepped once per update by Lightning; training_step only reads it"
