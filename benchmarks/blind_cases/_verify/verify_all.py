"""Run every blind case on CPU with tiny data and check the LR the optimizer really used.

Usage: python verify_all.py [-k SUBSTRING] [-v] [-j JOBS]

Each case is run in a subprocess by record.py (a fresh interpreter, so the cases' module
names do not collide), from a fresh temporary directory shared by that case's runs (a resume
case runs twice). Each check asserts the symptom of the bug, or that a clean case follows the
schedule its author intended, and returns a one-line summary.
"""
import argparse
import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

from checks import SPECS

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.dirname(HERE)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_case(name, verbose=False):
    """Run one case's runs in a fresh directory and apply its check: (status, seconds, summary)."""
    spec = SPECS[name]
    start = time.time()
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        try:
            for entry, argv, env in spec.runs:
                results.append(run_once(name, entry, argv, workdir, env))
            return "ok", time.time() - start, spec.check(*results)
        except Exception as exc:  # report and go on with the other cases
            if verbose and results:
                print(json.dumps(results[-1])[:4000])
            return "FAIL", time.time() - start, f"{type(exc).__name__}: {exc}"


def run_once(case, entry, argv, workdir, env_extra=None):
    env_extra = dict(env_extra or {})
    launcher = [sys.executable]
    nproc = env_extra.pop("NPROC", None)
    if nproc:  # a multi-process CPU run (gloo), as `torchrun --nproc_per_node N` would start it
        launcher = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", nproc,
                    "--master_port", str(free_port())]
    cmd = [*launcher, os.path.join(HERE, "record.py"), os.path.join(CASES, case), entry, workdir, *argv]
    env = dict(os.environ, PYTHONWARNINGS="ignore", TOKENIZERS_PARALLELISM="false",
               HF_HUB_OFFLINE="1", PYTHONHASHSEED="0")
    env.update(env_extra)
    result_file = os.path.join(workdir, ".record-rank0.json")
    if os.path.exists(result_file):
        os.remove(result_file)  # left by the case's previous run
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    if not os.path.exists(result_file):
        raise RuntimeError(f"no result from {case}/{entry}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    with open(result_file) as f:
        return json.load(f)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-k", default="")
    parser.add_argument("-v", action="store_true")
    parser.add_argument("-j", type=int, default=1, help="cases run at once")
    args = parser.parse_args()
    failures = 0
    names = sorted(name for name in SPECS if args.k in name)
    missing = sorted(d for d in os.listdir(CASES)
                     if os.path.isdir(os.path.join(CASES, d)) and not d.startswith("_") and d not in SPECS)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.j) as pool:
        futures = {name: pool.submit(run_case, name, args.v) for name in names}
        for name in names:
            status, seconds, summary = futures[name].result()
            failures += status != "ok"
            print(f"{status:4} {name:48} {seconds:5.1f}s  {summary}", flush=True)
    if missing and not args.k:
        print("cases without a check:", ", ".join(missing))
        failures += len(missing)
    print(f"{len(names) - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
