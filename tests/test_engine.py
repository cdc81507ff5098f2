"""The engine on awkward input: bad files, suppression, the prefilter, and fix safety."""

from __future__ import annotations

import os
from pathlib import Path
from textwrap import dedent

import libcst
import pytest

from lrlint import lint_paths, lint_source
from lrlint.checks.base import FixPlan, ReplaceNode, Rule
from lrlint.cli import main
from lrlint.fixer import fix_text
from lrlint.prefilter import Vocabulary
from lrlint.source import decode

BAD = dedent("""\
    import torch
    opt = torch.optim.SGD(params, lr=0.1)
    opt.lr = 0.01
""")


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def problems(result):
    return [(Path(d.path).name, d.name, d.message) for d in result.diagnostics if d.is_file_error]


def test_bad_files_are_reported_and_the_rest_still_linted(tmp_path, capsys):
    write(tmp_path / "a_syntax.py", b"import torch\ndef broken(:\n    torch.optim.SGD(p, lr=.1).lr = 1\n")
    write(tmp_path / "b_latin1_no_cookie.py", b"import torch  # caf\xe9\nopt = torch.optim.SGD(p)\nopt.lr = 1\n")
    write(tmp_path / "c_latin1_cookie.py", b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + BAD.encode())
    write(tmp_path / "d_empty.py", b"")
    write(tmp_path / "e_dir.py" / "inner.py", BAD.encode())
    write(tmp_path / "f_good.py", BAD.encode())
    result = lint_paths([tmp_path, tmp_path / "missing.py"], jobs=1)
    found = problems(result)
    assert ("a_syntax.py", "syntax-error", "SyntaxError: invalid syntax") in found
    assert any(name == "b_latin1_no_cookie.py" and kind == "decode-error" and "0xe9 on line 1" in msg
               for name, kind, msg in found)
    assert ("missing.py", "io-error", "No such file or directory") in found
    assert len(found) == 3
    linted = sorted(Path(d.path).name for d in result.diagnostics if d.code == "LR001")
    assert linted == ["c_latin1_cookie.py", "f_good.py", "inner.py"]
    code = main([str(tmp_path), str(tmp_path / "missing.py"), "-q"])
    assert code == 2
    out = capsys.readouterr().out
    assert "a_syntax.py:2:12: syntax-error: SyntaxError: invalid syntax" in out


def test_unreadable_file(tmp_path, monkeypatch):
    path = write(tmp_path / "locked.py", BAD.encode())
    real_open = open

    def refusing_open(file, *args, **kwargs):
        if os.fspath(file) == os.fspath(path):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refusing_open)
    result = lint_paths([path, write(tmp_path / "ok.py", BAD.encode())], jobs=1)
    assert problems(result) == [("locked.py", "io-error", "Permission denied")]
    assert [Path(d.path).name for d in result.diagnostics if d.code] == ["ok.py"]


def test_odd_sources_never_crash():
    for source in ["\x00import torch.optim\n", "import torch\n" + "(" * 5000, "\ufeffimport torch\n",
                   "import torch\r" * 3, "import torch\n" + "x = 1 +" * 1, "\\\n"]:
        result = lint_source(source, "odd.py", select=["ALL"])
        assert all(d.is_file_error and d.name == "syntax-error" for d in result.diagnostics), source


def test_deeply_nested_code_is_analysed_or_reported():
    source = "import torch\nx = " + "[" * 400 + "]" * 400 + "\nopt = torch.optim.SGD(p, lr=1)\nopt.lr = 2\n"
    result = lint_source(source, "deep.py")
    assert [d.code for d in result.diagnostics] in (["LR001"], [None])


def test_file_without_vocabulary_is_never_parsed(tmp_path, monkeypatch):
    calls = []
    real_parse = libcst.parse_module
    monkeypatch.setattr(libcst, "parse_module", lambda *a, **k: calls.append(a) or real_parse(*a, **k))
    write(tmp_path / "plain.py", b"import os\nprint(os.getcwd())\ndef f(:\n")
    write(tmp_path / "model.py", b"import torch\nclass Net(torch.nn.Module):\n    pass\n")
    result = lint_paths([tmp_path], jobs=1)
    assert result.diagnostics == [] and calls == []
    write(tmp_path / "train.py", BAD.encode())
    result = lint_paths([tmp_path], jobs=1)
    assert [d.code for d in result.diagnostics] == ["LR001"] and len(calls) == 1


@pytest.mark.parametrize("comment", [
    "# lrlint: ignore[LR001]", "# noqa: LR001", "# lrlint: ignore", "# noqa",
    "# lrlint: ignore[LR003, LR001]", "# NOQA:LR001,E501",
])
def test_inline_suppression(comment):
    source = BAD.replace("opt.lr = 0.01", f"opt.lr = 0.01  {comment}")
    assert lint_source(source, "t.py").diagnostics == []


def test_suppression_of_another_code_does_not_hide():
    source = BAD.replace("opt.lr = 0.01", "opt.lr = 0.01  # noqa: E501  # lrlint: ignore[LR003]")
    assert [d.code for d in lint_source(source, "t.py").diagnostics] == ["LR001"]


def test_ignore_file_directive():
    assert lint_source("# lrlint: ignore-file\n" + BAD, "t.py").diagnostics == []


class _BreakingRule(Rule):
    code = "LR001"
    name = "optimizer-lr-attribute"
    summary = "test double whose fix produces invalid code"
    fixable = True
    vocabulary = (Vocabulary(gates=(b"lr",)),)

    def check(self, context):
        for use in context.model.attribute_uses:
            context.report(use.node, "broken", FixPlan("break it", (ReplaceNode(use.node, "opt.lr ="),)))


def test_fix_that_breaks_syntax_is_refused_and_reported():
    outcome = fix_text("t.py", decode(BAD.encode()), [_BreakingRule()], unsafe=False)
    assert outcome.text == BAD and outcome.applied == 0
    assert any(d.name == "internal-error" and "produced invalid Python" in d.message
               for d in outcome.diagnostics)


class _CrashingRule(_BreakingRule):
    def check(self, context):
        raise RuntimeError("boom")


def test_crashing_rule_becomes_an_internal_error():
    from lrlint.engine import lint_bytes

    result = lint_bytes("t.py", BAD.encode(), [_CrashingRule()])
    (d,) = result.diagnostics
    assert d.name == "internal-error" and "LR001" in d.message and "boom" in d.message


def test_fix_is_idempotent_on_every_fixture():
    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    for path in sorted(fixtures.glob("*.py")):
        once = lint_source(path.read_bytes(), str(path), fix=True, unsafe_fixes=True)
        text = once.fixed_source
        if text is None:
            continue
        twice = lint_source(text, str(path), fix=True, unsafe_fixes=True)
        assert twice.fixed_source is None, path.name
        libcst.parse_module(text)


def test_a_lint_leaves_the_garbage_collector_as_it_found_it(tmp_path, monkeypatch):
    """The runner collects less often while modelling in the caller's process, and restores
    the caller's settings."""
    import gc

    import lrlint.runner
    from lrlint import lint_paths

    (tmp_path / "train.py").write_text(
        "import torch\nopt = torch.optim.SGD(p, lr=0.1)\nopt.lr = 0.01\n")
    before = gc.get_threshold()
    seen = []
    real = lrlint.runner._run_component

    def spying(component):
        seen.append((gc.isenabled(), gc.get_threshold()))
        return real(component)

    monkeypatch.setattr(lrlint.runner, "_run_component", spying)
    assert [d.code for d in lint_paths([tmp_path], jobs=1).diagnostics] == ["LR001"]
    assert seen and seen[0][0] and seen[0][1] != before
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_worker_pauses_the_collector_per_component_and_freezes_what_survives(monkeypatch):
    import gc
    import multiprocessing

    import lrlint.runner
    from lrlint.runner import Candidate, Component, run_components

    seen = []
    monkeypatch.setattr(lrlint.runner, "_run_component",
                        lambda component: seen.append(gc.isenabled()) or
                        lrlint.runner.ComponentOutcome([]))
    monkeypatch.setattr(multiprocessing, "parent_process", lambda: object())  # as in a worker
    component = Component((Candidate("train.py", b"", ("LR001",)),), "off", False)
    try:
        with lrlint.runner._collector_settings():
            run_components((component, component))
            assert seen == [False, False] and gc.isenabled()
            assert gc.get_freeze_count() > 0  # the survivors are frozen ...
        assert gc.get_freeze_count() == 0  # ... until the run ends
    finally:
        gc.unfreeze()
