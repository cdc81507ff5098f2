"""One check per case: run it on CPU with tiny sizes and assert the LR effect (bug) or the
intended curve (clean). Run all:  python _verify/checks.py   some:  python _verify/checks.py -k NAME
"""
import argparse
import math
import os
import re
import sys
from bisect import bisect_right

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from record import record  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKS = {}


def check(fn):
    CHECKS[fn.__name__] = fn
    return fn


def run(case, *cmd):
    res = record(os.path.join(ROOT, case), ["python", *cmd])
    assert res["rc"] == 0, f"{case} exited with {res['rc']}:\n{res['stderr'][-3000:]}"
    assert res["steps"], f"{case}: no optimizer.step() recorded"
    return res


def close(a, b, rel=1e-9):
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-15)


def lr0(res):
    return [s[0] for s in res["steps"]]


@check
def lr018_solver_build_unstepped():
    # 5 epochs x 4 iters; MultiStepLR(milestones=(1, 3)) is built but never stepped.
    res = run("lr018_solver_build_unstepped", "train_net.py", "SOLVER.MAX_EPOCHS", "5",
              "SOLVER.STEPS", "(1, 3)", "DATALOADER.NUM_SAMPLES", "256")
    lrs = lr0(res)
    assert len(lrs) == 20
    intended = [0.02 * 0.1 ** bisect_right([1, 3], k // 4) for k in range(20)]
    assert all(close(x, 0.02) for x in lrs), lrs          # bug: constant base LR
    assert not all(close(a, b) for a, b in zip(lrs, intended))


@check
def lr018_optim_factory_unstepped():
    # 3 epochs x 4 iters, warmup 1 epoch: LambdaLR sets lr = lr * 1/4 at construction, never stepped.
    res = run("lr018_optim_factory_unstepped", "main.py", "--epochs", "3", "--warmup-epochs", "1",
              "--num-samples", "256", "--output-dir", "out")
    lrs = lr0(res)
    assert len(lrs) == 12
    assert all(close(x, 5e-4 / 4) for x in lrs), lrs       # stuck at the first warmup value
    assert max(lrs) < 5e-4                                  # the peak LR is never reached


@check
def clean_lr018_trainer_steps():
    res = run("clean_lr018_trainer_steps", "tools/train.py", "--max-iter", "12", "--steps", "6", "9",
              "--warmup-iters", "3", "--num-images", "128", "--log-period", "4")
    lrs = lr0(res)
    assert len(lrs) == 12

    def expected(k):
        w = 1.0
        if k < 3:
            a = k / 3
            w = (1 / 3) * (1 - a) + a
        return 0.02 * w * 0.1 ** bisect_right([6, 9], k)
    assert all(close(x, expected(k)) for k, x in enumerate(lrs)), lrs


@check
def clean_lr018_hook_steps():
    res = run("clean_lr018_hook_steps", "run.py", "configs/cifar_convnet.py", "--cfg-options",
              "total_epochs=4", "data.num_train=64", "data.samples_per_gpu=32", "data.image_size=8")
    lrs = lr0(res)
    assert len(lrs) == 8
    for k, x in enumerate(lrs):
        e = k // 2
        exp = 1e-4 + (0.1 - 1e-4) * (1 + math.cos(math.pi * e / 4)) / 2
        assert close(x, exp, 1e-6), (k, x, exp)


@check
def lr008_multistep_milestones_per_batch():
    # Default milestones [30, 60, 80] (epochs); 100 batches per epoch, 2 epochs.
    res = run("lr008_multistep_milestones_per_batch", "main.py", "--epochs", "2", "-b", "2",
              "--dummy-size", "200", "--image-size", "8", "--num-classes", "10", "-p", "1000")
    lrs = lr0(res)
    assert len(lrs) == 200
    for k, x in enumerate(lrs):
        assert close(x, 0.1 * 0.1 ** bisect_right([30, 60, 80], k)), (k, x)
    # all three "epoch" milestones passed inside epoch 0: LR is 1e-4 for the rest of training
    assert close(lrs[99], 1e-4) and all(close(x, 1e-4) for x in lrs[100:])


@check
def lr008_steplr_cfg_per_batch():
    # Default lr_step=30 (epochs), gamma 0.5; 80 batches per epoch, 2 epochs.
    res = run("lr008_steplr_cfg_per_batch", "run.py", "--set", "train.epochs=2", "data.num_windows=320",
              "data.num_series=8", "data.batch_size=4")
    lrs = lr0(res)
    assert len(lrs) == 160
    for k, x in enumerate(lrs):
        assert close(x, 1e-3 * 0.5 ** (k // 30)), (k, x)
    assert close(lrs[79], 1e-3 / 4)    # halved twice within the first epoch (intended: after 30 epochs)


@check
def clean_lr008_iter_milestones():
    res = run("clean_lr008_iter_milestones", "train.py", "--n-train", "40", "--n-val", "16", "--batch-size", "4",
              "--max-iter", "25", "--lr-steps", "12", "20", "--log-interval", "5", "--eval-interval", "1000")
    lrs = lr0(res)
    assert len(lrs) == 25                      # stops at max_iter, across 3 epochs of 10 batches
    for k, x in enumerate(lrs):
        assert close(x, 0.05 * 0.1 ** bisect_right([12, 20], k)), (k, x)


@check
def clean_lr008_epoch_milestones():
    res = run("clean_lr008_epoch_milestones", "fit.py", "--epochs", "5", "--milestones", "2", "4",
              "--train-size", "64", "--batch-size", "16", "--vocab-size", "500")
    lrs = lr0(res)
    assert len(lrs) == 20
    for k, x in enumerate(lrs):
        assert close(x, 0.2 * 0.2 ** bisect_right([2, 4], k // 4)), (k, x)


LOG_LR = re.compile(r"iter:\s*([\d,]+), lr:\(?([0-9.e+-]+)\)?")


@check
def subproj_lr012_restoration_get_lr():
    res = run("subproj_lr012_restoration_get_lr", "projects/restoration/train.py", "--total-iters", "12",
              "--milestones", "4", "8", "--print-freq", "4", "--num-patches", "32", "--batch-size", "4",
              "--patch-size", "8", "--nb", "3")
    lrs = lr0(res)
    assert len(lrs) == 12
    for k, x in enumerate(lrs):
        assert close(x, 1e-4 * 0.5 ** bisect_right([4, 8], k)), (k, x)
    logged = {int(i.replace(",", "")): float(v) for i, v in LOG_LR.findall(res["stdout"] + res["stderr"])}
    assert sorted(logged) == [4, 8, 12], logged
    for it in (4, 8):                          # at a milestone, get_lr() applies gamma a second time
        actual_next = lrs[it]                   # LR of the next optimizer.step()
        assert not close(logged[it], actual_next, 1e-3), (it, logged[it], actual_next)
        assert close(logged[it], actual_next * 0.5, 1e-3), (it, logged[it], actual_next)
    assert "get_last_lr" in res["stderr"]      # torch's warning about get_lr() outside step()


@check
def subproj_lr003_seg_before_iter():
    res = run("subproj_lr003_seg_before_iter", "projects/segmentation/train.py", "--max-iters", "6",
              "--crop-size", "16", "--num-images", "8", "--batch-size", "2", "--log-period", "2")
    steps = res["steps"]
    assert len(steps) == 6
    for k, (g0, g1) in enumerate(steps):
        f = (1 - (k + 1) / 6) ** 0.9            # shifted by one: update k uses poly(k + 1)
        assert close(g0, 0.01 * f) and close(g1, 0.1 * f), (k, g0, g1)
    assert steps[0][0] < 0.01                  # the base LR is never used
    assert steps[-1][0] == 0.0                 # the last update is wasted with LR 0
    assert "before `optimizer.step()`" in res["stderr"]


@check
def clean_subproj_lr012_superres():
    res = run("clean_subproj_lr012_superres", "projects/superres/train.py", "--total-iter", "12",
              "--milestones", "4", "8", "--print-freq", "4", "--num-patches", "16", "--batch-size", "4",
              "--gt-size", "16", "--save-freq", "100", "--num-block", "1")
    lrs = lr0(res)
    assert len(lrs) == 12
    for k, x in enumerate(lrs):
        assert close(x, 2e-4 * 0.5 ** bisect_right([4, 8], k)), (k, x)
    logged = {int(i.replace(",", "")): float(v) for i, v in LOG_LR.findall(res["stdout"] + res["stderr"])}
    assert sorted(logged) == [4, 8, 12], logged
    for it in (4, 8):
        assert close(logged[it], lrs[it], 1e-3), (it, logged[it], lrs[it])   # = LR of the next update
    assert "get_last_lr" not in res["stderr"]


@check
def clean_subproj_lr003_det_hooks():
    res = run("clean_subproj_lr003_det_hooks", "projects/detection/train.py", "--max-iter", "10",
              "--warmup-iters", "4", "--warmup-factor", "0.1", "--num-rois", "64", "--rois-per-batch", "8",
              "--feat-dim", "16", "--num-classes", "5", "--log-period", "2")
    lrs = lr0(res)
    assert len(lrs) == 10

    def f(it):
        if it < 4:
            a = it / 4
            return 0.1 * (1 - a) + a
        return 0.5 * (1 + math.cos(math.pi * (it - 4) / 6))
    for k, x in enumerate(lrs):
        assert close(x, 0.02 * f(k)), (k, x)
    assert "before `optimizer.step()`" not in res["stderr"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", action="append", default=[], help="run checks whose name contains this")
    args = ap.parse_args()
    names = [n for n in CHECKS if not args.k or any(k in n for k in args.k)]
    failed = []
    for n in names:
        try:
            CHECKS[n]()
            print(f"PASS {n}", flush=True)
        except Exception as e:  # noqa: BLE001
            failed.append(n)
            print(f"FAIL {n}: {type(e).__name__}: {str(e)[:2000]}", flush=True)
    print(f"{len(names) - len(failed)}/{len(names)} passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
