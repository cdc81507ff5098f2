"""One check per case: run it with tiny sizes and assert the LR curve its manifest entry describes.

    python _verify/checks.py            # all cases
    python _verify/checks.py -k mm_hook # cases whose name contains the string

Each check runs the case's entry script as a user would (record.py: a copy in a temporary
directory, a fresh interpreter) and gets the LR of every optimizer.step(), per param group. The
expected curves are computed here from the schedule's definition, not by importing the case.
"""
import argparse
import math
import os
import sys
from bisect import bisect_right

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from record import record  # noqa: E402

ORDER_WARNING = "Detected call of `lr_scheduler.step()` before `optimizer.step()`"


def run(case, *cmd):
    res = record(os.path.join(ROOT, case), list(cmd))
    if res["rc"] != 0:
        raise AssertionError(f"{case}: exit code {res['rc']}\n{res['stderr'][-3000:]}")
    return res


def lrs(res, group=0):
    return [s[group] for s in res["steps"]]


def close(a, b, rel=1e-6, abs_=1e-12):
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def assert_curve(got, want, what):
    assert len(got) == len(want), f"{what}: {len(got)} steps, expected {len(want)}"
    bad = [(i, g, w) for i, (g, w) in enumerate(zip(got, want)) if not close(g, w)]
    assert not bad, f"{what}: first mismatches (step, got, want): {bad[:5]}"


# ---- schedule definitions used by several cases ---------------------------------------------

def d2_warmup_multistep(base_lr, warmup_iters, steps, gamma=0.1, warmup_factor=0.001):
    def lr(it):
        if it < warmup_iters:
            alpha = it / warmup_iters
            warm = warmup_factor * (1 - alpha) + alpha
        else:
            warm = 1.0
        return base_lr * warm * gamma ** bisect_right(steps, it)
    return lr


def mm_warmup_poly(base_lr, max_iters, warmup_iters, power=0.9, warmup_ratio=1e-3, min_ratio=1e-4):
    def lr(it):
        coeff = (1 - min(it, max_iters) / max_iters) ** power
        regular = (1 - min_ratio) * coeff + min_ratio
        if it < warmup_iters:
            k = (1 - it / warmup_iters) * (1 - warmup_ratio)
            return base_lr * regular * (1 - k)
        return base_lr * regular
    return lr


# ---- bug cases ------------------------------------------------------------------------------

def check_lr003_d2_trainer_before_step():
    res = run("lr003_d2_trainer_before_step", "python", "train_net.py",
              "SOLVER.MAX_ITER", "30", "SOLVER.WARMUP_ITERS", "10", "SOLVER.STEPS", "20,25",
              "DATALOADER.NUM_SAMPLES", "128", "SOLVER.LOG_PERIOD", "10")
    sched = d2_warmup_multistep(0.02, 10, [20, 25])
    got = lrs(res)
    # intended: update i uses sched(i); the override in before_step makes it use sched(i + 1)
    assert not close(got[0], sched(0)), f"first update used the schedule's first value {got[0]}"
    assert_curve(got, [sched(i + 1) for i in range(30)], "shifted by one iteration")
    assert close(got[0], 0.02 * (0.001 * 0.9 + 0.1)), got[0]  # warmup starts at ~100x its start
    assert close(got[19], 0.002), "first milestone (iter 20) already applied at iter 19"
    assert ORDER_WARNING in res["stderr"]


def check_lr003_mm_hook_before_train_iter():
    res = run("lr003_mm_hook_before_train_iter", "python", "train.py", "configs/fcn_tiny_40e.py",
              "--cfg-options", "train_cfg.max_epochs=2", "train_dataloader.num_samples=80",
              "custom_hooks.0.warmup_iters=10", "default_hooks.logger.interval=5")
    sched = mm_warmup_poly(0.01, max_iters=20, warmup_iters=10)
    got = lrs(res)
    assert not close(got[0], sched(0)), f"first update used the schedule's first value {got[0]}"
    assert_curve(got, [sched(i + 1) for i in range(20)], "shifted by one iteration")
    assert got[0] > 50 * sched(0), "warmup's first value (1e-3 x lr) skipped"
    assert close(got[-1], 0.01 * 1e-4), "last update already at the poly floor"
    assert ORDER_WARNING in res["stderr"]


def check_lr003_basetrainer_before_iter_onecycle():
    import torch

    res = run("lr003_basetrainer_before_iter_onecycle", "python", "main.py", "--epochs", "2",
              "--num-samples", "640", "--batch-size", "64", "--log-every", "5", "--device", "cpu")
    n = 2 * (640 // 64)
    opt = torch.optim.AdamW([torch.zeros(1, requires_grad=True)], lr=3e-3)
    sch = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=n, pct_start=0.3,
                                              anneal_strategy="cos", div_factor=25.0,
                                              final_div_factor=1e4)
    curve = []
    for _ in range(n):
        curve.append(opt.param_groups[0]["lr"])
        opt.step()
        sch.step()
    curve.append(opt.param_groups[0]["lr"])
    got = lrs(res)
    assert close(curve[0], 3e-3 / 25)
    assert not close(got[0], curve[0]), "first update used max_lr / div_factor"
    assert_curve(got, curve[1:], "one-cycle shifted by one step")
    assert got[-1] > got[-2], "last update is past the end of the cycle (LR rises again)"
    assert ORDER_WARNING in res["stderr"]


def check_lr008_basetrainer_after_iter_multistep():
    res = run("lr008_basetrainer_after_iter_multistep", "python", "train.py", "--epochs", "2",
              "--num-samples", "400", "--batch-size", "16", "--image-size", "8", "--cpu")
    got = lrs(res)
    per_epoch = int(0.9 * 400) // 16
    assert len(got) == 2 * per_epoch == 44
    # milestones [30, 40] are epochs (of 50); stepped per batch they pass at iterations 30 and 40
    want = [0.1 * 0.1 ** bisect_right([30, 40], i) for i in range(len(got))]
    assert_curve(got, want, "milestones counted in iterations")
    assert close(got[30], 0.01) and close(got[40], 0.001)
    assert 30 // per_epoch == 1, "first decay happens in the 2nd epoch instead of the 31st"


def check_lr008_ignite_iteration_completed_cosine():
    res = run("lr008_ignite_iteration_completed_cosine", "python", "train.py", "--epochs", "3",
              "--num-samples", "256", "--batch-size", "32", "--log-every", "4")
    got = lrs(res)
    lr, eta_min, t_max = 1e-3, 1e-5, 3
    assert len(got) == 3 * 8
    want = [eta_min + (lr - eta_min) * (1 + math.cos(math.pi * i / t_max)) / 2
            for i in range(len(got))]
    assert_curve(got, want, "cosine with T_max=epochs counted in iterations")
    assert close(got[3], eta_min), "minimum LR reached after 3 iterations (of 24)"
    minima = [i for i in range(1, len(got) - 1) if got[i] < got[i - 1] and got[i] < got[i + 1]]
    assert len(minima) >= 3, f"LR oscillates: minima at {minima}"


# ---- clean cases ----------------------------------------------------------------------------

def check_clean_d2_trainer_after_step():
    res = run("clean_d2_trainer_after_step", "python", "train_net.py",
              "SOLVER.MAX_ITER", "30", "SOLVER.WARMUP_ITERS", "10", "SOLVER.STEPS", "20,25",
              "DATALOADER.NUM_SAMPLES", "128", "SOLVER.LOG_PERIOD", "10")
    sched = d2_warmup_multistep(0.02, 10, [20, 25])
    assert_curve(lrs(res), [sched(i) for i in range(30)], "warmup multistep")
    assert ORDER_WARNING not in res["stderr"]


def check_clean_basetrainer_after_epoch_multistep():
    # the shipped milestones [30, 40] (epochs of 50): two short epochs never reach them
    res = run("clean_basetrainer_after_epoch_multistep", "python", "train.py", "--epochs", "2",
              "--num-samples", "400", "--batch-size", "16", "--image-size", "8", "--cpu")
    got = lrs(res)
    assert len(got) == 44
    assert_curve(got, [0.1] * 44, "no decay within the first 2 epochs")
    # milestones in reach: the LR changes exactly at the epoch boundaries
    res = run("clean_basetrainer_after_epoch_multistep", "python", "train.py", "--epochs", "4",
              "--milestones", "2", "3", "--num-samples", "100", "--batch-size", "16",
              "--image-size", "8", "--cpu")
    got = lrs(res)
    per_epoch = int(0.9 * 100) // 16
    want = [0.1 * 0.1 ** bisect_right([2, 3], i // per_epoch) for i in range(4 * per_epoch)]
    assert_curve(got, want, "decay at epochs 2 and 3")


def check_clean_mm_hook_lr_monitor_before_iter():
    res = run("clean_mm_hook_lr_monitor_before_iter", "python", "train.py",
              "configs/fcn_tiny_40e.py", "--cfg-options", "train_cfg.max_epochs=2",
              "train_dataloader.num_samples=80", "custom_hooks.0.warmup_iters=10",
              "default_hooks.logger.interval=5")
    sched = mm_warmup_poly(0.01, max_iters=20, warmup_iters=10)
    assert_curve(lrs(res), [sched(i) for i in range(20)], "warmup poly")
    assert ORDER_WARNING not in res["stderr"]
    # the logger shows the LR that iteration 5 trained with (read in before_train_iter)
    assert f"iter: 5/20  lr: {sched(4):.4e}" in res["stdout"], res["stdout"]


def check_clean_two_subclasses_before_iter_mixup():
    res = run("clean_two_subclasses_before_iter_mixup", "python", "main.py", "--epochs", "2",
              "--num-samples", "320", "--batch-size", "32", "--warmup-steps", "5")
    total, warm = 20, 5

    def factor(step):
        if step < warm:
            return (step + 1) / warm
        progress = (step - warm) / (total - warm)
        return 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))

    assert_curve(lrs(res), [0.05 * factor(i) for i in range(total)], "supervised warmup cosine")
    assert ORDER_WARNING not in res["stderr"]
    res = run("clean_two_subclasses_before_iter_mixup", "python", "main.py", "--trainer", "mixup",
              "--epochs", "3", "--lr-step-epochs", "2", "--num-samples", "160", "--batch-size", "32")
    want = [0.05 * 0.1 ** ((i // 5) // 2) for i in range(15)]
    assert_curve(lrs(res), want, "mixup: StepLR per epoch")


def check_clean_base_before_iter_manual_warmup():
    res = run("clean_base_before_iter_manual_warmup", "python", "train.py", "--max-epoch", "4",
              "--warmup-epochs", "1", "--num-images", "40", "--batch-size", "8", "--img-size", "16")
    per_epoch, max_iters = 5, 20
    warmup = per_epoch

    def factor(it):
        if it < warmup:
            a = it / warmup
            return 0.01 * (1 - a) + a
        p = (it - warmup) / (max_iters - warmup)
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * p))

    assert_curve(lrs(res, 0), [0.01 * factor(i) for i in range(max_iters)], "backbone group")
    assert_curve(lrs(res, 1), [0.1 * factor(i) for i in range(max_iters)], "head group (10x)")
    assert close(lrs(res)[0], 0.01 * 0.01), "first update uses the warmup's start value"


CHECKS = {name[len("check_"):]: fn for name, fn in globals().items() if name.startswith("check_")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", default="", help="only cases whose name contains this")
    args = ap.parse_args()
    failed = 0
    for name, fn in CHECKS.items():
        if args.k not in name:
            continue
        try:
            fn()
        except AssertionError as e:
            failed += 1
            print(f"FAIL {name}: {e}")
        else:
            print(f"ok   {name}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
