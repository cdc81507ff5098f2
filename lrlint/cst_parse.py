"""libcst's ``parse_module`` without its per-node validation.

Every libcst node checks its own fields when it is constructed (``CSTNode.__post_init__`` calls
``_validate``): a guard against hand-built trees that cannot be rendered. A tree the parser
builds from source is valid by construction, yet the checks cost 15-20% of the parse, and
parsing is most of what a lint run costs. So while lrlint parses, nodes skip the check; nodes
built at any other time (a fix's replacement nodes, a caller's own libcst code) are checked as
always.

Threads (the language server) may parse concurrently: a counter under a lock restores the
check only when the last parse ends. A node built by another thread meanwhile goes unchecked,
which costs nothing: lrlint re-parses every fixed text before writing it.
"""

from __future__ import annotations

import threading

import libcst as cst
from libcst._nodes.base import CSTNode

_VALIDATING_POST_INIT = CSTNode.__post_init__
_lock = threading.Lock()
_parsing = 0


def _unchecked(self: CSTNode) -> None:
    return None


def parse_module(text: str) -> cst.Module:
    """``libcst.parse_module(text)``, its nodes unvalidated (see the module docstring)."""
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
