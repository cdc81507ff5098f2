"""Linting an editor's document through the public API, with the CLI's configuration.

The text is the editor's, not the file on disk. The configuration is the one the CLI would use
for the document's path (the nearest ``[tool.lrlint]``), read afresh on each lint so that an
edited pyproject.toml takes effect on the next keystroke.
"""

from __future__ import annotations

import io
import os
import tokenize
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from lrlint.config import Config, ConfigError
from lrlint.diagnostics import Diagnostic


@dataclass(frozen=True, eq=False)
class Document:
    """One version of an open document; a new one replaces it on each change."""

    uri: str
    version: int | None
    text: str
    path: str | None  # the file system path of a file: URI, else None

    @classmethod
    def open(cls, uri: str, version: int | None, text: str) -> Document:
        return cls(uri, version, text, uri_to_path(uri))

    def changed(self, version: int | None, text: str) -> Document:
        return Document(self.uri, version, text, self.path)

    @property
    def filename(self) -> str:
        """The name lrlint reports and matches per-file-ignores against."""
        return self.path if self.path is not None else self.uri


@dataclass
class Linted:
    """What lrlint found in one document version."""

    document: Document
    findings: list[Diagnostic] = field(default_factory=list)  # rule findings only
    problems: list[Diagnostic] = field(default_factory=list)  # syntax, decode, internal errors
    config_error: str | None = None


def uri_to_path(uri: str) -> str | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    netloc = f"//{parsed.netloc}" if parsed.netloc else ""  # a UNC share on Windows
    return os.path.normpath(url2pathname(unquote(netloc + parsed.path)))


def config_for(document: Document, workspace_root: str | None) -> Config:
    """The CLI's configuration for this document (ConfigError when it is invalid)."""
    from lrlint.api import make_config

    if document.path is not None:
        return make_config([document.path])
    # An unsaved buffer: the workspace's configuration, as the CLI would find it from there.
    return make_config([workspace_root] if workspace_root else [])


def source_bytes(text: str) -> bytes:
    """The document's text encoded as its coding cookie says, so that lrlint decodes back
    exactly this text (UTF-8 bytes under a ``latin-1`` cookie would shift every column)."""
    data = text.encode("utf-8", "surrogatepass")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return data  # an unknown codec: lrlint reports it
    if encoding in ("utf-8", "utf-8-sig"):
        return data
    try:
        return text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return data  # lrlint reports the text that does not fit its declared encoding


def lint(document: Document, workspace_root: str | None) -> Linted:
    from lrlint.api import lint_source

    try:
        config = config_for(document, workspace_root)
    except (ConfigError, OSError) as error:
        return Linted(document, config_error=str(error))
    result = lint_source(source_bytes(document.text), document.filename, config=config)
    linted = Linted(document)
    for diagnostic in result.diagnostics:
        (linted.problems if diagnostic.is_file_error else linted.findings).append(diagnostic)
    return linted


def fix_all(document: Document, workspace_root: str | None, unsafe: bool) -> str | None:
    """The document's text with every applicable fix applied, or None when nothing changes."""
    from lrlint.api import lint_source

    try:
        config = config_for(document, workspace_root)
    except (ConfigError, OSError):
        return None
    result = lint_source(source_bytes(document.text), document.filename, config=config,
                         fix=True, unsafe_fixes=unsafe)
    fixed = result.fixed_source
    return fixed if fixed is not None and fixed != document.text else None
