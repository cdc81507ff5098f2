"""Test code: where surprising LR values are deliberate.

A unit test of a scheduler builds ``ExponentialLR(gamma=10)`` and asserts ``lr * 10 ** 2`` after
two steps; a test of ``LambdaLR`` uses a constant lambda returning 0.1. Rules about the shape
of a curve (growth, factor or absolute value, a zero start) stay silent when the code is a test
that asserts about the LR it produces, or that steps the scheduler a known, small number of
times.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

from lrlint.analysis.walk import iter_tree

if TYPE_CHECKING:
    from lrlint.analysis.facts import CallSite, Scope
    from lrlint.analysis.model import ModuleModel

_TEST_FILE = re.compile(r"(^|[\\/])(test_[^\\/]*|[^\\/]*_test|conftest)\.py$")
_TEST_DIRECTORY = re.compile(r"(^|[\\/])tests?[\\/]")
_LR_WORDS = re.compile(r"\blr\b|learning_rate|get_last_lr|get_lr|param_groups|_last_lr|base_lrs",
                       re.IGNORECASE)
_ASSERT_CALLS = re.compile(r"^(assert\w*|fail\w*)$")


def in_test_code(model: ModuleModel, scope: Scope) -> bool:
    """The scope is a test: in a test file, or in a ``test*`` function or ``Test*`` class."""
    path = model.path or ""
    if _TEST_FILE.search(path) or _TEST_DIRECTORY.search(path):
        return True
    while scope is not None:
        if scope.function is not None and scope.function.name.startswith("test"):
            return True
        if scope.class_info is not None and scope.class_info.name.startswith("Test"):
            return True
        scope = scope.parent
    return False


def deliberate_in_a_test(model: ModuleModel, site: CallSite | None, steps: int | None = None) -> bool:
    """A scheduler built at ``site`` inside a test that asserts about the LR, or that steps it
    only a handful of times (``steps``): its values are the point of the test."""
    if site is None or not in_test_code(model, site.scope):
        return False
    if steps is not None and steps <= 10:
        return True
    function = site.function
    body = function.node if function is not None else model.module
    return asserts_about_lr(body)


def asserts_about_lr(node: cst.CSTNode) -> bool:
    """An ``assert`` (or ``self.assert*``/``pytest.approx``) in ``node`` reads an LR."""
    for child in iter_tree(node):
        if isinstance(child, cst.Assert) and _mentions_lr(child):
            return True
        if isinstance(child, cst.Call):
            func = child.func
            name = func.attr.value if isinstance(func, cst.Attribute) else (
                func.value if isinstance(func, cst.Name) else "")
            if (_ASSERT_CALLS.match(name) or name == "approx") and _mentions_lr(child):
                return True
    return False


def _mentions_lr(node: cst.CSTNode) -> bool:
    for child in iter_tree(node):
        if isinstance(child, cst.Name) and _LR_WORDS.search(child.value):
            return True
        if isinstance(child, cst.SimpleString) and _LR_WORDS.search(child.value):
            return True
    return False

