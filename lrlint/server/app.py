"""The language server: pygls wiring, the open documents, and when to lint them.

A document is linted when it opens or is saved, and ``debounceMs`` after the last keystroke of a
burst of changes. Linting runs in a worker thread so that hovers and code actions stay
responsive, and a result is published only if the document has not changed meanwhile.

Initialization options (all optional)::

    {"unsafeFixes": false, "debounceMs": 200}

``unsafeFixes`` lets "fix all" apply unsafe fixes too; a quick fix is offered for every fix
(unsafe ones say so in their title and are never the preferred action).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from lrlint._version import __version__
from lrlint.server import protocol
from lrlint.server.linting import Document, Linted, fix_all, lint, uri_to_path
from lrlint.server.positions import UTF16, LineIndex

logger = logging.getLogger(__name__)

DEFAULT_DEBOUNCE_MS = 200
_LINTED_LANGUAGES = ("python",)
# Files and unsaved buffers. Not notebook cells (one cell alone would make false alarms: a
# scheduler built in one cell and stepped in another is "never stepped"), nor diff views.
_LINTED_SCHEMES = ("file", "untitled")


@dataclass
class Options:
    unsafe_fixes: bool = False
    debounce_s: float = DEFAULT_DEBOUNCE_MS / 1000

    @classmethod
    def parse(cls, raw: object) -> Options:
        options = cls()
        if not isinstance(raw, dict):
            return options
        if isinstance(raw.get("unsafeFixes"), bool):
            options.unsafe_fixes = raw["unsafeFixes"]
        delay = raw.get("debounceMs")
        if isinstance(delay, (int, float)) and not isinstance(delay, bool) and delay >= 0:
            options.debounce_s = delay / 1000
        return options


class LrlintServer(LanguageServer):
    def __init__(self) -> None:
        # Full sync: the client sends the whole text on each change. A training script is small,
        # and lrlint then never depends on applying incremental edits with another tool's idea of
        # where lines end (pygls splits at form feeds and U+2028, LSP does not).
        super().__init__("lrlint", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.options = Options()
        self.root: str | None = None
        self.documents: dict[str, Document] = {}
        self.linted: dict[str, Linted] = {}
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.shown_config_errors: set[str] = set()
        self.shut_down = False  # the exit status depends on a shutdown before exit

    # --- state -------------------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        encoding = self.workspace.position_encoding
        return getattr(encoding, "value", encoding) or UTF16

    @property
    def versioned_edits(self) -> bool:
        capabilities = self.client_capabilities.workspace
        edit = capabilities.workspace_edit if capabilities else None
        return bool(edit and edit.document_changes)

    def index(self, document: Document) -> LineIndex:
        return LineIndex(document.text, self.encoding)

    async def current(self, uri: str) -> Linted | None:
        """The findings for the document's current text, linting it if needed."""
        document = self.documents.get(uri)
        if document is None:
            return None
        cached = self.linted.get(uri)
        if cached is not None and cached.document is document:
            return cached
        linted = await asyncio.get_running_loop().run_in_executor(None, lint, document, self.root)
        if self.documents.get(uri) is document:
            self.linted[uri] = linted
        return linted

    # --- publishing ----------------------------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> None:
        """Lint and publish ``uri`` after ``delay`` seconds, replacing a pending lint."""
        pending = self.pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        def fire() -> None:
            del self.pending[uri]
            asyncio.ensure_future(self.publish(uri))

        self.pending[uri] = asyncio.get_running_loop().call_later(delay, fire)

    async def publish(self, uri: str) -> None:
        document = self.documents.get(uri)
        linted = await self.current(uri)
        if linted is None or self.documents.get(uri) is not document:
            return  # closed or changed meanwhile: the newer text has its own lint scheduled
        self.report_problems(linted)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri, protocol.lsp_diagnostics(linted, self.encoding), document.version))

    def report_problems(self, linted: Linted) -> None:
        """Configuration errors once as a message; internal errors to the log. Syntax errors
        are left to the editor's Python support: they come and go as the user types."""
        if linted.config_error and linted.config_error not in self.shown_config_errors:
            self.shown_config_errors.add(linted.config_error)
            self.window_show_message(types.ShowMessageParams(
                types.MessageType.Error, f"lrlint: {linted.config_error}"))
        for problem in linted.problems:
            if problem.name != "syntax-error":
                self.window_log_message(types.LogMessageParams(
                    types.MessageType.Warning,
                    f"lrlint: {linted.document.filename}:{problem.start.line}: {problem.message}"))

    def forget(self, uri: str) -> None:
        pending = self.pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        self.documents.pop(uri, None)
        self.linted.pop(uri, None)


def fixable(diagnostic, unsafe: bool) -> bool:
    from lrlint.fixer import applicable  # imports libcst, which the first lint needs anyway

    return applicable(diagnostic, unsafe)


def build_server() -> LrlintServer:
    server = LrlintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: LrlintServer, params: types.InitializeParams) -> None:
        ls.options = Options.parse(params.initialization_options)
        folders = params.workspace_folders or []
        root_uri = folders[0].uri if folders else params.root_uri
        ls.root = uri_to_path(root_uri) if root_uri else params.root_path

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: LrlintServer, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        if (item.language_id not in _LINTED_LANGUAGES
                or item.uri.partition(":")[0].lower() not in _LINTED_SCHEMES):
            return
        ls.documents[item.uri] = Document.open(item.uri, item.version, item.text)
        await ls.publish(item.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LrlintServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        document = ls.documents.get(uri)
        if document is None or not params.content_changes:
            return
        # Full sync: the last change holds the whole text.
        ls.documents[uri] = document.changed(params.text_document.version,
                                             params.content_changes[-1].text)
        ls.schedule(uri, ls.options.debounce_s)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LrlintServer, params: types.DidSaveTextDocumentParams) -> None:
        # A save may follow a configuration change elsewhere: lint now, without the delay.
        uri = params.text_document.uri
        if uri in ls.documents:
            ls.linted.pop(uri, None)
            ls.schedule(uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LrlintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in ls.documents:
            ls.forget(uri)
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=list(protocol.CODE_ACTION_KINDS)))
    async def code_action(ls: LrlintServer,
                          params: types.CodeActionParams) -> list[types.CodeAction] | None:
        linted = await ls.current(params.text_document.uri)
        if linted is None:
            return None
        document = linted.document
        index = ls.index(document)
        only = params.context.only
        actions: list[types.CodeAction] = []
        if protocol.wants(only, types.CodeActionKind.QuickFix):
            start = index.from_lsp(params.range.start.line, params.range.start.character)
            end = index.from_lsp(params.range.end.line, params.range.end.character)
            actions += protocol.quick_fixes(linted, index, start, end, ls.versioned_edits)
        if protocol.wants(only, protocol.FIX_ALL_KIND) and any(
                fixable(d, ls.options.unsafe_fixes) for d in linted.findings):
            fixed = await asyncio.get_running_loop().run_in_executor(
                None, fix_all, document, ls.root, ls.options.unsafe_fixes)
            if fixed is not None:
                actions.append(protocol.fix_all_action(document, index, fixed, ls.versioned_edits))
        return actions or None

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: LrlintServer, params: types.HoverParams) -> types.Hover | None:
        linted = await ls.current(params.text_document.uri)
        if linted is None:
            return None
        index = ls.index(linted.document)
        offset = index.from_lsp(params.position.line, params.position.character)
        return protocol.hover(linted, index, offset)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: LrlintServer, params: None) -> None:
        ls.shut_down = True
        for uri in list(ls.pending):
            ls.pending.pop(uri).cancel()

    return server


def serve() -> int:
    """Talk LSP over stdin and stdout until the client says exit (or goes away); the exit
    status is 0 after a shutdown request, 1 otherwise, as the protocol asks."""
    server = build_server()
    server.start_io()
    return 0 if server.shut_down else 1
