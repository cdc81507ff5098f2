"""Wall time and peak memory of ``lrlint explain FILE --steps N``, each run in a fresh process.

    python benchmarks/explain_speed.py [--steps N ...] [--format text|json]

Prints one line per (input, N): seconds, peak RSS in MiB, and how many points the JSON curve
kept. The inputs cover a closed-form schedule (StepLR: ``Schedule.values`` fast path), a
cosine (fast path, a new value every step) and a SequentialLR (stepped one row at a time).
Compare against another checkout by running this script with its ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

INPUTS = Path(__file__).parent.parent / "tests" / "explain_inputs"
CASES = ["step_lr_per_epoch.py", "sequential_warmup_cosine.py", "cosine_per_step.py"]
COSINE = """\
import torch
from torch.optim.lr_scheduler import CosineAnnealingLR
optimizer = torch.optim.SGD([], lr=0.1)
scheduler = CosineAnnealingLR(optimizer, T_max=1000)
"""

_CHILD = """\
import io, json, resource, sys, time
from lrlint.cli import main
sys.stdout = io.StringIO()
start = time.perf_counter()
code = main(sys.argv[1:])
seconds = time.perf_counter() - start
output = sys.stdout.getvalue()
points = None
if "--output-format" in sys.argv:
    document = json.loads(output)
    points = sum(len(p["curve"]["step"]) for p in document["pairs"] if p["curve"])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
sys.__stdout__.write(json.dumps({"code": code, "seconds": seconds, "mib": peak,
                                 "points": points}))
"""


def measure(path: Path, steps: int, output_format: str) -> dict:
    command = [sys.executable, "-c", _CHILD, "explain", str(path), "--steps", str(steps)]
    if output_format == "json":
        command += ["--output-format", "json"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--format", choices=("text", "json"), default="json")
    parser.add_argument("--cases", nargs="+", default=CASES)
    args = parser.parse_args()
    cosine = Path("/tmp") / "lrlint_bench_cosine_per_step.py"
    cosine.write_text(COSINE)
    print(f"{'input':<32} {'steps':>13} {'seconds':>9} {'peak MiB':>9} {'points':>7}")
    for case in args.cases:
        path = cosine if case == "cosine_per_step.py" else INPUTS / case
        for steps in args.steps:
            row = measure(path, steps, args.format)
            points = "" if row["points"] is None else f"{row['points']:,}"
            print(f"{case:<32} {steps:>13,} {row['seconds']:>9.2f} {row['mib']:>9.0f} "
                  f"{points:>7}", flush=True)


if __name__ == "__main__":
    main()
