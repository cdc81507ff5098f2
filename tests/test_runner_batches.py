"""How the runner hands components to workers: a project's components together (they import
the same helpers, whose parsed trees a worker keeps), in batches small enough that every worker
gets several, the largest first; and the findings do not depend on it."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from cli_helpers import run

from lrlint import cst_parse
from lrlint.project.modules import Layout
from lrlint.runner import Candidate, Component, _batches


class _Plan:
    def __init__(self, root: Path) -> None:
        self.index = type("Index", (), {"layout": Layout(str(root))})()


def _component(path: Path, size: int) -> Component:
    return Component((Candidate(str(path), b"x" * size, ("LR003",)),), "off", True)


def _tree(tmp_path: Path, layout: dict[str, list[tuple[str, int]]]) -> list[Component]:
    components = []
    for project, files in layout.items():
        (tmp_path / project).mkdir()
        (tmp_path / project / ".git").mkdir()  # a project root
        for name, size in files:
            components.append(_component(tmp_path / project / name, size))
    return components


def test_each_component_is_in_exactly_one_batch_and_projects_stay_together(tmp_path) -> None:
    components = _tree(tmp_path, {
        "big": [("a.py", 400), ("b.py", 300), ("c.py", 300)],
        "small": [("a.py", 50), ("b.py", 40)],
    })
    batches = _batches(list(range(len(components))), components, _Plan(tmp_path), workers=1)
    flat = [p for batch in batches for p in batch]
    assert sorted(flat) == list(range(len(components)))
    for batch in batches:
        projects = {Path(components[p].candidates[0].path).parent.name for p in batch}
        assert len(projects) == 1


def test_batches_are_cut_so_every_worker_gets_several_largest_first(tmp_path) -> None:
    components = _tree(tmp_path, {"repo": [(f"m{i:02}.py", 100) for i in range(16)]})
    batches = _batches(list(range(16)), components, _Plan(tmp_path), workers=2)
    # 1600 bytes over 2 workers x 4 batches: at most 200 bytes (two components) a batch.
    assert len(batches) == 8
    sizes = [sum(len(components[p].candidates[0].data) for p in b) for b in batches]
    assert sizes == sorted(sizes, reverse=True) and max(sizes) <= 200


def test_a_component_larger_than_the_cut_gets_a_batch_of_its_own(tmp_path) -> None:
    components = _tree(tmp_path, {"repo": [("huge.py", 5000), ("a.py", 10), ("b.py", 10)]})
    batches = _batches([0, 1, 2], components, _Plan(tmp_path), workers=2)
    assert batches[0] == [0]  # alone, and first
    assert sorted(p for b in batches[1:] for p in b) == [1, 2]


HELPERS = "def accuracy(output, target):\n    return (output == target).mean()\n"
SCRIPT = dedent("""\
    import torch
    from helpers import accuracy

    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size={step})
    for batch in loader:
        scheduler.step()
        optimizer.step()
        print(accuracy(batch, batch))
""")


def _run(tmp_path: Path, monkeypatch, capsys) -> tuple[str, list[str]]:
    parsed: list[str] = []
    real = cst_parse._parse_unchecked
    monkeypatch.setattr(cst_parse, "_parse_unchecked",
                        lambda text: parsed.append(text) or real(text))
    # One process: the parses this test counts happen here.
    code, out, _ = run([str(tmp_path), "--no-cache", "--jobs", "1", "--output-format", "concise"],
                       capsys)
    assert code == 1
    return out, parsed


def test_two_scripts_share_the_helper_tree_and_find_the_same(tmp_path, monkeypatch,
                                                              capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "helpers.py").write_text(HELPERS)
    for name, step in (("train_a.py", 10), ("train_b.py", 20)):
        (tmp_path / name).write_text(SCRIPT.format(step=step))
    shared, parsed = _run(tmp_path, monkeypatch, capsys)
    # The scripts are modelled apart (neither sees the other), and each reads helpers.py.
    assert parsed.count(HELPERS) == 1
    assert "train_a.py:7" in shared and "train_b.py:7" in shared and "LR003" in shared
    monkeypatch.setattr("lrlint.runner._SHARED_TREE_CHARS", 0)
    unshared, parsed = _run(tmp_path, monkeypatch, capsys)
    assert parsed.count(HELPERS) == 2
    assert unshared == shared
