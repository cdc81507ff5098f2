"""libcst's ``parse_module`` without its per-node validation, and trees shared between the
projects one lint run models.

Every libcst node checks its own fields when it is constructed (``CSTNode.__post_init__`` calls
``_validate``): a guard against hand-built trees that cannot be rendered. A tree the parser
builds from source is valid by construction, yet the checks cost 15-20% of the parse, and
parsing is most of what a lint run costs. So while lrlint parses, nodes skip the check; nodes
built at any other time (a fix's replacement nodes, a caller's own libcst code) are checked as
always.

Threads (the language server) may parse concurrently: a counter under a lock restores the
check only when the last parse ends. A node built by another thread meanwhile goes unchecked,
which costs nothing: lrlint re-parses every fixed text before writing it.

A run models each group of files that can see each other as its own project, and the groups of
one repository import the same helper modules: inside :func:`sharing_trees`, a file parsed
again with the same text gets the tree parsed before (trees are immutable; every fact a
project derives from a node lives in that project's own tables).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import libcst as cst
from libcst._nodes.base import CSTNode

_VALIDATING_POST_INIT = CSTNode.__post_init__
_lock = threading.Lock()
_parsing = 0

# (path, text) -> tree, least recently used first; None outside sharing_trees().
_shared: OrderedDict[tuple[str, str], cst.Module] | None = None
_shared_chars = 0
_shared_limit = 0


def _unchecked(self: CSTNode) -> None:
    return None


def parse_module(text: str, path: str | None = None) -> cst.Module:
    """``libcst.parse_module(text)``, its nodes unvalidated (see the module docstring). With a
    ``path``, inside :func:`sharing_trees`, the tree of an earlier parse of the same file and
    text."""
    shared = _shared
    key = (path, text) if path is not None and shared is not None else None
    if key is not None:
        found = shared.get(key)
        if found is not None:
            shared.move_to_end(key)
            return found
    module = _parse_unchecked(text)
    if key is not None:
        _remember(shared, key, module)
    return module


def _parse_unchecked(text: str) -> cst.Module:
    global _parsing
    with _lock:
        _parsing += 1
        CSTNode.__post_init__ = _unchecked
    try:
        return cst.parse_module(text)
    finally:
        with _lock:
            _parsing -= 1
            if _parsing == 0:
                CSTNode.__post_init__ = _VALIDATING_POST_INIT


def _remember(shared: OrderedDict, key: tuple[str, str], module: cst.Module) -> None:
    global _shared_chars
    size = len(key[1])
    if size > _shared_limit:
        return
    shared[key] = module
    _shared_chars += size
    while _shared_chars > _shared_limit:
        (_, text), _ = shared.popitem(last=False)
        _shared_chars -= len(text)


@contextmanager
def sharing_trees(limit_chars: int) -> Iterator[None]:
    """Within this block (one lint run, and the worker processes forked inside it), reuse the
    trees of up to ``limit_chars`` characters of recently parsed source (a tree takes about 40
    bytes of memory per character)."""
    global _shared, _shared_chars, _shared_limit
    before = _shared, _shared_chars, _shared_limit
    _shared, _shared_chars, _shared_limit = OrderedDict(), 0, limit_chars
    try:
        yield
    finally:
        _shared, _shared_chars, _shared_limit = before
