"""Call chains: where a call runs, seen through the calls that lead to it.

A chain is a tuple of call sites, outermost first, ending at the call itself (``Event.chain``,
``Relation.first_chain``). Its *frames* are the loops around it in every function it passes
through; its *path* is every conditional block (and loop body) around it. The model relates two
events (``model.relate``); rules also place a param-group write or a rebinding relative to a
scheduler's construction and steps: such a fact becomes a pseudo call site (``fact_site``) so
that ``model.relate_chains`` can answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from lrlint.analysis.facts import Block, CallSite, Loop, Scope, Statement
from lrlint.analysis.model import ModuleModel, TrackedObject


def fact_site(node: cst.CSTNode, scope: Scope, order: int, path: tuple[Block, ...],
              loops: tuple[Loop, ...], statement: Statement | None) -> CallSite:
    """A call site standing for a non-call fact (relate only reads scope, order and loops)."""
    conditions = tuple(block for block, _ in path if isinstance(block, cst.If))
    return CallSite(node=node, scope=scope, order=order, path=path, loops=loops,  # type: ignore[arg-type]
                    conditions=conditions, statement=statement)


@dataclass(frozen=True)
class Frame:
    """A loop around a call, and the call site (in the same function) it was found through."""

    loop: Loop
    site: CallSite

    @property
    def scope(self) -> Scope:
        return self.site.scope


def frames(chain: tuple[CallSite, ...]) -> list[Frame]:
    """Every loop around the last call of ``chain``, outermost first, across functions."""
    return [Frame(loop, site) for site in chain for loop in site.loops]


def chain_loops(chain: tuple[CallSite, ...]) -> list[Loop]:
    """Every loop around the last call of ``chain``, outermost first, across its frames."""
    return [loop for site in chain for loop in site.loops]


def chain_path(chain: tuple[CallSite, ...]) -> list[Block]:
    """Every conditional block (and loop body) around the last call of ``chain``, outermost
    first."""
    return [block for site in chain for block in site.path]


def is_conditional(block: Block) -> bool:
    """An ``if``/``except``/``else`` branch, not the body of a loop."""
    node, branch = block
    return not (isinstance(node, (cst.For, cst.While)) and branch == "body")


def exclusive(first: tuple[CallSite, ...], second: tuple[CallSite, ...]) -> bool:
    """True when the two chains sit in different branches of one ``if``/``try`` (they never
    run in the same pass)."""
    branches = {id(node): branch for node, branch in chain_path(first)}
    return any(
        id(node) in branches and branches[id(node)] != branch
        for node, branch in chain_path(second)
    )


def blocks_inside(chain: tuple[CallSite, ...], loop: Loop | None) -> list[Block] | None:
    """The blocks around the end of ``chain`` nested inside ``loop``'s body: the conditions under
    which it runs in one iteration (the whole path when ``loop`` is None; None when ``chain``
    does not run inside ``loop``)."""
    path = chain_path(chain)
    if loop is None:
        return path
    for index, (node, branch) in enumerate(path):
        if node is loop.node and branch == "body":
            return path[index + 1:]
    return None


def conditions_inside(chain: tuple[CallSite, ...], loop: Loop | None) -> list[cst.CSTNode]:
    """The ``if``/``except``/``else`` blocks (not loops) around ``chain``'s end inside ``loop``."""
    blocks = blocks_inside(chain, loop)
    return [node for node, branch in (chain_path(chain) if blocks is None else blocks)
            if is_conditional((node, branch))]


def constructed_before(model: ModuleModel, obj: TrackedObject, chain: tuple[CallSite, ...]) -> bool:
    """True when ``obj``'s constructor certainly ran before the end of ``chain``: earlier in a
    shared frame, or in ``__init__`` of the class another method of which ``chain`` runs in."""
    if obj.site is None:
        return False
    relation = model.relate_chains((obj.site,), chain)
    if relation is not None:
        return relation.first_before_second
    built_in = obj.site.function
    if built_in is None or built_in.name != "__init__" or built_in.class_info is None:
        return False
    return any(
        (function := site.function) is not None and function is not built_in
        and function.class_info is built_in.class_info
        for site in chain
    )


def text_mentions(module: cst.Module, nodes, word: str) -> bool:
    """True when the source of any of ``nodes`` contains ``word`` (case-insensitive)."""
    word = word.lower()
    return any(word in module.code_for_node(node).lower() for node in nodes)
