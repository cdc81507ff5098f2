"""How fast lrlint lints a large real tree, next to Ruff on the same tree in the same run.

    python benchmarks/lint_speed.py [TREE] [--repeat N]
    python benchmarks/lint_speed.py --corpus [DIR] [--materialise] [--repeat N]

``--corpus`` measures the project stages (lrlint.project) on a corpus of real training
repositories (CORPUS below: repository and pinned commit), materialised from snapshots under
/work/.mirror (``fetch`` them first) into DIR (default /work/speed-corpus; never inside this
repository): files passing each stage (bytes -> ast index -> relevant -> libcst), the plan's
cold and warm wall/CPU/peak memory next to ``ruff check --no-cache --isolated`` (default rules),
and the libcst time relevance saves (the dropped files parsed once to measure it). It also checks
that every file lrlint reports a finding in today is planned for the model.

TREE defaults to the installed torch package's source (~2,300 files, ~1.2 million lines). Prints:
wall time, files/s and peak memory for lrlint with one process and with all cores, for
``ruff check --no-cache`` (default rules) when Ruff is installed, how many files the prefilter
let through to the parser, where the time of the parsed files goes (decode, libcst parse,
model, rules), and the wall time of a one-file run as pre-commit does it (interpreter start
included).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def default_tree() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("torch")  # locate only: torch is never imported
    if spec is None or spec.origin is None:
        sys.exit("torch is not installed; pass a TREE to lint")
    return Path(spec.origin).parent


def timed(command: list[str], repeat: int) -> tuple[float, float, int]:
    """Median and best wall time over ``repeat`` runs, and the peak RSS (KiB) of the command."""
    times = []
    peak = 0
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            sys.exit(f"{command[0]} failed: {done.stderr.decode()[-500:]}")
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    return statistics.median(times), min(times), peak


def breakdown(tree: Path) -> None:
    """Time each stage for the files the prefilter lets through (in this process)."""
    import libcst

    from lrlint.analysis.model import ModuleModel
    from lrlint.checks import all_rules
    from lrlint.checks.base import RuleContext
    from lrlint.discovery import discover
    from lrlint.engine import rules_for
    from lrlint.source import decode

    rules = [rule() for rule in all_rules()]
    files, _ = discover([tree])
    stages = dict.fromkeys(("read+prefilter", "decode", "parse", "model", "rules"), 0.0)
    parsed = lines = 0
    for path in files:
        start = time.perf_counter()
        data = path.read_bytes()
        active = rules_for(data, rules)
        stages["read+prefilter"] += time.perf_counter() - start
        if not active:
            continue
        parsed += 1
        start = time.perf_counter()
        source = decode(data)
        lines += source.text.count("\n")
        stages["decode"] += (mid := time.perf_counter()) - start
        module = libcst.parse_module(source.text)
        stages["parse"] += (mid2 := time.perf_counter()) - mid
        model = ModuleModel(module)
        stages["model"] += (mid3 := time.perf_counter()) - mid2
        context = RuleContext(model, source)
        for rule in active:
            context.rule = rule
            rule.check(context)
        stages["rules"] += time.perf_counter() - mid3
    print(f"\nprefilter: {parsed} of {len(files)} files parsed ({lines:,} lines); "
          f"{len(files) - parsed} never decoded or parsed")
    total = sum(stages.values())
    for stage, seconds in stages.items():
        print(f"  {stage:<15} {seconds:7.3f} s  {100 * seconds / total:5.1f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tree", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", action="store_true", help="measure the project stages on a corpus")
    parser.add_argument("--materialise", action="store_true", help="write the corpus from /work/.mirror")
    args = parser.parse_args()
    if args.corpus:
        from corpus_speed import run_corpus  # benchmarks/corpus_speed.py

        run_corpus(args.tree or Path("/work/speed-corpus"), args.repeat, args.materialise)
        return
    tree = args.tree or default_tree()
    files = sum(1 for _ in tree.rglob("*.py"))
    lines = sum(p.read_bytes().count(b"\n") for p in tree.rglob("*.py"))
    cores = os.cpu_count() or 1
    print(f"tree: {tree}\n      {files:,} .py files, {lines:,} lines; {cores} cores; Python {sys.version.split()[0]}")
    lrlint = [sys.executable, "-m", "lrlint", "check", str(tree), "--exit-zero", "-q"]
    rows = [
        ("lrlint, 1 process", lrlint + ["--jobs", "1"]),
        (f"lrlint, {cores} processes", lrlint + ["--jobs", str(cores)]),
    ]
    ruff = shutil.which("ruff")
    if ruff:
        rows.append(("ruff check --no-cache", [ruff, "check", "--no-cache", "--exit-zero", "-q", str(tree)]))
    else:
        print("(ruff not installed: `pip install ruff` to compare)")
    print(f"\n{'':28}{'median':>9}{'best':>9}{'files/s':>10}{'peak RSS':>11}")
    for label, command in rows:
        median, best, peak = timed(command, args.repeat)
        print(f"{label:<28}{median:8.3f}s{best:8.3f}s{files / median:10,.0f}{peak / 1024:9.0f} MB")

    # One file, the way pre-commit runs it: a fresh interpreter per invocation.
    sample = Path(__file__).resolve().parent.parent / "fixtures" / "image_classification_amp.py"
    median, best, _ = timed([sys.executable, "-m", "lrlint", "check", str(sample), "--exit-zero", "-q"],
                            args.repeat * 2)
    print(f"{'lrlint, one file':<28}{median:8.3f}s{best:8.3f}s   (interpreter start included)")
    median, best, _ = timed([sys.executable, "-m", "lrlint", "--version"], args.repeat * 2)
    print(f"{'lrlint --version':<28}{median:8.3f}s{best:8.3f}s")
    breakdown(tree)


if __name__ == "__main__":
    main()
