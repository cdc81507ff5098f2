"""The byte gates: which files the index parses at all."""

from __future__ import annotations

import pytest

from lrlint.project.gates import (
    NameScan,
    definition_text,
    imported_modules,
    imported_names,
    spells_torch,
)


@pytest.mark.parametrize("text,expected", [
    (b"import torch\nopt = torch.optim.SGD(p, 0.1)", True),
    (b"from torch import nn, optim", True),
    (b"import torch as th\nth.optim.Adam(p)", True),
    (b"scaler = torch.cuda.amp.GradScaler()", True),
    (b"from transformers import get_linear_schedule_with_warmup", True),
    (b"s = get_scheduler('linear', o)", True),
    (b"optimizer.step()  # the optimizer is built elsewhere", False),
    (b"from fairseq.optim import FairseqOptimizer", False),  # the project's package, by name
    (b"lr = args.optim.lr", False),
    (b"x = 1  # see torch.optim.SGD", False),
    (b'NAMES = {"torch.optim.SGD": 1}', False),
    (b"beta_schedule = 'linear'", False),
    (b"from .optim_factory import create_optimizer", False),
])
def test_spells_torch(text, expected):
    assert spells_torch(text) is expected


def test_imports_are_read_from_line_starts():
    text = b"import os, sys as system\nfrom a.b import (\n    c,\n    d as e,\n)\n  from .rel import f\n"
    assert imported_modules(text) == {"os", "sys", "a"}
    assert imported_names(text) == {"c", "d", "f"}


def test_name_scan_needs_an_import_or_a_module_attribute():
    scan = NameScan({"build_lr_scheduler": {"solver", "build"}, "Trainer": {"engine"}})
    assert scan.matches(b"from solver import build_lr_scheduler\n")
    assert scan.matches(b"import solver\nsolver.build_lr_scheduler(cfg, o)\n")
    assert scan.matches(b"from engine import *\nTrainer()\n")
    assert not scan.matches(b"def build_lr_scheduler(): pass\n")  # its own, not the project's
    assert not scan.matches(b"trainer = pl.Trainer()\n")  # another module's Trainer
    assert not scan.matches(b"rebuild_lr_scheduler()\n")
    assert not NameScan({}).matches(b"anything")


def test_definition_text_is_one_top_level_definition():
    text = (b'"""Doc with\ndef fake(): a line in a string\n"""\nimport os\n\ndef a():\n    return 1\n'
            b"x = 2\n@decorate\nclass B(Base):\n    def m(self):\n        pass\n"
            b"if __name__ == '__main__':\n    a()\n")
    assert definition_text(text, "a") == b"def a():\n    return 1\nx = 2\n"
    assert definition_text(text, "B") == b"class B(Base):\n    def m(self):\n        pass\n"
    assert definition_text(text, "x") is None
    assert definition_text(text, "fake") is None  # inside a string: unbalanced quotes before
    assert definition_text(b"def a(): 1\ndef a(): 2\n", "a") is None  # twice
