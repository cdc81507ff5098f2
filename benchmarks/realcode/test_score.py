"""Tests of the real-code benchmark's scorer and of the manifest itself.

    python -m pytest benchmarks/realcode
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import score  # noqa: E402

MANIFEST = Path(__file__).resolve().parent / "manifest.toml"

LABELS = '''
[labels.FW-demo]
codes = ["LR099"]
description = "a label mapped to a code"
'''


def write_manifest(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "manifest.toml"
    path.write_text(LABELS + body, encoding="utf-8")
    return path


def one_repo(verdicts: str) -> str:
    return f'''
[[repo]]
name = "o/r"
commit = "{'a' * 40}"
paths = ["train.py"]
{verdicts}
'''


def verdict(file="train.py", line=10, code='"LR003"', kind="bug", extra="") -> str:
    return f'''
[[repo.verdict]]
file = "{file}"
line = {line}
code = {code}
verdict = "{kind}"
why = "test"
{extra}
'''


# ---------------------------------------------------------------- the manifest


def test_manifest_meets_the_benchmark_targets():
    repos, labels = score.load_manifest(MANIFEST)
    verdicts = [v for r in repos for v in r.verdicts]
    bugs = [v for v in verdicts if v.verdict == "bug"]
    assert len({r.name for r in repos}) >= 40
    assert len(bugs) >= 30
    assert sum(v.verdict == "clean" for v in verdicts) >= 30
    assert sum(v.cross_file for v in bugs) >= 12
    assert sum(bool(r.framework) for r in repos) >= 12
    assert all(len(r.commit) == 40 for r in repos)
    # every label a verdict uses is defined, and framework labels have a description
    assert all(code.startswith("LR") or code in labels for v in verdicts for code in v.codes)


# ---------------------------------------------------------------- loading


def test_unknown_label_is_rejected(tmp_path):
    path = write_manifest(tmp_path, one_repo(verdict(code='"FW-nope"')))
    with pytest.raises(score.ManifestError, match="FW-nope"):
        score.load_manifest(path)


def test_bad_verdict_value_is_rejected(tmp_path):
    path = write_manifest(tmp_path, one_repo(verdict(kind="maybe")))
    with pytest.raises(score.ManifestError, match="maybe"):
        score.load_manifest(path)


def test_same_repository_twice_at_one_commit_is_rejected(tmp_path):
    path = write_manifest(tmp_path, one_repo("") + one_repo(""))
    with pytest.raises(score.ManifestError, match="twice"):
        score.load_manifest(path)


def test_evidence_in_two_files_makes_a_cross_file_bug(tmp_path):
    path = write_manifest(tmp_path, one_repo(
        verdict(extra='evidence = ["run.py:79", "train.py:10"]') +
        verdict(line=20, extra='evidence = ["train.py:3", "train.py:20"]')))
    (repo,), _ = score.load_manifest(path)
    assert [v.cross_file for v in repo.verdicts] == [True, False]


# ---------------------------------------------------------------- matching


def judged(tmp_path, verdicts: str, code: str, line: int, file="train.py", tolerance=2):
    (repo,), labels = score.load_manifest(write_manifest(tmp_path, one_repo(verdicts)))
    finding = score.Finding(repo.key, file, line, code, "")
    return score.match(finding, repo.verdicts, labels, tolerance)


def test_a_finding_matches_within_the_tolerance_only(tmp_path):
    assert judged(tmp_path, verdict(), "LR003", 12) is not None
    assert judged(tmp_path, verdict(), "LR003", 13) is None


def test_a_finding_needs_a_code_the_verdict_accepts(tmp_path):
    assert judged(tmp_path, verdict(), "LR008", 10) is None
    assert judged(tmp_path, verdict(extra='accept = ["LR008"]'), "LR008", 10) is not None


def test_a_label_matches_the_codes_the_table_maps_it_to(tmp_path):
    assert judged(tmp_path, verdict(code='"FW-demo"'), "LR099", 10) is not None
    assert judged(tmp_path, verdict(code='"FW-demo"'), "LR003", 10) is None


def test_alternative_anchors_count_in_their_own_file(tmp_path):
    verdicts = verdict(extra='alt_lines = [40, "utils/sched.py:7"]')
    assert judged(tmp_path, verdicts, "LR003", 41) is not None
    assert judged(tmp_path, verdicts, "LR003", 7, file="utils/sched.py") is not None
    assert judged(tmp_path, verdicts, "LR003", 7) is None


def test_the_nearest_verdict_wins_and_a_bug_wins_a_tie(tmp_path):
    verdicts = verdict(line=10, code='["LR003"]', kind="clean") + verdict(line=12)
    assert judged(tmp_path, verdicts, "LR003", 10).verdict == "clean"
    assert judged(tmp_path, verdicts, "LR003", 11).verdict == "bug"


def test_scores_count_recall_false_positives_and_unjudged(tmp_path):
    body = one_repo(verdict(line=10) + verdict(line=30) +
                    verdict(line=50, code='["LR003"]', kind="clean"))
    (repo,), labels = score.load_manifest(write_manifest(tmp_path, body))
    run = score.RepoRun(repo, findings=[score.Finding(repo.key, "train.py", line, "LR003", "")
                                        for line in (10, 11, 50, 90)])
    stats = score.summary(score.score([run], labels, tolerance=2))
    assert stats["recall"] == {"n": 1, "of": 2, "value": 0.5}
    assert stats["false_positives"] == 1
    assert stats["true_positive_findings"] == 2
    assert stats["precision"]["value"] == pytest.approx(2 / 3, abs=1e-3)
    assert stats["unjudged"] == 1


# ---------------------------------------------------------------- sources and lrlint


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture
def mirror(tmp_path):
    """A bare mirror <root>/o+r/repo holding one commit with a training script and a README."""
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q")
    (work / "pkg").mkdir()
    (work / "pkg" / "train.py").write_text(
        "import torch\n"
        "model = torch.nn.Linear(2, 1)\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30)\n"
        "for epoch in range(90):\n"
        "    scheduler.step()\n"
        "    optimizer.step()\n", encoding="utf-8")
    (work / "README.md").write_text("not python\n", encoding="utf-8")
    git(work, "add", ".")
    git(work, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c")
    root = tmp_path / "mirror"
    (root / "o+r").mkdir(parents=True)
    git(tmp_path, "clone", "-q", "--bare", str(work), str(root / "o+r" / "repo"))
    return root, git(work, "rev-parse", "HEAD")


def test_materialise_writes_only_python_files(mirror, tmp_path):
    root, commit = mirror
    repo = score.Repo("o/r", commit, ["pkg"])
    dest, why = score.materialise(repo, root, tmp_path / "scratch")
    assert why == "" and (dest / "pkg" / "train.py").is_file()
    assert not (dest / "README.md").exists()


def test_a_missing_mirror_or_commit_is_reported(mirror, tmp_path):
    root, _ = mirror
    assert score.materialise(score.Repo("x/y", "b" * 40, []), root, tmp_path)[1] == "no mirror"
    assert "not in the mirror" in score.materialise(score.Repo("o/r", "b" * 40, []), root,
                                                    tmp_path)[1]


def test_lint_repo_runs_this_checkouts_lrlint(mirror, tmp_path):
    root, commit = mirror
    repo = score.Repo("o/r", commit, ["pkg", "absent"])
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.lrlint]\n", encoding="utf-8")
    run = score.lint_repo(repo, root, tmp_path / "scratch", config, score.CHECKOUT)
    assert run.skipped == ""
    assert run.missing_paths == ["absent"]
    assert [(f.file, f.line, f.code) for f in run.findings] == [("pkg/train.py", 6, "LR003")]
