"""Score lrlint on real training repositories with hand-verified verdicts.

    python benchmarks/realcode/score.py                 # every repository in the manifest
    python benchmarks/realcode/score.py --only detr --only qlora
    python benchmarks/realcode/score.py --json > scores.json
    python benchmarks/realcode/score.py --show-verdicts  # print the source line of every verdict

Each repository of ``manifest.toml`` is written at its pinned commit into a scratch directory
(``--workdir``, outside this checkout) from a bare mirror under ``--mirror-root`` (the layout
``<root>/<owner>+<name>/repo`` that the ``fetch`` tool creates). A repository whose mirror or
commit is missing is listed and skipped. Only ``*.py`` files are written, never into this
checkout and never committed.

lrlint from this checkout (``python -m lrlint check --output-format json``) runs on each
repository's lint paths, one subprocess per repository, ``--jobs`` at a time. Findings are
matched to verdicts (same repository and file, a code the verdict accepts, line within
``--tolerance``), and the script prints recall on bugs, findings on clean look-alikes (false
positives), precision over findings that match a verdict, and every unjudged finding.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent.parent
VERDICTS = ("bug", "clean", "debatable")
LINT_TIMEOUT_S = 900


# ---------------------------------------------------------------- manifest


@dataclass(frozen=True)
class Verdict:
    repo: str  # Repo.key
    file: str
    line: int
    codes: tuple[str, ...]  # the codes/labels a finding may carry to match
    verdict: str
    why: str
    anchors: tuple[tuple[str, int], ...]  # (file, line) where a finding counts
    evidence: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.codes[0]

    @property
    def cross_file(self) -> bool:
        return len({e.split(":", 1)[0] for e in self.evidence}) > 1


@dataclass
class Repo:
    name: str
    commit: str
    paths: list[str]
    kind: str = ""
    framework: str = ""
    notes: str = ""
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.name}@{self.commit[:12]}"

    @property
    def mirror_name(self) -> str:
        return self.name.replace("/", "+")


class ManifestError(Exception):
    pass


def load_manifest(path: Path) -> tuple[list[Repo], dict[str, list[str]]]:
    """The repositories with their verdicts, and the label -> lrlint codes table."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"{path}: {exc}") from exc
    labels = {name: list(entry.get("codes", [])) for name, entry in data.get("labels", {}).items()}
    repos = [_repo(entry, labels) for entry in data.get("repo", [])]
    keys = Counter(repo.key for repo in repos)
    duplicated = [key for key, count in keys.items() if count > 1]
    if duplicated:
        raise ManifestError(f"repository listed twice at the same commit: {', '.join(duplicated)}")
    return repos, labels


def _repo(entry: dict, labels: dict[str, list[str]]) -> Repo:
    for key in ("name", "commit", "paths"):
        if key not in entry:
            raise ManifestError(f"a [[repo]] entry lacks {key!r}: {entry.get('name', entry)}")
    repo = Repo(entry["name"], entry["commit"], list(entry["paths"]), entry.get("kind", ""),
                entry.get("framework", ""), entry.get("notes", ""))
    for raw in entry.get("verdict", []):
        repo.verdicts.append(_verdict(repo, raw, labels))
    return repo


def _verdict(repo: Repo, raw: dict, labels: dict[str, list[str]]) -> Verdict:
    where = f"{repo.name} {raw.get('file')}:{raw.get('line')}"
    for key in ("file", "line", "code", "verdict", "why"):
        if key not in raw:
            raise ManifestError(f"verdict {where} lacks {key!r}")
    if raw["verdict"] not in VERDICTS:
        raise ManifestError(f"verdict {where}: {raw['verdict']!r} is not one of {VERDICTS}")
    codes = [raw["code"]] if isinstance(raw["code"], str) else list(raw["code"])
    codes += list(raw.get("accept", []))
    for code in codes:
        if not code.startswith("LR") and code not in labels:
            raise ManifestError(f"verdict {where}: label {code!r} is not in the [labels] table")
    anchors = [(raw["file"], int(raw["line"]))]
    for alt in raw.get("alt_lines", []):
        if isinstance(alt, int):
            anchors.append((raw["file"], alt))
        else:
            file, _, line = str(alt).rpartition(":")
            anchors.append((file, int(line)))
    return Verdict(repo.key, raw["file"], int(raw["line"]), tuple(codes), raw["verdict"],
                   raw["why"], tuple(anchors), tuple(raw.get("evidence", ())))


# ---------------------------------------------------------------- sources


def materialise(repo: Repo, mirror_root: Path, workdir: Path) -> tuple[Path | None, str]:
    """Write the repository's Python files at its commit; (directory, '') or (None, why not)."""
    gitdir = mirror_root / repo.mirror_name / "repo"
    if not gitdir.is_dir():
        return None, "no mirror"
    dest = workdir / f"{repo.mirror_name}@{repo.commit[:12]}"
    stamp = dest / ".lrlint-realcode-commit"
    if stamp.is_file() and stamp.read_text().strip() == repo.commit:
        (dest / ".git").mkdir(exist_ok=True)  # scratch written before the marker was
        return dest, ""
    listing = subprocess.run(["git", f"--git-dir={gitdir}", "ls-tree", "-r", "-z", repo.commit],
                             capture_output=True)
    if listing.returncode:
        return None, f"commit {repo.commit[:12]} not in the mirror"
    blobs = []
    for record in listing.stdout.split(b"\0"):
        if not record:
            continue
        meta, path = record.split(b"\t", 1)
        mode, kind, sha = meta.split()
        if kind == b"blob" and mode != b"120000" and path.endswith(b".py"):
            blobs.append((sha.decode(), os.fsdecode(path)))
    batch = subprocess.run(["git", f"--git-dir={gitdir}", "cat-file", "--batch"],
                           input="".join(f"{sha}\n" for sha, _ in blobs).encode(),
                           capture_output=True, check=True).stdout
    pos = 0
    for _sha, path in blobs:
        end = batch.index(b"\n", pos)
        header = batch[pos:end].split()
        pos = end + 1
        if header[-1] == b"missing":  # files of 4 MiB and more are absent from snapshots
            continue
        size = int(header[2])
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(batch[pos:pos + size])
        pos += size + 1
    dest.mkdir(parents=True, exist_ok=True)
    # A clone's root marker: without one, the nearest marker above would make the whole work
    # directory (every repository of the set) one project.
    (dest / ".git").mkdir(exist_ok=True)
    stamp.write_text(repo.commit)
    return dest, ""


# ---------------------------------------------------------------- linting


@dataclass(frozen=True)
class Finding:
    repo: str
    file: str
    line: int
    code: str
    message: str


@dataclass
class RepoRun:
    repo: Repo
    findings: list[Finding] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    skipped: str = ""
    missing_paths: list[str] = field(default_factory=list)
    seconds: float = 0.0


def lint_repo(repo: Repo, mirror_root: Path, workdir: Path, config: Path,
              lrlint_root: Path) -> RepoRun:
    run = RepoRun(repo)
    start = time.perf_counter()
    root, why = materialise(repo, mirror_root, workdir)
    if root is None:
        run.skipped = why
        return run
    paths = [p for p in repo.paths if (root / p).exists()]
    run.missing_paths = [p for p in repo.paths if p not in paths]
    if not paths:
        run.skipped = "none of the lint paths exist at this commit"
        return run
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(lrlint_root)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])))
    command = [sys.executable, "-m", "lrlint", "check", "--output-format", "json", "--exit-zero",
               "--config", str(config), "-j", "1", *paths]
    try:
        done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                              timeout=LINT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        run.skipped = f"lrlint ran past {LINT_TIMEOUT_S} s"
        return run
    run.seconds = time.perf_counter() - start
    try:
        records = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        run.skipped = f"lrlint exited {done.returncode}: {done.stderr.strip()[-400:]}"
        return run
    for record in records:
        file = _relative(record.get("filename", ""), root)
        line = (record.get("location") or {}).get("row", 0)
        if record.get("code") is None:
            run.file_errors.append(f"{file}:{line} {record.get('name')}: {record.get('message', '')}")
            continue
        run.findings.append(Finding(repo.key, file, line, record["code"], record.get("message", "")))
    return run


def _relative(filename: str, root: Path) -> str:
    path = Path(filename)
    if path.is_absolute():
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()


# ---------------------------------------------------------------- matching


def accepts(verdict: Verdict, code: str, labels: dict[str, list[str]]) -> bool:
    return any(code == label or code in labels.get(label, ()) for label in verdict.codes)


def match(finding: Finding, verdicts: list[Verdict], labels: dict[str, list[str]],
          tolerance: int) -> Verdict | None:
    """The verdict a finding is judged by: nearest anchor, a bug verdict before others."""
    best: tuple[int, int, Verdict] | None = None
    for verdict in verdicts:
        if not accepts(verdict, finding.code, labels):
            continue
        for file, line in verdict.anchors:
            distance = abs(finding.line - line)
            if file == finding.file and distance <= tolerance:
                rank = (distance, VERDICTS.index(verdict.verdict))
                if best is None or rank < best[:2]:
                    best = (*rank, verdict)
    return best[2] if best else None


@dataclass
class Scores:
    runs: list[RepoRun]
    matched: dict[Finding, Verdict]
    unjudged: list[Finding]
    verdicts: list[Verdict]  # of the repositories that were linted

    def bug_hits(self) -> dict[Verdict, list[Finding]]:
        hits: dict[Verdict, list[Finding]] = defaultdict(list)
        for finding, verdict in self.matched.items():
            hits[verdict].append(finding)
        return hits


def score(runs: list[RepoRun], labels: dict[str, list[str]], tolerance: int) -> Scores:
    matched: dict[Finding, Verdict] = {}
    unjudged: list[Finding] = []
    verdicts: list[Verdict] = []
    for run in runs:
        if run.skipped:
            continue
        verdicts += run.repo.verdicts
        for finding in run.findings:
            verdict = match(finding, run.repo.verdicts, labels, tolerance)
            if verdict is None:
                unjudged.append(finding)
            else:
                matched[finding] = verdict
    return Scores(runs, matched, unjudged, verdicts)


def summary(scores: Scores) -> dict:
    hits = scores.bug_hits()
    bugs = [v for v in scores.verdicts if v.verdict == "bug"]
    found = [v for v in bugs if hits.get(v)]
    by_kind = Counter(v.verdict for v in scores.matched.values())
    judged = by_kind["bug"] + by_kind["clean"]

    def group(label: str) -> str:
        return "LR" if label.startswith("LR") else label.split("-", 1)[0]

    per_label: dict[str, dict] = {}
    for verdict in scores.verdicts:
        row = per_label.setdefault(verdict.label, {"bug": 0, "found": 0, "clean": 0, "fp": 0,
                                                   "debatable": 0})
        row[verdict.verdict] += 1
        if verdict.verdict == "bug" and hits.get(verdict):
            row["found"] += 1
        if verdict.verdict == "clean":
            row["fp"] += len(hits.get(verdict, []))
    recall_groups = {}
    for name in sorted({group(v.label) for v in bugs}):
        members = [v for v in bugs if group(v.label) == name]
        recall_groups[name] = _ratio(sum(1 for v in members if hits.get(v)), len(members))
    cross = [v for v in bugs if v.cross_file]
    return {
        "repositories": len(scores.runs),
        "linted": sum(1 for r in scores.runs if not r.skipped),
        "skipped": {r.repo.key: r.skipped for r in scores.runs if r.skipped},
        "missing_paths": {r.repo.key: r.missing_paths for r in scores.runs if r.missing_paths},
        "findings": sum(len(r.findings) for r in scores.runs),
        "file_errors": sum(len(r.file_errors) for r in scores.runs),
        "bugs": len(bugs),
        "bugs_found": len(found),
        "recall": _ratio(len(found), len(bugs)),
        "recall_by_group": recall_groups,
        "cross_file_recall": _ratio(sum(1 for v in cross if hits.get(v)), len(cross)),
        "clean_lookalikes": sum(1 for v in scores.verdicts if v.verdict == "clean"),
        "false_positives": by_kind["clean"],
        "findings_on_debatable": by_kind["debatable"],
        "true_positive_findings": by_kind["bug"],
        "precision": _ratio(by_kind["bug"], judged),
        "unjudged": len(scores.unjudged),
        "per_label": per_label,
        "lint_seconds": round(sum(r.seconds for r in scores.runs), 2),
    }


def _ratio(numerator: int, denominator: int) -> dict:
    return {"n": numerator, "of": denominator,
            "value": round(numerator / denominator, 3) if denominator else None}


def _pct(ratio: dict) -> str:
    if ratio["value"] is None:
        return f"{ratio['n']}/{ratio['of']} (n/a)"
    return f"{ratio['n']}/{ratio['of']} ({100 * ratio['value']:.0f}%)"


# ---------------------------------------------------------------- reports


def text_report(scores: Scores, stats: dict, wall: float) -> str:
    hits = scores.bug_hits()
    out = [f"repositories: {stats['linted']} linted of {stats['repositories']}"
           f"   findings: {stats['findings']}   file errors: {stats['file_errors']}"
           f"   wall {wall:.1f} s (lrlint+materialise {stats['lint_seconds']:.1f} s summed)"]
    for key, why in stats["skipped"].items():
        out.append(f"  skipped {key}: {why}")
    missing = sorted({k.split("@")[0] for k, w in stats["skipped"].items() if w == "no mirror"})
    if missing:
        out.append("  fetch these mirrors first: " + " ".join(f"github:{n}" for n in missing))
    for key, paths in stats["missing_paths"].items():
        out.append(f"  {key}: lint paths absent at this commit: {', '.join(paths)}")
    out += ["",
            f"recall on bugs          {_pct(stats['recall'])}",
            "  by group              " + "   ".join(f"{g} {_pct(r)}" for g, r in
                                                   stats["recall_by_group"].items()),
            f"  bugs spanning files   {_pct(stats['cross_file_recall'])}",
            f"false positives         {stats['false_positives']} findings on "
            f"{stats['clean_lookalikes']} clean look-alikes",
            f"precision               {_pct({'n': stats['true_positive_findings'], 'of': stats['true_positive_findings'] + stats['false_positives'], 'value': stats['precision']['value']})}"
            f"   (+{stats['findings_on_debatable']} on debatable verdicts)",
            f"unjudged findings       {stats['unjudged']}", "",
            f"{'code/label':<32} {'bugs':>5} {'found':>6} {'clean':>6} {'FP':>4} {'debat.':>7}"]
    for label, row in sorted(stats["per_label"].items()):
        out.append(f"{label:<32} {row['bug']:>5} {row['found']:>6} {row['clean']:>6} "
                   f"{row['fp']:>4} {row['debatable']:>7}")
    found = [(v, hits[v]) for v in scores.verdicts if v.verdict == "bug" and hits.get(v)]
    if found:
        out += ["", "bugs found:"]
        out += [f"  {v.repo} {v.file}:{v.line} {v.label}  <- "
                + ", ".join(f"{f.code}@{f.line}" for f in fs) for v, fs in found]
    fps = [(f, v) for f, v in scores.matched.items() if v.verdict == "clean"]
    if fps:
        out += ["", "false positives (findings on clean look-alikes):"]
        out += [f"  {f.repo} {f.file}:{f.line} {f.code}: {f.message[:160]}" for f, _ in fps]
    if scores.unjudged:
        out += ["", "UNJUDGED findings (judge each and add a verdict to the manifest):"]
        out += [f"  {f.repo} {f.file}:{f.line} {f.code}: {f.message}" for f in scores.unjudged]
    errors = [(r.repo.key, e) for r in scores.runs for e in r.file_errors]
    if errors:
        out += ["", "file errors:"] + [f"  {key} {error}" for key, error in errors]
    return "\n".join(out)


def json_report(scores: Scores, stats: dict, wall: float) -> str:
    def finding(f: Finding) -> dict:
        return {"repo": f.repo, "file": f.file, "line": f.line, "code": f.code,
                "message": f.message}

    hits = scores.bug_hits()
    return json.dumps({
        "summary": {**stats, "wall_seconds": round(wall, 2)},
        "bugs": [{"repo": v.repo, "file": v.file, "line": v.line, "label": v.label,
                  "cross_file": v.cross_file, "found_by": [finding(f) for f in hits.get(v, [])]}
                 for v in scores.verdicts if v.verdict == "bug"],
        "false_positives": [finding(f) for f, v in scores.matched.items() if v.verdict == "clean"],
        "on_debatable": [finding(f) for f, v in scores.matched.items() if v.verdict == "debatable"],
        "unjudged": [finding(f) for f in scores.unjudged],
        "file_errors": {r.repo.key: r.file_errors for r in scores.runs if r.file_errors},
        "seconds": {r.repo.key: round(r.seconds, 2) for r in scores.runs},
    }, indent=2)


def show_verdicts(repos: list[Repo], mirror_root: Path, workdir: Path) -> int:
    """Print each verdict with its source line, so a reviewer can check the anchors."""
    problems = 0
    for repo in repos:
        root, why = materialise(repo, mirror_root, workdir)
        print(f"== {repo.key}" + (f"  (skipped: {why})" if root is None else ""))
        if root is None:
            continue
        for verdict in repo.verdicts:
            for file, line in verdict.anchors:
                try:
                    text = (root / file).read_text(encoding="utf-8", errors="replace").splitlines()
                    source = text[line - 1].strip()
                except (OSError, IndexError):
                    source, problems = "!! no such file or line", problems + 1
                print(f"  {verdict.verdict:<9} {'/'.join(verdict.codes):<40} {file}:{line}  {source}")
    return 1 if problems else 0


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifest", type=Path, default=HERE / "manifest.toml")
    parser.add_argument("--only", action="append", default=[], metavar="REPO",
                        help="score only repositories whose owner/name contains REPO (repeatable)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--tolerance", type=int, default=2,
                        help="lines between a finding and a verdict's anchor (default 2)")
    parser.add_argument("--mirror-root", type=Path,
                        default=Path(os.environ.get("LRLINT_MIRROR_ROOT", "/work/.mirror")))
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get(
        "LRLINT_REALCODE_DIR", Path(tempfile.gettempdir()) / "lrlint-realcode")))
    parser.add_argument("--lrlint-root", type=Path, default=CHECKOUT,
                        help="the checkout whose lrlint runs (default: this one), e.g. to score main")
    parser.add_argument("--show-verdicts", action="store_true",
                        help="print every verdict's source line and exit")
    args = parser.parse_args(argv)

    workdir = args.workdir.resolve()
    if not (args.lrlint_root / "lrlint" / "__init__.py").is_file():
        parser.error(f"--lrlint-root {args.lrlint_root} holds no lrlint package")
    if workdir == CHECKOUT or CHECKOUT in workdir.parents:
        parser.error(f"--workdir must be outside this checkout ({CHECKOUT})")
    try:
        repos, labels = load_manifest(args.manifest)
    except ManifestError as exc:
        print(f"manifest error: {exc}", file=sys.stderr)
        return 2
    if args.only:
        repos = [r for r in repos if any(o.lower() in r.name.lower() for o in args.only)]
        if not repos:
            print(f"no repository matches {args.only}", file=sys.stderr)
            return 2
    workdir.mkdir(parents=True, exist_ok=True)
    if args.show_verdicts:
        return show_verdicts(repos, args.mirror_root, workdir)
    config = workdir / "pyproject.toml"  # an empty [tool.lrlint]: defaults, every rule
    config.write_text("[tool.lrlint]\n", encoding="utf-8")

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        runs = list(pool.map(lambda r: lint_repo(r, args.mirror_root, workdir, config,
                                                 args.lrlint_root.resolve()), repos))
    wall = time.perf_counter() - start
    scores = score(runs, labels, args.tolerance)
    stats = summary(scores)
    print(json_report(scores, stats, wall) if args.json else text_report(scores, stats, wall))
    return 0


if __name__ == "__main__":
    sys.exit(main())
