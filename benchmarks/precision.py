"""Precision on real code: lint the source of real projects and list every finding for review.

    python benchmarks/precision.py NAME=PATH [NAME=PATH ...] [--out findings.md]

Without arguments it lints the installed ``torch`` package. To reproduce the table in the notes,
fetch the projects' sources without installing them (no dependencies needed)::

    pip download --no-deps --only-binary=:all: -d wheels transformers lightning timm accelerate diffusers
    pip download --no-deps -d wheels fairseq==0.12.2
    (unzip each wheel / untar the sdist into src/NAME)
    python benchmarks/precision.py transformers=src/transformers timm=src/timm ...

Prints a table of findings per project and rule (plus files, files parsed and seconds) and writes
every finding with five lines of context to ``--out`` (Markdown), which is what a reviewer reads to
decide true or false positive. Verdicts from such a review are kept in
``benchmarks/precision_verdicts.md``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("projects", nargs="*", metavar="NAME=PATH")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/precision-findings.md"))
    args = parser.parse_args()

    from lrlint import lint_paths
    from lrlint.checks import all_rules

    projects = [p.split("=", 1) for p in args.projects] or [["torch", _torch_path()]]
    codes = [rule.code for rule in all_rules()]
    counts: dict[str, Counter] = {}
    details: list[str] = []
    summary: list[tuple[str, int, int, float]] = []
    for name, path in projects:
        start = time.perf_counter()
        result = lint_paths([path])
        seconds = time.perf_counter() - start
        files = len(list(Path(path).rglob("*.py")))
        parsed = sum(r.parsed for r in result.results)
        summary.append((name, files, parsed, seconds))
        counts[name] = Counter(d.code or d.name for d in result.diagnostics)
        for d in result.diagnostics:
            details.append(_detail(name, path, d))

    width = max(len(name) for name, _ in projects)
    print(f"{'project':<{width}}  {'files':>6} {'parsed':>6} {'sec':>6}  " + " ".join(c[2:] for c in codes) + "  other")
    for (name, files, parsed, seconds) in summary:
        row = " ".join(f"{counts[name].get(code, 0):>3}" for code in codes)
        other = sum(v for k, v in counts[name].items() if k not in codes)
        print(f"{name:<{width}}  {files:>6} {parsed:>6} {seconds:>6.2f}  {row}  {other:>5}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("# lrlint findings for review\n\n" + "\n".join(details), encoding="utf-8")
    print(f"\n{len(details)} findings with context written to {args.out}")


def _detail(project: str, root: str, diagnostic) -> str:
    path = Path(diagnostic.path)
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    first = max(diagnostic.start.line - 3, 1)
    context = "\n".join(f"{n:5} {lines[n - 1]}" for n in range(first, min(first + 6, len(lines) + 1)))
    rel = path.relative_to(root) if path.is_relative_to(root) else path
    return (f"## {project}: {rel}:{diagnostic.start.line} {diagnostic.code or diagnostic.name}\n\n"
            f"{diagnostic.message}\n\n```python\n{context}\n```\n")


def _torch_path() -> str:
    import importlib.util

    spec = importlib.util.find_spec("torch")
    if spec is None or spec.origin is None:
        sys.exit("torch is not installed; name projects as NAME=PATH")
    return str(Path(spec.origin).parent)


if __name__ == "__main__":
    main()
