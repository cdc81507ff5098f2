"""Check manifest.toml against the case directories (run from /work/blind_new or anywhere):
every directory has an entry, `line` holds `code` (the occurrence-th line containing it),
every `also` anchor resolves to `also_lines`, run-verified cases have a check. --fix rewrites
line / also_lines from code / also."""
import os
import re
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "_verify"))


def find_line(case, rel, code, occurrence=1):
    path = os.path.join(ROOT, case, rel)
    with open(path) as f:
        hits = [i + 1 for i, l in enumerate(f.read().splitlines()) if code in l]
    if len(hits) < occurrence:
        raise LookupError(f"{case}: {code!r} found {len(hits)} times in {rel}")
    return hits[occurrence - 1], len(hits)


def main():
    fix = "--fix" in sys.argv
    mpath = os.path.join(ROOT, "manifest.toml")
    text = open(mpath).read()
    cases = tomllib.loads(text)["case"]
    from checks import CHECKS

    errors = []
    dirs = sorted(d for d in os.listdir(ROOT) if os.path.isdir(os.path.join(ROOT, d)) and not d.startswith("_"))
    names = [c["name"] for c in cases]
    for d in dirs:
        if d not in names:
            errors.append(f"directory {d} has no manifest entry")
    for c in cases:
        name = c["name"]
        if not os.path.isdir(os.path.join(ROOT, name)):
            errors.append(f"{name}: no directory")
            continue
        line, n = find_line(name, c["file"], c["code"], c.get("occurrence", 1))
        if n > 1 and "occurrence" not in c:
            errors.append(f"{name}: code occurs {n} times, set occurrence")
        if line != c["line"]:
            errors.append(f"{name}: line {c['line']} != {line}")
            if fix:
                text = re.sub(rf'(name = "{name}"[\s\S]*?\nline = )\d+', rf"\g<1>{line}", text, count=1)
        want = []
        for a in c.get("also", []):
            rel, code = a.split("::", 1)
            want.append(f"{rel}:{find_line(name, rel, code)[0]}")
        if want != c.get("also_lines", []):
            errors.append(f"{name}: also_lines {c.get('also_lines')} != {want}")
            if fix:
                new = "[" + ", ".join(f'"{w}"' for w in want) + "]"
                text = re.sub(rf'(name = "{name}"[\s\S]*?\nalso_lines = )\[.*?\]', rf"\g<1>{new}", text, count=1)
        if c["label"] == "clean":
            assert "lookalike_of" in c and "why_clean" in c, name
        else:
            assert "effect" in c, name
        if c["verified"] == "run" and name not in CHECKS:
            errors.append(f"{name}: verified=run but no check in checks.py")
        if c["verified"] == "read" and "why_not_run" not in c:
            errors.append(f"{name}: verified=read without why_not_run")
    if fix:
        open(mpath, "w").write(text)
    for e in errors:
        print(e)
    print(f"{len(cases)} cases, {len(errors)} problems" + (" (fixed)" if fix and errors else ""))
    sys.exit(1 if errors and not fix else 0)


if __name__ == "__main__":
    main()
