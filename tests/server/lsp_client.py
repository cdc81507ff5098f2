"""A small LSP client for the tests: JSON-RPC over a real ``lrlint server`` subprocess's pipes.

It speaks the wire format an editor speaks (Content-Length framing, camelCase JSON), answers the
server's own requests with null, and keeps notifications until a test waits for them. Every
wait has a timeout, so a broken server fails a test instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

TIMEOUT = 20.0  # generous: CI machines stall; a healthy server answers in milliseconds


class ServerGone(Exception):
    pass


class LspClient:
    def __init__(self, *, cwd: str | os.PathLike[str] | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lrlint", "server"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=cwd, env=env,
        )
        self._incoming: queue.Queue[dict | None] = queue.Queue()
        self.notifications: list[dict] = []
        self._responses: dict[int, dict] = {}
        self._next_id = 0
        self.stderr_lines: list[bytes] = []
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    # --- wire -------------------------------------------------------------------------------

    def _read_stdout(self) -> None:
        stream = self.process.stdout
        try:
            while True:
                length = None
                while True:
                    header = stream.readline()
                    if not header:
                        return
                    if header in (b"\r\n", b"\n"):
                        break
                    name, _, value = header.decode("ascii").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                self._incoming.put(json.loads(stream.read(length).decode("utf-8")))
        finally:
            self._incoming.put(None)

    def _read_stderr(self) -> None:
        for line in self.process.stderr:
            self.stderr_lines.append(line)

    def _send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _pump(self, deadline: float) -> None:
        """Take one incoming message (or raise at the deadline) and file it."""
        try:
            message = self._incoming.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError(f"no message from the server in time; stderr:\n{self.stderr}")
        if message is None:
            self._incoming.put(None)  # stays closed for later waits
            raise ServerGone(f"the server closed its output; stderr:\n{self.stderr}")
        if "method" in message and "id" in message:  # a request from the server
            self._send({"id": message["id"], "result": None})
        elif "method" in message:
            self.notifications.append(message)
        else:
            self._responses[message["id"]] = message

    @property
    def stderr(self) -> str:
        return b"".join(self.stderr_lines).decode("utf-8", "replace")

    # --- messages ---------------------------------------------------------------------------

    def notify(self, method: str, params: dict | None = None) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: dict | None = None, timeout: float = TIMEOUT):
        """Send a request and return its result (AssertionError on an error response)."""
        self._next_id += 1
        number = self._next_id
        self._send({"id": number, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while number not in self._responses:
            self._pump(deadline)
        response = self._responses.pop(number)
        assert "error" not in response, response["error"]
        return response["result"]

    def wait_for(self, method: str, match: Callable[[dict], bool] = lambda params: True,
                 timeout: float = TIMEOUT) -> dict:
        """The params of the first (not yet taken) notification ``method`` that ``match``es;
        the notifications before it are kept."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for position in range(seen, len(self.notifications)):
                message = self.notifications[position]
                if message["method"] == method and match(message["params"]):
                    del self.notifications[position]
                    return message["params"]
            seen = len(self.notifications)
            self._pump(deadline)

    def diagnostics(self, uri: str, version: int | None = None) -> list[dict]:
        """The next diagnostics published for ``uri`` (for ``version``, when given)."""
        params = self.wait_for(
            "textDocument/publishDiagnostics",
            lambda p: p["uri"] == uri and (version is None or p.get("version") == version))
        return params["diagnostics"]

    def published(self, uri: str) -> list[dict]:
        """Diagnostics already received for ``uri`` and not yet taken."""
        return [m["params"] for m in self.notifications
                if m["method"] == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri]

    # --- session ----------------------------------------------------------------------------

    def initialize(self, root: Path, options: dict | None = None,
                   capabilities: dict | None = None) -> dict:
        result = self.request("initialize", {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "capabilities": capabilities if capabilities is not None else {
                "workspace": {"workspaceEdit": {"documentChanges": True}},
                "textDocument": {"codeAction": {"codeActionLiteralSupport": {
                    "codeActionKind": {"valueSet": ["quickfix", "source.fixAll"]}}}},
            },
            "initializationOptions": options,
        })
        self.notify("initialized", {})
        return result

    def open(self, uri: str, text: str, version: int = 1, language: str = "python") -> None:
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": language, "version": version, "text": text}})

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": text}],
        })

    def close(self, uri: str) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    def stop(self) -> int:
        """shutdown, exit; the server's exit status."""
        self.request("shutdown")
        self.notify("exit")
        return self.wait_exit()

    def wait_exit(self, timeout: float = TIMEOUT) -> int:
        try:
            return self.process.wait(timeout)
        finally:
            self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            try:
                stream.close()
            except OSError:
                pass


# --- applying edits the way an editor does (UTF-16 columns), independently of lrlint ---------

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def utf16_offset(text: str, line: int, character: int) -> int:
    """The code point offset of an LSP position counted in UTF-16 code units."""
    starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
    if line >= len(starts):
        return len(text)
    start = starts[line]
    end_match = _LINE_BREAK.search(text, start)
    content = text[start:end_match.start() if end_match else len(text)]
    units = content.encode("utf-16-le")[: 2 * character]
    return start + len(units.decode("utf-16-le"))


def apply_text_edits(text: str, edits: list[dict]) -> str:
    spans = []
    for edit in edits:
        start, end = edit["range"]["start"], edit["range"]["end"]
        spans.append((utf16_offset(text, start["line"], start["character"]),
                      utf16_offset(text, end["line"], end["character"]), edit["newText"]))
    for begin, end, new in sorted(spans, reverse=True):
        text = text[:begin] + new + text[end:]
    return text


def edits_for(workspace_edit: dict, uri: str, version: int | None = None) -> list[dict]:
    """The text edits of a WorkspaceEdit for ``uri`` (checking the version it was made for)."""
    if "documentChanges" in workspace_edit:
        (change,) = [c for c in workspace_edit["documentChanges"]
                     if c["textDocument"]["uri"] == uri]
        if version is not None:
            assert change["textDocument"]["version"] == version
        return change["edits"]
    return workspace_edit["changes"][uri]
