"""Fixes must not leave a bug behind, and "N fixed, M remaining" must be the truth."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from textwrap import dedent

import pytest
from cli_helpers import run

from lrlint import lint_source
from lrlint.checks.base import FixPlan, InsertLinesAfter, Rule
from lrlint.fixer import fix_text
from lrlint.prefilter import Vocabulary
from lrlint.source import decode

# The case: a manual LR change under a StepLR.
UNDER_SCHEDULER = dedent("""\
    import torch

    model = torch.nn.Linear(10, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
    for epoch in range(30):
        if epoch == 20:
            optimizer.lr = 0.01
        optimizer.step()
        scheduler.step()
""")


def test_lr001_fix_under_a_scheduler_is_unsafe(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "train.py"
    path.write_text(UNDER_SCHEDULER)
    (finding,) = lint_source(UNDER_SCHEDULER, "train.py").diagnostics
    assert finding.code == "LR001" and finding.fix.applicability == "unsafe"
    # --fix leaves it alone and says so truthfully.
    code, out, _ = run(["train.py", "--fix"], capsys)
    assert code == 1 and path.read_text() == UNDER_SCHEDULER
    assert "Found 1 warning." in out and "1 hidden fix" in out


def test_unsafe_fix_is_followed_by_a_full_relint(tmp_path, monkeypatch, capsys):
    """The fixed text has `param_groups`, LR015's vocabulary: the re-lint must run LR015 even
    though the prefilter left it out on the text before the fix."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text(UNDER_SCHEDULER)
    code, out, _ = run(["train.py", "--unsafe-fixes"], capsys)
    assert code == 1
    assert "train.py:9:13: LR015" in out
    assert "Found 2 warnings (1 fixed, 1 remaining)." in out
    # The next run agrees with what this one said remains.
    code, again, _ = run(["train.py", "-q"], capsys)
    assert code == 1 and again.splitlines() == [line for line in out.splitlines()
                                                 if line.startswith("train.py:9:13: LR015")]


def test_lr001_fix_with_a_negative_value_is_unsafe():
    source = dedent("""\
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        opt.lr = -0.01
    """)
    codes = {d.code: d for d in lint_source(source, "t.py").diagnostics}
    assert codes["LR001"].fix.applicability == "unsafe"
    # Without a scheduler and with a positive value, the fix stays safe.
    positive = lint_source(source.replace("-0.01", "0.01"), "t.py").diagnostics
    assert [d.fix.applicability for d in positive] == ["safe"]


class _Planter(Rule):
    """Test double: a safe fix that appends a line with ``PLANTED`` after the optimizer."""

    code = "LR001"
    name = "optimizer-lr-attribute"
    summary = "test double"
    fixable = True
    vocabulary = (Vocabulary(gates=(b"optim",)),)

    def check(self, context):
        for statement in context.module.body:
            if "optim" in context.code_for(statement) and "PLANTED" not in context.module.code:
                context.report(statement, "plant", FixPlan("plant", (
                    InsertLinesAfter(statement, "PLANTED = 1"),)))
                return


class _Watcher(Rule):
    """Test double: a finding wherever ``PLANTED`` occurs (its vocabulary)."""

    code = "LR002"
    name = "scheduler-factor-direction"
    summary = "test double"
    vocabulary = (Vocabulary(gates=(b"PLANTED",)),)

    def check(self, context):
        for statement in context.module.body:
            if "PLANTED" in context.code_for(statement):
                context.report(statement, "planted")


SOURCE = "import torch\nopt = torch.optim.SGD(params)\n"


def test_relint_uses_every_enabled_rule_not_the_prefilter_choice_before_the_fix(monkeypatch):
    import lrlint.runner as runner

    # LR002 (the watcher) has nothing to look at in the text before the fix.
    monkeypatch.setattr(runner, "rules_for_codes", lambda codes: (_Planter(), _Watcher()))
    job = runner.Job("t.py", SOURCE.encode(), ("LR001", "LR002"), "unsafe", write=False)
    result = runner.run_job(job)
    assert "PLANTED = 1" in result.fixed_source and result.fixes_applied == 1
    assert [d.code for d in result.diagnostics] == ["LR002"]


def test_safe_fix_that_would_create_a_finding_is_not_applied_and_becomes_unsafe():
    outcome = fix_text("t.py", decode(SOURCE.encode()), [_Planter(), _Watcher()], unsafe=False)
    assert outcome.text == SOURCE and outcome.applied == 0
    (remaining,) = outcome.diagnostics
    assert remaining.code == "LR001" and remaining.fix.applicability == "unsafe"


def test_read_only_file_is_never_rewritten_and_findings_still_show(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    source = UNDER_SCHEDULER.replace("    optimizer.step()\n    scheduler.step()\n",
                                     "    scheduler.step()\n    optimizer.step()\n")
    path = tmp_path / "train.py"
    path.write_text(source)
    os.chmod(path, 0o444)
    code, out, _ = run(["train.py", "--fix", "-q"], capsys)
    assert path.read_text() == source and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert code == 2
    assert "train.py:1:1: io-error: cannot write fixed file: it is read-only" in out
    # Both findings of the file as it still is, the fixable LR003 included.
    assert "LR003" in out and "LR001" in out


def test_failed_write_reports_the_file_as_it_still_is(tmp_path, monkeypatch, capsys):
    import lrlint.fixer

    monkeypatch.chdir(tmp_path)
    source = UNDER_SCHEDULER.replace("optimizer.lr = 0.01", "pass")
    source = source.replace("    optimizer.step()\n    scheduler.step()\n",
                            "    scheduler.step()\n    optimizer.step()\n")
    Path("train.py").write_text(source)

    def refuse(path, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(lrlint.fixer, "write_atomically", refuse)
    code, out, _ = run(["train.py", "--fix"], capsys)
    assert code == 2
    assert "cannot write fixed file: Permission denied" in out
    assert "train.py:9:5: LR003" in out
    assert "Found 1 error and 1 warning" in out and "remaining" not in out
    assert Path("train.py").read_text() == source


@pytest.mark.parametrize("flag", ["--fix", "--unsafe-fixes"])
def test_fixed_count_matches_the_next_run(tmp_path, monkeypatch, capsys, flag):
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    monkeypatch.chdir(tmp_path)
    for fixture in sorted(fixtures.glob("*.py")):
        (tmp_path / fixture.name).write_bytes(fixture.read_bytes())
    _, out, _ = run([".", flag, "-q"], capsys)
    _, again, _ = run([".", "-q"], capsys)
    assert sorted(out.replace(" [*]", "").splitlines()) == sorted(
        again.replace(" [*]", "").splitlines())
