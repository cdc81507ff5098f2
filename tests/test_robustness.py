"""Random and mutated input must never make lrlint raise: every outcome is a diagnostic."""

from __future__ import annotations

from pathlib import Path

import libcst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrlint import lint_source

FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures").glob("*.py"))
SOURCES = [path.read_text(encoding="utf-8") for path in FIXTURES]
# Text made of Python-ish pieces reaches the parser and the model far more often than noise.
TOKENS = st.sampled_from([
    "import torch\n", "opt = torch.optim.SGD(p, lr=0.1)\n", "s = torch.optim.lr_scheduler.StepLR(opt, 3)\n",
    "for e in range(10):\n", "    ", "s.step()\n", "opt.step()\n", "opt.lr = -1\n", "def f(x):\n",
    "    return x\n", "class C(torch.optim.Optimizer):\n", "if x:\n", "else:\n", "lambda e: e / 0\n",
    "g['lr'] = -0.1\n", "(", ")", "[", "]", ":", ",", "\n", "'", '"', "#", "\\", "\t", "\r\n",
    "self.opt", "=", "*", "**", "yield", "async ", "await ", "global x\n", "nonlocal y\n",
])
settings_ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_never_raises(source) -> None:
    for fix in (False, True):
        result = lint_source(source, "fuzz.py", select=["ALL"], fix=fix, unsafe_fixes=fix)
        for diagnostic in result.diagnostics:
            assert diagnostic.name != "internal-error", diagnostic.message
        if result.fixed_source is not None:
            libcst.parse_module(result.fixed_source)  # a fix never produces invalid code


@settings_
@given(st.lists(TOKENS, max_size=40).map("".join))
def test_python_like_token_soup(source):
    check_never_raises(source)


@settings_
@given(st.text(max_size=300))
def test_arbitrary_text(source):
    check_never_raises(source)


@settings_
@given(st.binary(max_size=300).map(lambda b: b"import torch.optim\nopt.lr = 1\n" + b))
def test_arbitrary_bytes(data):
    check_never_raises(data)


@settings_
@given(st.sampled_from(SOURCES), st.data())
def test_mutated_fixtures(source, data):
    lines = source.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["drop", "dup", "dedent", "swap", "cut"]))
        if action == "drop":
            del lines[index]
        elif action == "dup":
            lines.insert(index, lines[index])
        elif action == "dedent":
            lines[index] = lines[index].lstrip()
        elif action == "swap" and index + 1 < len(lines):
            lines[index], lines[index + 1] = lines[index + 1], lines[index]
        elif action == "cut":
            lines[index] = lines[index][: data.draw(st.integers(0, len(lines[index])))]
        if not lines:
            break
    check_never_raises("".join(lines))


def test_a_global_declared_but_never_assigned_at_module_level():
    """torch/_dynamo/resume_execution.py: `global X` in a function, X bound nowhere."""
    import libcst

    from lrlint.analysis.model import ModuleModel

    model = ModuleModel(libcst.parse_module(
        "def f():\n    global never_bound\n    never_bound.step()\n    never_bound._pop()\n"))
    assert model.objects == []
