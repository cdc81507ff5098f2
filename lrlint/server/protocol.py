"""lrlint's records as LSP messages: diagnostics, quick fixes, "fix all" and hovers."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from lrlint.diagnostics import Diagnostic, Fix
from lrlint.server.hover import directive_code_at, findings_at, rule_markdown
from lrlint.server.linting import Document, Linted
from lrlint.server.positions import LineIndex

SOURCE = "lrlint"
FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.lrlint"  # source.fixAll.lrlint
CODE_ACTION_KINDS = (types.CodeActionKind.QuickFix, FIX_ALL_KIND)

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
}


def lsp_range(index: LineIndex, start: int, end: int) -> types.Range:
    """The LSP range between two offsets."""
    return types.Range(types.Position(*index.to_lsp(start)), types.Position(*index.to_lsp(end)))


def finding_range(index: LineIndex, diagnostic: Diagnostic) -> types.Range:
    return lsp_range(index, index.offset_of(diagnostic.start), index.offset_of(diagnostic.end))


def lsp_diagnostic(index: LineIndex, diagnostic: Diagnostic) -> types.Diagnostic:
    return types.Diagnostic(
        range=finding_range(index, diagnostic),
        message=diagnostic.message,
        severity=_SEVERITY.get(diagnostic.severity, types.DiagnosticSeverity.Warning),
        code=diagnostic.code,
        code_description=types.CodeDescription(href=diagnostic.url) if diagnostic.url else None,
        source=SOURCE,
    )


def lsp_diagnostics(linted: Linted, encoding: str) -> list[types.Diagnostic]:
    index = LineIndex(linted.document.text, encoding)
    return [lsp_diagnostic(index, d) for d in linted.findings]


def workspace_edit(document: Document, edits: Sequence[types.TextEdit],
                   versioned: bool) -> types.WorkspaceEdit:
    """Edits to one document; versioned (so a client refuses them on a newer text) when the
    client supports ``documentChanges``."""
    if versioned:
        identifier = types.OptionalVersionedTextDocumentIdentifier(document.uri, document.version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(identifier, list(edits))])
    return types.WorkspaceEdit(changes={document.uri: list(edits)})


def fix_edits(index: LineIndex, fix: Fix) -> list[types.TextEdit]:
    return [types.TextEdit(lsp_range(index, index.offset_of(e.start), index.offset_of(e.end)),
                           e.content) for e in fix.edits]


def replacement_edit(index: LineIndex, new_text: str) -> types.TextEdit:
    """One edit that turns the indexed text into ``new_text``, covering only what differs (a
    whole-document replacement would move the cursor and the folds)."""
    old = index.text
    prefix = 0
    limit = min(len(old), len(new_text))
    while prefix < limit and old[prefix] == new_text[prefix]:
        prefix += 1
    suffix = 0
    while (suffix < limit - prefix
           and old[len(old) - 1 - suffix] == new_text[len(new_text) - 1 - suffix]):
        suffix += 1
    return types.TextEdit(lsp_range(index, prefix, len(old) - suffix),
                          new_text[prefix:len(new_text) - suffix])


def wants(only: Sequence[str] | None, kind: str) -> bool:
    """Whether a request filtered by ``only`` asks for ``kind`` (kinds are hierarchical:
    ``source.fixAll`` asks for ``source.fixAll.lrlint``)."""
    return only is None or any(kind == k or kind.startswith(f"{k}.") for k in only)


def quick_fixes(linted: Linted, index: LineIndex, start: int, end: int,
                versioned: bool) -> list[types.CodeAction]:
    """One quick fix per fixable finding that touches the offsets ``start``..``end``."""
    actions = []
    for finding in linted.findings:
        fix = finding.fix
        if fix is None:
            continue
        if not (index.offset_of(finding.start) <= end and start <= index.offset_of(finding.end)):
            continue
        safe = fix.applicability == "safe"
        title = f"lrlint ({finding.code}): {fix.message}" + ("" if safe else " (unsafe)")
        actions.append(types.CodeAction(
            title=title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[lsp_diagnostic(index, finding)],
            is_preferred=safe,
            edit=workspace_edit(linted.document, fix_edits(index, fix), versioned),
        ))
    return actions


def fix_all_action(document: Document, index: LineIndex, fixed_text: str,
                   versioned: bool) -> types.CodeAction:
    return types.CodeAction(
        title="lrlint: Fix all auto-fixable problems",
        kind=FIX_ALL_KIND,
        edit=workspace_edit(document, [replacement_edit(index, fixed_text)], versioned),
    )


def hover(linted: Linted, index: LineIndex, offset: int) -> types.Hover | None:
    """The rule page of the finding or the suppression code at ``offset``."""
    line = index.to_lsp(offset)[0]
    line_start = index.starts[line]
    column = offset - line_start  # 0-based, in code points
    findings = [d for d in findings_at(linted.findings, line + 1, column + 1) if d.code]
    if findings:
        codes = list(dict.fromkeys(d.code for d in findings))
        pages = [page for code in codes if (page := rule_markdown(code)) is not None]
        where = finding_range(index, findings[0])
    else:
        found = directive_code_at(index.line_text(line), column)
        if found is None:
            return None
        code, start, end = found
        page = rule_markdown(code)
        pages = [page] if page is not None else []
        where = lsp_range(index, line_start + start, line_start + end)
    if not pages:
        return None
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, "\n\n---\n\n".join(pages)),
                       where)
