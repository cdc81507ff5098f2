"""What a rule is, and what it hands back: a report anchored on a node, with an optional fix.

A rule is a small class that describes itself (code, name, summary, severity, the vocabulary the
prefilter needs) and implements ``check(context)``: a query over the module's training model
that calls ``context.report(...)``. Fixes are expressed on nodes; the engine turns them into text
edits once positions are known, so rules never deal with line and column arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import libcst as cst

from lrlint.diagnostics import Applicability, Severity
from lrlint.prefilter import Vocabulary

if TYPE_CHECKING:
    from lrlint.analysis.facts import Scope
    from lrlint.analysis.model import ModuleModel
    from lrlint.source import SourceText

DOCS_URL = "https://github.com/lrlint/lrlint/blob/main/rules/{code}.md"


@dataclass(frozen=True)
class ReplaceNode:
    """Replace the text of ``node`` with ``content`` (``\n``-separated lines). With ``reindent``,
    lines after the first are indented like the line ``node`` starts on."""

    node: cst.CSTNode
    content: str
    reindent: bool = False


@dataclass(frozen=True)
class DeleteLines:
    """Delete the whole lines a statement occupies (its trailing comment included)."""

    node: cst.CSTNode


@dataclass(frozen=True)
class InsertLinesAfter:
    """Insert ``content`` (``\\n``-separated lines, without indentation) after the last line of
    statement ``node``, indented like ``node``."""

    node: cst.CSTNode
    content: str


NodeEdit = ReplaceNode | DeleteLines | InsertLinesAfter


@dataclass(frozen=True)
class FixPlan:
    message: str
    edits: tuple[NodeEdit, ...]
    applicability: Applicability = "safe"


@dataclass(frozen=True)
class Report:
    code: str
    node: cst.CSTNode
    message: str
    fix: FixPlan | None = None
    # Plain data a tool can use without parsing the message (``lrlint explain`` reads how a
    # finding reshapes the LR curve: ``{"effect": "squeeze", "factor": 8}``).
    facts: Mapping[str, object] | None = field(default=None, compare=False)


class Rule:
    """Base class: subclasses set the class attributes and implement :meth:`check`."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity] = "warning"
    fixable: ClassVar[bool] = False  # True when at least some findings carry a fix
    vocabulary: ClassVar[tuple[Vocabulary, ...]]
    # False for rules that judge lrlint's own comments, which any file may hold: the others can
    # only speak where the run's plan says a tracked object is visible.
    needs_tracked_object: ClassVar[bool] = True

    def check(self, context: RuleContext) -> None:
        raise NotImplementedError

    @classmethod
    def url(cls) -> str:
        return DOCS_URL.format(code=cls.code)


@dataclass
class RuleContext:
    """What a rule sees: the model, the source, and a way to report."""

    model: ModuleModel
    source: SourceText
    path: str = ""
    reports: list[Report] = field(default_factory=list)
    rule: Rule | None = None

    @property
    def module(self) -> cst.Module:
        return self.model.module

    def report(self, node: cst.CSTNode, message: str, fix: FixPlan | None = None,
               facts: Mapping[str, object] | None = None,
               here: cst.CSTNode | None = None) -> None:
        """Report a finding at ``node``. A rule looking at an object of another module may
        reach that module's nodes: findings there belong to that module's own run, unless
        ``here`` names the node of this module that brings them in (an ``lr_lambda=`` argument
        whose function is defined elsewhere): the finding is then reported there."""
        assert self.rule is not None
        if not self.model.owns(node):
            if here is None or not self.model.owns(here):
                return
            node, fix = here, None
        if fix is not None and not all(self.model.owns(edit.node) for edit in fix.edits):
            fix = None
        self.reports.append(Report(self.rule.code, node, message, fix, facts))

    def code_for(self, node: cst.CSTNode) -> str:
        return self.model.code_for(node)

    def fold(self, expr: cst.BaseExpression | None, scope: Scope, order: int) -> object:
        """The constant value of ``expr`` as seen at (scope, order), or ``Unknown``."""
        return self.model.fold(expr, scope, order)
