"""lrlint.positions gives every node the range libcst's PositionProvider gives it, while
tracking positions only in the statements that hold the wanted nodes."""

from __future__ import annotations

import random
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from lrlint.positions import node_positions

ROOT = Path(__file__).resolve().parent.parent

TRICKY = {
    "crlf": "import torch\r\n\r\nopt = torch.optim.SGD(p, lr=0.1)\r\nopt.lr = 0.01\r\n",
    "header and no trailing newline": "# a header comment\n\n\nx = 1; y = 2\nprint(x)",
    "decorators and nesting": (
        "@decorator(\n    arg=1,\n)\n# comment\nclass Trainer:\n    '''Doc.\n\n    more'''\n\n"
        "    @property\n    def lr(self):\n        if self.x:\n            return (\n"
        "                self.y\n            )\n        return 0\n"
    ),
    "same text twice": (
        "def one(s, o):\n    s.step()\n    o.step()\n\n\ndef two(s, o):\n    s.step()\n"
        "    o.step()\n"
    ),
    "tabs and continuation": "if x:\n\tdef f(a,\n\t      b):\n\t\treturn a + \\\n\t\t\tb\n",
}


def _sources() -> list[tuple[str, str]]:
    files = sorted([*(ROOT / "fixtures").rglob("*.py"), *(ROOT / "tests" / "explain_inputs").glob("*.py")])
    return [*TRICKY.items(), *((f.name, f.read_text()) for f in files[:40])]


def _all_nodes(module: cst.Module) -> list[cst.CSTNode]:
    nodes, stack = [], [module]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.children)
    return nodes


@pytest.mark.parametrize(("name", "text"), _sources(), ids=[n for n, _ in _sources()])
def test_every_node_has_the_position_providers_range(name, text):
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = [n for n in _all_nodes(module) if n is not module]
    assert nodes
    found = node_positions(module, nodes)
    assert all(found[n] == expected[n] for n in nodes)
    # One node at a time: only its statements are tracked, and its range is the same.
    for node in random.Random(name).sample(nodes, min(25, len(nodes))):
        assert node_positions(module, [node])[node] == expected[node]


def test_only_the_statements_holding_the_nodes_are_tracked():
    text = "".join(f"def f{i}(s):\n    s.step()\n\n\n" for i in range(50))
    module = cst.parse_module(text)
    target = module.body[30].body.body[0].body[0].value  # the call in f30
    found = node_positions(module, [target])
    assert found[target].start.line == 30 * 4 + 2
    assert module.body[29] not in found and module.body[31] not in found
    assert module.body[30] in found


def test_the_module_itself_falls_back_to_the_whole_module_provider():
    module = cst.parse_module("x = 1\n")
    assert node_positions(module, [module])[module].start.line == 1
    assert node_positions(module, []) == {}
