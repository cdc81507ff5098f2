"""The prefilter is a necessary condition: skipping it never changes what lrlint finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from rule_pages import all_pages

from lrlint import engine, lint_source
from lrlint.checks import all_rules
from lrlint.prefilter import SCHEDULER

FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures").glob("*.py"))
EXAMPLES = [(f"{page.code}-{kind}{index}", source)
            for page in all_pages()
            for kind, sources in (("bad", page.bad), ("good", page.good))
            for index, source in enumerate(sources)]
EXAMPLES += [(path.name, path.read_text(encoding="utf-8")) for path in FIXTURES]


def without_prefilter(data, rules):
    return list(rules)


@pytest.mark.parametrize("name,source", EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_prefilter_never_hides_a_finding(name, source, monkeypatch):
    with_filter = lint_source(source, name, select=["ALL"]).diagnostics
    monkeypatch.setattr(engine, "rules_for", without_prefilter)
    assert lint_source(source, name, select=["ALL"]).diagnostics == with_filter


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
def test_every_rule_declares_a_vocabulary(rule):
    assert rule.vocabulary and all(v.gates for v in rule.vocabulary)


@pytest.mark.parametrize("text,expected", [
    (b"from torch.optim.lr_scheduler import StepLR", True),
    (b"import torch\ns = torch.optim.lr_scheduler.OneCycleLR(opt, 0.1, 100)", True),
    (b"from torch.optim.swa_utils import SWALR", True),
    (b"get_linear_schedule_with_warmup(opt, 10, 100)", True),
    (b"from transformers import get_scheduler", True),
    (b"from diffusers.optimization import get_cosine_schedule_with_warmup", True),
    (b'graph.attr(rankdir="LR")', False),
    (b"class S(LRScheduler): pass  # no import: not torch's", False),
    (b"node = self.get_scheduler_node_symbol_uses()", False),
    (b"cls = get_schedule_class(name)", False),
    (b'SKIP = {"torch.optim.lr_scheduler.StepLR.step"}', False),
    (b'FILES = {f"{root}optim/lr_scheduler.py"}', False),
    (b"x = 1  # see torch.optim.lr_scheduler", False),
    (b'x = "#"; from torch.optim.lr_scheduler import StepLR', True),
    (b"import torch.optim.lr_scheduler as S", True),
])
def test_scheduler_vocabulary(text, expected):
    assert SCHEDULER.matches(text) is expected
