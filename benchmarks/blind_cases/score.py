"""Score lrlint on the blind cases (see README.md, "Scoring the set").

    python benchmarks/blind_cases/score.py            # every case
    python benchmarks/blind_cases/score.py --only lr003 --json
    python benchmarks/blind_cases/score.py --cases benchmarks/blind_cases_2   # another set

Each case directory is linted as one project (``lrlint.lint_paths``, in this process). A bug
case is found when a finding sits at its ``file:line`` or one of ``also_lines`` (whatever its
code). A clean case is a false alarm when a finding sits at its look-alike line, or anywhere in
the case with a code not in ``tolerated``. Extra findings in bug cases (not at the bug, code not
tolerated) are listed for a human to judge.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import tomllib

HERE = Path(__file__).resolve().parent


def lint_case(directory: Path) -> list[tuple[str, int, str, str]]:
    """(relative file, line, code, message) of every finding in one case.

    The case is linted as the checkout it stands for: a copy in a scratch directory whose root
    holds a ``.git`` marker. In place, its project would be this repository (the nearest root
    marker above it), and lrlint's project-wide searches would read lrlint's own files."""
    from lrlint import lint_paths

    found = []
    with tempfile.TemporaryDirectory() as scratch:
        checkout = Path(scratch) / directory.name
        shutil.copytree(directory, checkout)
        (checkout / ".git").mkdir()
        for d in lint_paths([str(checkout)], jobs=1).diagnostics:
            if d.code is None:
                continue
            found.append((Path(d.path).resolve().relative_to(checkout.resolve()).as_posix(),
                          d.start.line, d.code, d.message))
    return found


def anchors(case: dict) -> set[tuple[str, int]]:
    places = {(case["file"], case["line"])}
    for extra in case.get("also_lines", []):
        file, _, line = extra.rpartition(":")
        places.add((file, int(line)))
    return places


def score(cases: list[dict], root: Path = HERE) -> dict:
    found_by_label: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    false_alarms, extras, misses = [], [], []
    started = time.perf_counter()
    for case in cases:
        findings = lint_case(root / case["name"])
        places = anchors(case)
        tolerated = set(case.get("tolerated", []))
        at_anchor = [f for f in findings if (f[0], f[1]) in places]
        if case["label"] != "clean":
            tally = found_by_label[case["label"]]
            tally[1] += 1
            if at_anchor:
                tally[0] += 1
            else:
                misses.append(case["name"])
            extras += [(case["name"], f) for f in findings
                       if (f[0], f[1]) not in places and f[2] not in tolerated]
        else:
            wrong = at_anchor + [f for f in findings if f not in at_anchor and f[2] not in tolerated]
            false_alarms += [(case["name"], f) for f in wrong]
    bugs = sum(t[1] for t in found_by_label.values())
    found = sum(t[0] for t in found_by_label.values())
    return {
        "cases": len(cases), "bugs": bugs, "found": found,
        "clean": sum(1 for c in cases if c["label"] == "clean"),
        "false_alarms": false_alarms, "extras": extras, "misses": misses,
        "by_label": {label: tuple(t) for label, t in sorted(found_by_label.items())},
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="cases whose name contains TEXT (repeatable)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--cases", type=Path, default=HERE,
                        help="a directory of cases with its manifest.toml (default: this one)")
    args = parser.parse_args()
    cases = tomllib.loads((args.cases / "manifest.toml").read_text())["case"]
    if args.only:
        cases = [c for c in cases if any(text in c["name"] for text in args.only)]
    result = score(cases, args.cases)
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        print()
        return
    print(f"cases {result['cases']}: {result['bugs']} bugs, {result['clean']} clean "
          f"({result['seconds']} s)")
    print(f"recall       {result['found']}/{result['bugs']}")
    alarms = {name for name, _ in result["false_alarms"]}
    print(f"false alarms {len(result['false_alarms'])} findings on {len(alarms)} of "
          f"{result['clean']} clean cases")
    print("\nlabel                            found")
    for label, (hit, total) in result["by_label"].items():
        print(f"  {label:<31}{hit}/{total}")
    for title, rows in (("false alarms", result["false_alarms"]), ("extra findings in bug cases",
                                                                   result["extras"])):
        if rows:
            print(f"\n{title}:")
            for name, (file, line, code, message) in rows:
                print(f"  {name} {file}:{line} {code}: {message[:150]}")
    if result["misses"]:
        print("\nmissed: " + ", ".join(result["misses"]))


if __name__ == "__main__":
    main()
