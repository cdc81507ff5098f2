"""Both hooks of .pre-commit-hooks.yaml, run by pre-commit itself against a scratch repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

REPO = Path(__file__).resolve().parent.parent
BAD = dedent("""\
    import torch
    opt = torch.optim.SGD(params, lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    for epoch in range(10):
        sched.step()
        opt.step()
""")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    root = tmp_path_factory.mktemp("precommit")
    work = root / "work"
    work.mkdir()
    git(work, "init", "-q")
    git(work, "config", "user.email", "ci@example.com")
    git(work, "config", "user.name", "CI")
    (work / "train.py").write_text(BAD)
    (work / "notes.txt").write_text("opt.lr = 1\n")
    git(work, "add", ".")
    git(work, "commit", "-qm", "buggy training script")
    env = dict(os.environ, PRE_COMMIT_HOME=str(root / "cache"), PRE_COMMIT_COLOR="never")
    return work, env


def try_repo(work: Path, env: dict, hook: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook, "--all-files"],
        cwd=work, env=env, capture_output=True, text=True, timeout=600,
    )


def test_report_hook_finds_the_bug_and_changes_nothing(scratch):
    work, env = scratch
    done = try_repo(work, env, "lrlint")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "train.py:5:5: LR003" in done.stdout
    assert (work / "train.py").read_text() == BAD


def test_fix_hook_fixes_the_bug(scratch):
    work, env = scratch
    done = try_repo(work, env, "lrlint-fix")
    assert done.returncode == 1  # pre-commit fails a hook that modified files
    assert "files were modified by this hook" in done.stdout
    assert (work / "train.py").read_text() == BAD.replace(
        "    sched.step()\n    opt.step()\n", "    opt.step()\n    sched.step()\n"
    )
    again = try_repo(work, env, "lrlint-fix")
    assert again.returncode == 0, again.stdout
