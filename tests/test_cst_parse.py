"""lrlint.cst_parse parses as libcst does, and turns libcst's node checks back on afterwards."""

from __future__ import annotations

import threading
from pathlib import Path

import libcst as cst
import pytest
from libcst._nodes.base import CSTNode

from lrlint.cst_parse import parse_module, sharing_trees

ROOT = Path(__file__).resolve().parent.parent


def _invalid_node() -> cst.CSTNode:
    # libcst's check refuses a Name that is not an identifier.
    return cst.Name("not an identifier")


@pytest.mark.parametrize("path", sorted((ROOT / "fixtures").rglob("*.py"))[:40], ids=str)
def test_same_tree_as_libcst(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast = parse_module(text)
    assert fast.deep_equals(cst.parse_module(text))
    assert fast.code == text


def test_checks_are_back_after_a_parse() -> None:
    parse_module("x = 1\n")
    with pytest.raises(cst.CSTValidationError):
        _invalid_node()


def test_checks_are_back_after_a_failed_parse() -> None:
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("def (:\n")
    with pytest.raises(cst.CSTValidationError):
        _invalid_node()


def test_nodes_are_unchecked_only_while_parsing(monkeypatch) -> None:
    seen = []
    real_parse = cst.parse_module

    def spying_parse(text):
        seen.append(CSTNode.__post_init__)
        return real_parse(text)

    monkeypatch.setattr(cst, "parse_module", spying_parse)
    parse_module("y = 2\n")
    validating = CSTNode.__post_init__
    assert seen and seen[0] is not validating


def test_concurrent_parses_leave_checks_on() -> None:
    text = (ROOT / "fixtures").rglob("*.py").__next__().read_text(encoding="utf-8")
    errors = []

    def work() -> None:
        try:
            for _ in range(5):
                parse_module(text)
        except Exception as error:  # noqa: BLE001 - any failure in a thread is reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with pytest.raises(cst.CSTValidationError):
        _invalid_node()


# -- trees shared between the projects of one run ------------------------------------------------


def test_outside_sharing_each_parse_builds_a_new_tree() -> None:
    assert parse_module("x = 1\n", "a.py") is not parse_module("x = 1\n", "a.py")


def test_sharing_gives_the_same_file_and_text_the_same_tree() -> None:
    with sharing_trees(1000):
        first = parse_module("x = 1\n", "a.py")
        assert parse_module("x = 1\n", "a.py") is first
        assert parse_module("x = 2\n", "a.py") is not first  # the file changed
        # Another file with the same text gets its own nodes: one project may hold both, and
        # its facts are keyed by node.
        assert parse_module("x = 1\n", "b.py") is not first
        assert parse_module("x = 1\n") is not first  # no path: never shared
    assert parse_module("x = 1\n", "a.py") is not first


def test_sharing_keeps_the_most_recently_used_trees_within_its_limit() -> None:
    one, two, three = "a = 1\n", "b = 22\n", "c = 333\n"
    with sharing_trees(len(one) + len(two) + 1):
        tree_one = parse_module(one, "one.py")
        tree_two = parse_module(two, "two.py")
        assert parse_module(one, "one.py") is tree_one  # one is now the most recent
        parse_module(three, "three.py")  # over the limit: two, the least recent, goes
        assert parse_module(one, "one.py") is tree_one
        assert parse_module(two, "two.py") is not tree_two


def test_a_text_over_the_limit_is_not_kept() -> None:
    with sharing_trees(3):
        assert parse_module("long = 1\n", "a.py") is not parse_module("long = 1\n", "a.py")
