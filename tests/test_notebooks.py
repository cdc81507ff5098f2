"""Jupyter notebooks: linted by default, positions per cell, fixes written back into the cells."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from cli_helpers import run

from lrlint import lint_source
from lrlint.diagnostics import Edit, Fix, Position
from lrlint.discovery import discover
from lrlint.edits import apply_edits
from lrlint.notebook import NotebookError, mask_ipython, parse_notebook, write_sources

SETUP = [
    "%matplotlib inline\n",
    "!pip install torch\n",
    "import torch\n",
    "model = torch.nn.Linear(2, 1)\n",
    "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n",
    "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)",
]
LOOP = [
    "%%time\n",
    "for epoch in range(30):\n",
    "    scheduler.step()\n",
    "    optimizer.step()\n",
    "    print(scheduler.get_lr())",
]
PROBE = "probe = torch.optim.Adam(model.parameters(), lr=1e-3)\nprobe.lr = 0.01\nmodel?"


def notebook(cells=None, **metadata) -> dict:
    cells = cells if cells is not None else [
        {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": ["# Explore\n", "notes"]},
        code_cell(SETUP, 1),
        {**code_cell(LOOP, 2),
         "outputs": [{"name": "stdout", "output_type": "stream", "text": ["0.1\n"]}]},
        code_cell(PROBE, 3),
        code_cell(["%%bash\n", "echo optim.lr = 1"], None),
    ]
    meta = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": "3.11.0"}}
    meta.update(metadata)
    return {"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": 5}


def code_cell(source, count) -> dict:
    return {"cell_type": "code", "execution_count": count, "id": f"c{count}", "metadata": {},
            "outputs": [], "source": source}


def dump(document: dict, **options) -> str:
    options.setdefault("indent", 1)
    options.setdefault("ensure_ascii", False)
    return json.dumps(document, **options) + "\n"


# --- linting -------------------------------------------------------------------------------


def test_notebook_findings_are_reported_per_cell(project, capsys):
    (project / "explore.ipynb").write_text(dump(notebook()))
    code, out, _ = run(["explore.ipynb", "-q"], capsys)
    assert code == 1
    assert [line.split(" ")[0:3] for line in out.splitlines()] == [
        ["explore.ipynb:cell", "3:3:5:", "LR003"],
        ["explore.ipynb:cell", "3:5:11:", "LR012"],
        ["explore.ipynb:cell", "4:2:1:", "LR001"],
    ]


def test_text_output_shows_the_cells_own_lines(project, capsys):
    (project / "explore.ipynb").write_text(dump(notebook()))
    out = run(["explore.ipynb"], capsys)[1]
    assert "explore.ipynb:cell 4:2:1: LR001 [*] `probe.lr = 0.01`" in out
    assert "1 | probe = torch.optim.Adam(model.parameters(), lr=1e-3)\n2 | probe.lr = 0.01\n" in out
    assert "3 | model?\n" in out  # the cell's text, not the masked module
    assert "Found 3 warnings (3 fixable with --fix)." in out


def test_json_has_rufflike_cell_field_and_cell_relative_locations(project, capsys):
    (project / "explore.ipynb").write_text(dump(notebook()))
    items = json.loads(run(["explore.ipynb", "--output-format", "json"], capsys)[1])
    found = [(i["cell"], i["location"]["row"], i["location"]["column"], i["code"]) for i in items]
    assert found == [(3, 3, 5, "LR003"), (3, 5, 11, "LR012"), (4, 2, 1, "LR001")]
    lr003 = items[0]
    assert lr003["filename"] == str(project / "explore.ipynb") and lr003["noqa_row"] == 3
    # The fix's edits count lines in the cell too: delete line 3, re-insert after line 4.
    edits = lr003["fix"]["edits"]
    assert edits[0]["location"] == {"row": 3, "column": 1}
    assert edits[0]["end_location"] == {"row": 4, "column": 1}
    assert edits[1]["location"]["row"] == 4


def test_notebooks_are_found_when_walking_and_checkpoints_are_not(project):
    (project / "nb").mkdir()
    (project / "nb" / "explore.ipynb").write_text(dump(notebook()))
    (project / "nb" / ".ipynb_checkpoints").mkdir()
    (project / "nb" / ".ipynb_checkpoints" / "explore-checkpoint.ipynb").write_text(
        dump(notebook()))
    files, problems = discover([project])
    assert [f.name for f in files] == ["explore.ipynb"] and problems == []


def test_a_notebook_with_three_bugs_does_not_pass(project, capsys):
    """The issue's report: `lrlint explore.ipynb` said "All checks passed!"."""
    (project / "explore.ipynb").write_text(dump(notebook()))
    out = run(["."], capsys)[1]
    assert "All checks passed!" not in out and out.count("explore.ipynb:cell") == 3


def test_non_python_kernels_and_non_code_cells_are_not_linted():
    r_notebook = notebook(kernelspec={"language": "R", "name": "ir"},
                          language_info={"name": "R"})
    assert lint_source(dump(r_notebook), "analysis.ipynb").diagnostics == []
    markdown = notebook([{"cell_type": "markdown", "metadata": {}, "source": PROBE}])
    assert lint_source(dump(markdown), "notes.ipynb").diagnostics == []


def test_suppression_comments_work_in_cells():
    cells = [code_cell(SETUP, 1), code_cell(PROBE.replace("= 0.01", "= 0.01  # noqa: LR001"), 2)]
    assert lint_source(dump(notebook(cells)), "nb.ipynb").diagnostics == []


def test_syntax_error_in_a_cell_is_located_in_the_cell(project, capsys):
    cells = [code_cell(SETUP, 1), code_cell("for x in range(3)\n    optimizer.step()", 2)]
    (project / "broken.ipynb").write_text(dump(notebook(cells)))
    code, out, _ = run(["broken.ipynb"], capsys)
    assert code == 2 and "broken.ipynb:cell 2:1:" in out and "syntax-error" in out
    assert "1 | for x in range(3)" in out


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('{"cells": [\n  {"cell_type": "code",\n   "source": ["torch.optim" }\n]}',
         "invalid JSON", 3),
        ('{"nbformat": 3, "worksheets": [{"cells": [{"input": "torch.optim"}]}]}',
         "notebook format 3 is not supported", 1),
        ('["torch.optim"]', "not a Jupyter notebook", 1),
        ('{"nbformat": 4, "cells": [{"cell_type": "code", "source": 7}], "x": "optim"}',
         "source is int", 1),
    ],
)
def test_broken_notebook_is_a_clear_file_error(project, capsys, text, message, line):
    # (A notebook without optimizer or scheduler vocabulary is never read, like a .py file.)
    (project / "bad.ipynb").write_text(text)
    (project / "good.py").write_text("import torch\nopt = torch.optim.SGD(p, lr=0.1)\nopt.lr = 1\n")
    code, out, err = run([".", "-q", "--fix"], capsys)
    assert code == 2 and err == ""
    assert f"bad.ipynb:{line}:" in out and "decode-error" in out and message in out
    assert "good.py" not in out  # fixed: the other file was still linted
    assert (project / "bad.ipynb").read_text() == text


def test_stdin_notebook(project, capsys, monkeypatch):
    class Stdin:
        buffer = io.BytesIO(dump(notebook()).encode())

    monkeypatch.setattr(sys, "stdin", Stdin)
    code, out, _ = run(["-", "--stdin-filename", "explore.ipynb", "-q"], capsys)
    assert code == 1 and out.startswith("explore.ipynb:cell 3:3:5: LR003")


# --- fixing --------------------------------------------------------------------------------


def test_fix_writes_back_into_the_cells_and_keeps_the_json_as_it_was(project, capsys):
    original = dump(notebook())
    path = project / "explore.ipynb"
    path.write_text(original)
    code, out, _ = run(["explore.ipynb", "--fix"], capsys)
    assert code == 0 and "3 fixed, 0 remaining" in out
    fixed = path.read_text()
    document = json.loads(fixed)
    expected = notebook()
    expected["cells"][2]["source"] = [
        "%%time\n", "for epoch in range(30):\n", "    optimizer.step()\n",
        "    scheduler.step()\n", "    print(scheduler.get_last_lr())"]
    expected["cells"][3]["source"] = (
        "probe = torch.optim.Adam(model.parameters(), lr=1e-3)\n"
        "for group in probe.param_groups:\n    group[\"lr\"] = 0.01\nmodel?")
    assert document == expected  # outputs, metadata, magics, the string/list forms: kept
    assert fixed == dump(expected)  # and the file's layout: indent 1, key order, final newline
    assert run(["explore.ipynb"], capsys)[1].strip() == "All checks passed!"


@pytest.mark.parametrize("options", [{"indent": 2}, {"indent": None}, {"indent": 4,
                                                                        "ensure_ascii": True}])
def test_only_changed_sources_are_rewritten_in_any_layout(options):
    document = notebook()
    document["cells"][0]["source"] = ["# Café ∑\n", "notes"]
    document["metadata"]["float"] = 1e-05
    raw = dump(document, **options)
    new = write_sources(raw, {4: "probe = 1\nprobe.x = 2\n", 3: ""})
    loaded = json.loads(new)
    assert loaded["cells"][3]["source"] == "probe = 1\nprobe.x = 2\n"  # a string stays a string
    assert loaded["cells"][2]["source"] == []
    expected = notebook()
    expected["cells"][0]["source"] = ["# Café ∑\n", "notes"]
    expected["metadata"]["float"] = 1e-05
    expected["cells"][3]["source"] = "probe = 1\nprobe.x = 2\n"
    expected["cells"][2]["source"] = []
    assert new == dump(expected, **options)


def test_list_source_keeps_its_layout_when_it_grows():
    raw = dump(notebook())
    new = write_sources(raw, {4: "a = 1\nb = 2\nc = 3"})
    document = notebook()
    document["cells"][3]["source"] = "a = 1\nb = 2\nc = 3"
    assert new == dump(document)
    grown = write_sources(raw, {2: "import torch\nx = 1\n"})
    document = notebook()
    document["cells"][1]["source"] = ["import torch\n", "x = 1\n"]
    assert grown == dump(document)


def test_diff_shows_cells_and_writes_nothing(project, capsys):
    original = dump(notebook())
    (project / "explore.ipynb").write_text(original)
    code, out, err = run(["explore.ipynb", "--diff"], capsys)
    assert code == 1 and (project / "explore.ipynb").read_text() == original
    assert "--- explore.ipynb:cell 3\n+++ explore.ipynb:cell 3\n" in out
    assert "-probe.lr = 0.01\n+for group in probe.param_groups:\n" in out
    assert "Would apply 3 fixes to 1 file." in err


def test_fixes_never_cross_a_cell_boundary():
    text = "a = 1\nb = 2\n" + "c = 3\n"
    fence = len("a = 1\nb = 2\n")
    crossing = Fix("join", (Edit(Position(2, 1), Position(3, 2), "x"),))
    inside = Fix("rename", (Edit(Position(3, 1), Position(3, 2), "cc"),))
    before = Fix("grow", (Edit(Position(1, 1), Position(1, 2), "aaa"),))
    applied = apply_edits(text, [crossing, inside, before], fences=[fence])
    assert applied.taken == [inside, before]
    assert applied.text == "aaa = 1\nb = 2\ncc = 3\n"
    assert applied.text[applied.fences[0]:] == "cc = 3\n"


def test_fix_under_a_read_only_notebook_writes_nothing(project, capsys):
    import os

    path = project / "explore.ipynb"
    path.write_text(dump(notebook()))
    os.chmod(path, 0o444)
    code, out, _ = run(["explore.ipynb", "--fix", "-q"], capsys)
    assert code == 2 and "read-only" in out
    assert out.count("explore.ipynb:cell") == 3


def test_add_noqa_in_a_notebook(project, capsys):
    path = project / "explore.ipynb"
    path.write_text(dump(notebook()))
    code, _, err = run(["explore.ipynb", "--add-noqa"], capsys)
    assert code == 0 and "Added 3 suppression comments." in err
    document = json.loads(path.read_text())
    assert document["cells"][2]["source"][2] == "    scheduler.step()  # lrlint: ignore[LR003]\n"
    assert run(["explore.ipynb"], capsys)[1].strip() == "All checks passed!"


# --- masking IPython syntax ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "masked_lines"),
    [
        ("%time f(x)\nx = 1\n", [0]),
        ("!pip install torch \\\n    timm\nx = 1", [0, 1]),
        ("files = !ls\nx, y = %sx ls\n", [0, 1]),
        ("model?\n??model\nmodel.fit??\n", [0, 1, 2]),
        ("x = (a\n     % b)\ny = 'not ! a magic'\n", []),
        ('s = """\n%d items\n!!\n"""\n', []),
        ("if ok:\n    %time train()\n", [1]),
        ("x = 1  # what?\n", []),
    ],
)
def test_ipython_lines_are_masked_keeping_every_line(source, masked_lines):
    originals: dict[int, str] = {}
    masked = mask_ipython(source, originals)
    assert masked.count("\n") == source.count("\n")
    changed = [i for i, (a, b) in enumerate(zip(source.split("\n"), masked.split("\n"))) if a != b]
    assert changed == masked_lines
    compile(masked, "cell", "exec")  # what is left is Python


def test_cell_magics_mask_the_cell_unless_its_body_is_python():
    assert mask_ipython("%%bash\necho hi\n", {}) is None
    assert mask_ipython("%%time\nx = 1\n", {}).endswith("\nx = 1\n")


def test_notebook_module_keeps_cell_lines_apart():
    parsed = parse_notebook(dump(notebook()).encode())
    assert [cell.number for cell in parsed.cells] == [2, 3, 4]
    assert parsed.module.count("\n") == len(SETUP) + len(LOOP) + PROBE.count("\n") + 1


def test_nbformat_3_is_refused_by_name():
    with pytest.raises(NotebookError, match="nbformat 4"):
        parse_notebook(b'{"nbformat": 3, "worksheets": []}')


def test_precommit_hooks_cover_notebooks():
    hooks = (Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml").read_text()
    assert hooks.count("types_or: [python, jupyter]") == 2
    entries = [line for line in hooks.splitlines() if line.strip().startswith("entry:")]
    assert len(entries) == 2 and all("--force-exclude" in entry for entry in entries)
