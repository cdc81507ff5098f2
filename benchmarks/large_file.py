"""How lrlint's cost grows with one file's size: a one-file run on generated files of 10k and
50k lines, next to Ruff (default rules) on the same file.

    python benchmarks/large_file.py [--lines 10000 50000] [--repeat N]

Two shapes per size:

* **loops**: nothing but training functions (optimizer, scheduler, loop; 8 lines each), one in
  a hundred stepping the scheduler before the optimizer (LR003);
* **plain**: ordinary numeric code with one training loop (one LR003) in the middle.

Prints wall time (median of ``--repeat``), peak memory and the findings count per run; the
goal is a cost linear in size (a 50k-line file under 5 s and 300 MB).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LOOP = """\
def train_{i}(model, loader):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30)
    for batch in loader:
        model(batch).backward()
        {first}.step()
        {second}.step()

"""
PLAIN = """\
def helper_{i}(values, scale=2.0):
    total = 0.0
    for value in values:
        total += value * scale
    return total / max(len(values), 1)

"""


def loops_file(lines: int) -> tuple[str, int]:
    parts, bugs = ["import torch\n\n\n"], 0
    for i in range(lines // 8):
        bug = i % 100 == 0
        bugs += bug
        parts.append(LOOP.format(i=i, first="scheduler" if bug else "optimizer",
                                 second="optimizer" if bug else "scheduler"))
    return "".join(parts), bugs


def plain_file(lines: int) -> tuple[str, int]:
    count = lines // 6
    parts = ["import torch\n\n\n"]
    for i in range(count):
        parts.append(PLAIN.format(i=i))
        if i == count // 2:
            parts.append(LOOP.format(i="main", first="scheduler", second="optimizer"))
    return "".join(parts), 1


def measure(command: list[str], repeat: int) -> tuple[float, float, str]:
    """Median wall seconds, peak RSS (MB, as the child printed it) and the last output."""
    times, peak, out = [], 0.0, ""
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            sys.exit(f"{command[0]} failed: {done.stderr[-500:]}")
        out = done.stdout
        for line in done.stderr.splitlines():
            if line.startswith("peak MB "):
                peak = max(peak, float(line.split()[-1]))
    return statistics.median(times), peak, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ruff = shutil.which("ruff")
    print(f"{'file':<14}{'lines':>8}  {'lrlint s':>9}{'MB':>7}{'found/bugs':>12}"
          f"{'ruff s':>9}")
    with tempfile.TemporaryDirectory() as directory:
        for lines in args.lines:
            for shape, make in (("loops", loops_file), ("plain", plain_file)):
                text, bugs = make(lines)
                path = Path(directory) / f"{shape}_{lines}.py"
                path.write_text(text)
                # Each run in a fresh interpreter, which reports its own peak memory.
                seconds, peak, out = measure(
                    [sys.executable, "-c", _ONE_RUN, str(path)], args.repeat)
                found = out.count("LR003")
                ruff_seconds = (measure([ruff, "check", "--no-cache", "--isolated", "--exit-zero",
                                         str(path)], args.repeat)[0] if ruff else float("nan"))
                print(f"{shape:<14}{text.count(chr(10)):>8}  {seconds:>9.2f}{peak:>7.0f}"
                      f"{f'{found}/{bugs}':>12}{ruff_seconds:>9.2f}")


# One run in a child: the CLI's own path (no cache), and its peak memory printed last.
_ONE_RUN = """
import resource, sys
from lrlint.cli import main
try:
    main([sys.argv[1], "--no-cache", "--output-format", "concise", "--select", "LR003"])
except SystemExit:
    pass
sys.stdout.flush()
print("peak MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr)
"""


if __name__ == "__main__":
    main()
