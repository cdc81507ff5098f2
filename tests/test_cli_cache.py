"""The run's plan kept in .lrlint_cache/: a warm run finds what a cold one does, an edit in
another module is seen, and --no-cache writes nothing."""

from __future__ import annotations

from textwrap import dedent

from cli_helpers import run, write

SCHEDULER = dedent("""\
    from torch.optim.lr_scheduler import LambdaLR


    class WarmupSchedule(LambdaLR):
        def __init__(self, optimizer, warmup):
            super().__init__(optimizer, lambda step: min(1.0, (step + 1) / warmup))
""")
NOT_A_SCHEDULER = dedent("""\
    class WarmupSchedule:
        def __init__(self, optimizer, warmup):
            self.warmup = warmup

        def step(self):
            pass
""")
TRAIN = dedent("""\
    import torch
    from schedules import WarmupSchedule

    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scheduler = WarmupSchedule(optimizer, warmup=100)
    for batch in loader:
        scheduler.step()
        optimizer.step()
""")


def _project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", "[project]\nname = 'demo'\n")
    write(tmp_path / "schedules.py", SCHEDULER)
    write(tmp_path / "train.py", TRAIN)


def test_a_warm_run_finds_what_the_cold_one_found(tmp_path, monkeypatch, capsys):
    _project(tmp_path, monkeypatch)
    cold = run([".", "--output-format", "concise"], capsys)
    assert (tmp_path / ".lrlint_cache").is_dir()
    warm = run([".", "--output-format", "concise"], capsys)
    assert "train.py:7" in cold[1] and "LR003" in cold[1]
    assert warm[:2] == cold[:2]


def test_an_edit_in_another_module_is_seen_by_the_next_run(tmp_path, monkeypatch, capsys):
    _project(tmp_path, monkeypatch)
    assert "LR003" in run(["."], capsys)[1]
    write(tmp_path / "schedules.py", NOT_A_SCHEDULER + "\n")  # a different size: no stale stat
    code, out, _ = run(["."], capsys)
    assert "LR003" not in out and code == 0


def test_no_cache_writes_nothing(tmp_path, monkeypatch, capsys):
    _project(tmp_path, monkeypatch)
    code, out, _ = run([".", "--no-cache"], capsys)
    assert "LR003" in out and code == 1
    assert not (tmp_path / ".lrlint_cache").exists()
