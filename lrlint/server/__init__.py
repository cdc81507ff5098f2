"""``lrlint server``: a Language Server for editors, over stdin and stdout.

Needs the ``lsp`` extra (pygls 2 and lsprotocol); imported only by that command, so the
linter's start-up never pays for it.
"""

from __future__ import annotations

import sys

INSTALL_HINT = 'lrlint server needs the "lsp" extra: pip install "lrlint[lsp]"'


def run() -> int:
    """Serve until the client says exit; 2 (with the install hint) when pygls is missing."""
    try:
        import lsprotocol.types  # noqa: F401
        import pygls.lsp.server  # noqa: F401  (pygls 2 layout; 1.x lacks it)
    except ImportError as error:
        sys.stderr.write(f"lrlint: error: {INSTALL_HINT} ({error})\n")
        return 2
    from lrlint.server.app import serve

    return serve()
