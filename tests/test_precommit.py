"""Both hooks of .pre-commit-hooks.yaml, run by pre-commit itself against a scratch repository.

The repository holds a buggy script, a buggy notebook (the hooks take ``jupyter`` files too), and
a buggy file under the config's ``extend-exclude``, which the hooks must leave alone even though
pre-commit names it (``--force-exclude``).
"""

from __future__ import annotations

import json
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

NOTEBOOK = json.dumps({
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Training"]},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
         "source": ["%matplotlib inline\n", *BAD.splitlines(True)]},
    ],
    "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}, indent=1) + "\n"

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
    (work / "explore.ipynb").write_text(NOTEBOOK)
    (work / "vendor").mkdir()
    (work / "vendor" / "third_party.py").write_text(BAD)
    (work / "pyproject.toml").write_text('[tool.lrlint]\nextend-exclude = ["vendor"]\n')
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
    assert "explore.ipynb:cell 2:6:5: LR003" in done.stdout
    assert "third_party.py" not in done.stdout
    assert (work / "train.py").read_text() == BAD
    assert (work / "explore.ipynb").read_text() == NOTEBOOK


def test_fix_hook_fixes_the_bug(scratch):
    work, env = scratch
    done = try_repo(work, env, "lrlint-fix")
    assert done.returncode == 1  # pre-commit fails a hook that modified files
    assert "files were modified by this hook" in done.stdout
    assert (work / "train.py").read_text() == BAD.replace(
        "    sched.step()\n    opt.step()\n", "    opt.step()\n    sched.step()\n"
    )
    fixed_cell = json.loads((work / "explore.ipynb").read_text())["cells"][1]["source"]
    assert fixed_cell[0] == "%matplotlib inline\n"
    assert fixed_cell[5:7] == ["    opt.step()\n", "    sched.step()\n"]
    assert (work / "vendor" / "third_party.py").read_text() == BAD
    again = try_repo(work, env, "lrlint-fix")
    assert again.returncode == 0, again.stdout
