"""Check manifest.toml against the case directories.

    python _verify/check_manifest.py         # report problems, exit 1 if any
    python _verify/check_manifest.py --fix   # rewrite `line` and `also_lines` from `code` / `also`

Checks: every case directory has exactly one entry and every entry a directory; `file` exists and
its `line` holds `code` (the occurrence-th line containing it); every `also` anchor "FILE::CODE"
resolves to a line and `also_lines` lists exactly those "FILE:LINE"; bug entries have `effect`,
clean ones `why_clean` and `lookalike_of`; every `verified = "run"` case has a check in checks.py.
"""
import argparse
import os
import re
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MANIFEST = os.path.join(ROOT, "manifest.toml")
REQUIRED = ("name", "label", "spans_files", "file", "line", "code", "occurrence", "also",
            "also_lines", "tolerated", "verified")


def find_line(case, rel, code, occurrence=1):
    path = os.path.join(ROOT, case, rel)
    if not os.path.isfile(path):
        return None, f"{case}: no file {rel}"
    with open(path) as f:
        hits = [i for i, text in enumerate(f.read().splitlines(), 1) if code in text]
    if len(hits) < occurrence:
        return None, f"{case}: {rel} has {len(hits)} line(s) containing {code!r}, need #{occurrence}"
    return hits[occurrence - 1], None


def resolve_also(case, anchor):
    if "::" not in anchor:
        return None, f"{case}: also anchor {anchor!r} is not FILE::CODE"
    rel, code = anchor.split("::", 1)
    line, err = find_line(case, rel, code)
    return (f"{rel}:{line}" if line else None), err


def check(entries):
    sys.path.insert(0, HERE)
    import checks  # noqa: E402

    problems = []
    names = [e.get("name") for e in entries]
    dirs = sorted(d for d in os.listdir(ROOT)
                  if os.path.isdir(os.path.join(ROOT, d)) and not d.startswith(("_", ".")))
    for d in dirs:
        if names.count(d) != 1:
            problems.append(f"directory {d}: {names.count(d)} manifest entries")
    for e in entries:
        name = e.get("name", "?")
        missing = [k for k in REQUIRED if k not in e]
        if missing:
            problems.append(f"{name}: missing fields {missing}")
            continue
        if name not in dirs:
            problems.append(f"{name}: no such directory")
            continue
        if e["label"] == "clean":
            if not e.get("why_clean") or not e.get("lookalike_of"):
                problems.append(f"{name}: clean entry needs why_clean and lookalike_of")
        elif not e.get("effect"):
            problems.append(f"{name}: bug entry needs effect")
        line, err = find_line(name, e["file"], e["code"], e["occurrence"])
        if err:
            problems.append(err)
        elif line != e["line"]:
            problems.append(f"{name}: code is on {e['file']}:{line}, manifest says {e['line']}")
        resolved = []
        for anchor in e["also"]:
            loc, err = resolve_also(name, anchor)
            if err:
                problems.append(err)
            resolved.append(loc)
        if resolved != e["also_lines"]:
            problems.append(f"{name}: also_lines {e['also_lines']} != resolved {resolved}")
        if e["verified"] == "run" and name not in checks.CHECKS:
            problems.append(f"{name}: verified = \"run\" but no check_{name} in checks.py")
        if e["verified"] != "run" and not e.get("why_not_run"):
            problems.append(f"{name}: verified = {e['verified']!r} needs why_not_run")
    return problems


def fix(text, entries):
    blocks = re.split(r"(?m)^(?=\[\[case\]\])", text)
    head, blocks = blocks[0], blocks[1:]
    by_name = {e["name"]: e for e in entries}
    out = [head]
    for block in blocks:
        name = re.search(r'(?m)^name = "([^"]+)"', block).group(1)
        e = by_name[name]
        line, err = find_line(name, e["file"], e["code"], e.get("occurrence", 1))
        if err:
            raise SystemExit(err)
        block = re.sub(r"(?m)^line = \d+", f"line = {line}", block)
        locs = []
        for anchor in e.get("also", []):
            loc, err = resolve_also(name, anchor)
            if err:
                raise SystemExit(err)
            locs.append(loc)
        block = re.sub(r"(?m)^also_lines = \[.*\]", "also_lines = [" + ", ".join(f'"{x}"' for x in locs) + "]",
                       block)
        out.append(block)
    return "".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fix", action="store_true")
    args = ap.parse_args()
    with open(MANIFEST, "rb") as f:
        entries = tomllib.load(f)["case"]
    if args.fix:
        with open(MANIFEST) as f:
            text = f.read()
        with open(MANIFEST, "w") as f:
            f.write(fix(text, entries))
        with open(MANIFEST, "rb") as f:
            entries = tomllib.load(f)["case"]
    problems = check(entries)
    for p in problems:
        print(p)
    print(f"{len(entries)} entries, {len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
