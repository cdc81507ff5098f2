"""Check manifest.toml against the case directories (and, with --fix, recompute its line numbers).

Every case directory has one entry; every entry's `file` exists and its `line` holds `code`
(the `occurrence`-th line containing it); every `also` anchor ("FILE::CODE") resolves to the
`also_lines` entry ("FILE:LINE") at the same index; labels come from the known set; every case
has a check in checks.py. Exit status 1 on any mismatch.

Usage: python check_manifest.py [--fix]
"""
import json
import os
import re
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MANIFEST = os.path.join(ROOT, "manifest.toml")

LABELS = {f"LR{n:03d}" for n in (1, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18)} | {
    "FW-lightning-interval", "FW-lightning-interval-toplevel", "FW-lightning-interval-reverse",
    "FW-lightning-monitor-mode", "FW-lightning-manual-unstepped", "FW-lightning-double-step",
    "FW-hf-constant-warmup", "FW-hf-warmup-gt-max", "FW-hf-trainer-sizing", "FW-hf-warmup-ratio-as-steps",
    "FW-accelerate-sizing", "FW-accelerate-accumulation", "FW-timm-t_in_epochs", "FW-timm-warmup-units",
    "FW-timm-plateau-mode", "FW-timm-step-no-epoch",
}


def locate(case, path, code, occurrence=1):
    """1-based line of the `occurrence`-th line of case/path containing `code`, or None."""
    with open(os.path.join(ROOT, case, path), encoding="utf-8") as f:
        hits = [i for i, text in enumerate(f.read().splitlines(), 1) if code in text]
    return hits[occurrence - 1] if len(hits) >= occurrence else None


def main():
    fix = "--fix" in sys.argv
    with open(MANIFEST, "rb") as f:
        cases = tomllib.load(f)["case"]
    sys.path.insert(0, HERE)
    from checks import SPECS

    problems, fixes = [], {}
    dirs = {d for d in os.listdir(ROOT) if os.path.isdir(os.path.join(ROOT, d)) and not d.startswith("_")}
    names = [c["name"] for c in cases]
    for missing in sorted(dirs - set(names)):
        problems.append(f"{missing}: directory without a manifest entry")
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{dup}: more than one entry")
    for c in cases:
        name = c["name"]
        if name not in dirs:
            problems.append(f"{name}: no such directory")
            continue
        label = c["label"] if c["label"] != "clean" else c.get("lookalike_of")
        if label not in LABELS:
            problems.append(f"{name}: unknown label {label!r}")
        if c["verified"] not in ("run", "read") or (c["verified"] == "read" and not c.get("why_not_run")):
            problems.append(f"{name}: verified must be 'run', or 'read' with why_not_run")
        if c["verified"] == "run" and name not in SPECS:
            problems.append(f"{name}: verified = 'run' but checks.py has no check")
        line = locate(name, c["file"], c["code"], c.get("occurrence", 1))
        if line is None:
            problems.append(f"{name}: {c['file']} has no line containing {c['code']!r}")
        elif line != c["line"]:
            fixes[(name, "line")] = line
            problems.append(f"{name}: code is on line {line}, manifest says {c['line']}")
        also_lines = []
        for anchor in c.get("also", []):
            path, _, code = anchor.partition("::")
            found = locate(name, path, code)
            if found is None:
                problems.append(f"{name}: also anchor {anchor!r} not found")
            also_lines.append(f"{path}:{found}")
        if also_lines != c.get("also_lines", []):
            fixes[(name, "also_lines")] = also_lines
            problems.append(f"{name}: also_lines should be {also_lines}")

    if fix and fixes:
        text = open(MANIFEST, encoding="utf-8").read()
        blocks = text.split("\n[[case]]\n")
        for i, block in enumerate(blocks):
            m = re.search(r'^name = "([^"]+)"$', block, re.M)
            if not m:
                continue
            name = m.group(1)
            if (name, "line") in fixes:
                block = re.sub(r"^line = \d+$", f"line = {fixes[name, 'line']}", block, flags=re.M)
            if (name, "also_lines") in fixes:
                block = re.sub(r"^also_lines = .*$", "also_lines = " + json.dumps(fixes[name, "also_lines"]),
                               block, flags=re.M)
            blocks[i] = block
        open(MANIFEST, "w", encoding="utf-8").write("\n[[case]]\n".join(blocks))
        print(f"fixed {len(fixes)} fields; run again to check")
        return 0
    for p in problems:
        print(p)
    bugs = [c for c in cases if c["label"] != "clean"]
    print(f"{len(cases)} cases: {len(bugs)} bugs ({sum(c['spans_files'] for c in bugs)} spanning files, "
          f"{sum(c['label'].startswith('FW-') for c in bugs)} framework), {len(cases) - len(bugs)} clean; "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
