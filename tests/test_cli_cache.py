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


def _count_modelling(monkeypatch) -> list:
    """Record the components modelled in this process (small runs use no workers)."""
    import lrlint.runner

    modelled = []
    real = lrlint.runner._run_component

    def counting(component):
        modelled.append(sorted(c.path for c in component.candidates))
        return real(component)

    monkeypatch.setattr(lrlint.runner, "_run_component", counting)
    return modelled


def test_a_warm_run_models_nothing_and_reports_the_same(tmp_path, monkeypatch, capsys):
    _project(tmp_path, monkeypatch)
    modelled = _count_modelling(monkeypatch)
    cold = run([".", "--output-format", "json"], capsys)
    assert modelled
    modelled.clear()
    warm = run([".", "--output-format", "json"], capsys)
    assert modelled == [] and warm == cold  # fixes and all, from the cache


def test_a_module_read_only_through_an_import_invalidates_the_findings(tmp_path, monkeypatch,
                                                                         capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", "[project]\nname = 'demo'\n")
    write(tmp_path / "config.py", "WARMUP_STEPS = 300\n")
    write(tmp_path / "train.py", dedent("""\
        from transformers import TrainingArguments

        import config

        args = TrainingArguments(output_dir="o", lr_scheduler_type="constant",
                                 warmup_steps=config.WARMUP_STEPS)
    """))
    modelled = _count_modelling(monkeypatch)
    assert "LR021" in run(["."], capsys)[1]
    write(tmp_path / "config.py", "WARMUP_STEPS = 0\n\n")  # config.py itself is no candidate
    modelled.clear()
    code, out, _ = run(["."], capsys)
    assert "LR021" not in out and code == 0 and modelled


def test_other_rules_selected_are_linted_afresh(tmp_path, monkeypatch, capsys):
    _project(tmp_path, monkeypatch)
    assert "LR003" in run(["."], capsys)[1]
    modelled = _count_modelling(monkeypatch)
    code, out, _ = run([".", "--select", "LR001"], capsys)
    assert modelled and "LR003" not in out and code == 0


def test_a_damaged_findings_record_is_linted_again(tmp_path, monkeypatch, capsys):
    import json

    _project(tmp_path, monkeypatch)
    cold = run(["."], capsys)
    [version] = [d for d in (tmp_path / ".lrlint_cache").iterdir() if d.is_dir()]
    files = version / "files.json"
    data = json.loads(files.read_text())
    for entry in data["files"].values():
        for key in entry[5]:
            entry[5][key] = [True, [["not", "a", "diagnostic"]]]
    files.write_text(json.dumps(data))
    modelled = _count_modelling(monkeypatch)
    assert run(["."], capsys) == cold and modelled


def test_a_fix_run_models_again_and_the_next_lint_sees_the_fixed_file(tmp_path, monkeypatch,
                                                                       capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", "[project]\nname = 'demo'\n")
    write(tmp_path / "train.py", dedent("""\
        import torch

        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        optimizer.lr = 0.01
    """))
    assert "LR001" in run(["."], capsys)[1]
    run([".", "--fix", "--unsafe-fixes"], capsys)
    assert "optimizer.lr" not in (tmp_path / "train.py").read_text()
    assert "LR001" not in run(["."], capsys)[1]


def test_a_module_created_where_an_import_looked_invalidates_the_findings(tmp_path, monkeypatch,
                                                                          capsys):
    """train.py imports config, which does not exist yet: creating it changes the findings."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", "[project]\nname = 'demo'\n")
    write(tmp_path / "train.py", dedent("""\
        from transformers import TrainingArguments

        from settings import WARMUP_STEPS

        args = TrainingArguments(output_dir="o", lr_scheduler_type="constant",
                                 warmup_steps=WARMUP_STEPS)
    """))
    assert "LR021" not in run(["."], capsys)[1]  # the warm-up is unknown
    write(tmp_path / "settings" / "__init__.py", "WARMUP_STEPS = 300\n")
    assert "LR021" in run(["."], capsys)[1]
