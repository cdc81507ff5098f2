"""Where a few nodes of a module are, without generating the whole module's positions.

libcst's ``PositionProvider`` regenerates the code of the entire module while tracking every
token's line and column: on a 50k-line file that is most of a lint's time, for the one node a
finding points at. Here the module's top-level statements are generated as plain text once
(several times cheaper), noting which statements hold a wanted node; each statement's first line
follows from the text before it, and positions are tracked only inside the statements holding a
wanted node. The ranges are the ``PositionProvider``'s, node for node.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

_NEWLINE = re.compile(r"\r\n?|\n")  # as libcst counts lines


def node_positions(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> Mapping[cst.CSTNode, CodeRange]:
    """The ``PositionProvider`` range of each of ``nodes`` (and of the nodes around them)."""
    wanted = list(dict.fromkeys(nodes))
    if not wanted:
        return {}
    try:
        found = _by_statement(module, wanted)
    except Exception:  # noqa: BLE001 - libcst internals changed: the whole-module way
        found = None
    if found is None:
        return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return found


def _by_statement(module: cst.Module, wanted: list[cst.CSTNode]) -> dict | None:
    from libcst._nodes.internal import CodegenState
    from libcst.metadata.position_provider import PositionProvidingCodegenState

    class ScanningState(CodegenState):
        """Plain code generation that notes whether a wanted node went by."""

        __slots__ = ("holds", "wanted")

        def __init__(self, wanted: set) -> None:
            super().__init__(module.default_indent, module.default_newline)
            self.wanted = wanted
            self.holds = False

        def before_codegen(self, node: cst.CSTNode) -> None:
            if node in self.wanted:
                self.holds = True

    provider = PositionProvider()
    computed = provider._computed  # what PositionProvider fills: node -> range (private)
    targets = set(wanted)
    line = 1 + sum(len(_NEWLINE.findall(module.code_for_node(h))) for h in module.header)
    for statement in module.body:
        scan = ScanningState(targets)
        statement._codegen(scan)
        if scan.holds:
            state = PositionProvidingCodegenState(default_indent=module.default_indent,
                                                  default_newline=module.default_newline,
                                                  provider=provider)
            state.line, state.column = line, 0
            statement._codegen(state)
        line += len(_NEWLINE.findall("".join(scan.tokens)))
    if any(node not in computed for node in wanted):
        return None  # not in the body (the module itself, a header comment)
    return computed
