"""`lrlint server` driven as an editor drives it: a real subprocess, LSP over its stdin/stdout."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

pytest.importorskip("pygls.lsp.server")  # the `lsp` extra (part of `test`)

from lsp_client import LspClient, apply_text_edits, edits_for

from lrlint.api import lint_source
from lrlint.docs import rule_page

DEBOUNCE_MS = 150

# A realistic bad training script: the scheduler steps first (LR003, safe fix), the LR is set
# on an attribute the optimizer never reads (LR001), and non-ASCII text sits before both.
TRAIN = textwrap.dedent("""\
    import torch
    from torch.optim.lr_scheduler import StepLR

    model = torch.nn.Linear(10, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = StepLR(optimizer, step_size=10, gamma=0.5)

    for epoch in range(30):
        for x, y in [(torch.randn(4, 10), torch.randn(4, 1))]:
            loss = torch.nn.functional.mse_loss(model(x), y)
            loss.backward()
            scheduler.step()
            optimizer.step()  # 🚀 étape
            optimizer.zero_grad()
    note = "📉 décroissance"; optimizer.lr = 0.01
""")
CLEAN = TRAIN.replace("        scheduler.step()\n", "").replace(
    "optimizer.step()  # 🚀 étape\n", "optimizer.step()  # 🚀 étape\n        scheduler.step()\n"
).replace('note = "📉 décroissance"; optimizer.lr = 0.01\n', "")


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def lsp_position(text: str, line: int, column: int) -> dict:
    """An lrlint 1-based position as LSP's 0-based line and UTF-16 character."""
    content = text.splitlines()[line - 1]
    return {"line": line - 1, "character": utf16(content[:column - 1])}


def by_code(diagnostics: list[dict]) -> dict[str, dict]:
    return {d["code"]: d for d in diagnostics}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("workspace")


@pytest.fixture(scope="module")
def server(workspace):
    client = LspClient(cwd=workspace)
    client.init_result = client.initialize(workspace, {"debounceMs": DEBOUNCE_MS})
    yield client
    try:
        assert client.stop() == 0, client.stderr
    finally:
        client.kill()


@pytest.fixture
def uri_of(workspace, request):
    """A fresh document URI per test (the server session is shared)."""
    def make(name: str = "train.py", folder: Path | None = None) -> str:
        directory = (folder or workspace) / request.node.name
        directory.mkdir(parents=True, exist_ok=True)
        return (directory / name).as_uri()
    return make


def code_actions(server, uri: str, range_: dict, only: list[str] | None = None):
    context = {"diagnostics": []} | ({"only": only} if only is not None else {})
    return server.request("textDocument/codeAction",
                          {"textDocument": {"uri": uri}, "range": range_, "context": context})


def test_initialize_announces_what_the_server_does(server):
    result = server.init_result
    capabilities = result["capabilities"]
    assert result["serverInfo"]["name"] == "lrlint"
    assert capabilities["textDocumentSync"]["change"] == 1  # full text on each change
    assert capabilities["textDocumentSync"]["openClose"] is True
    assert capabilities["hoverProvider"] is True
    assert set(capabilities["codeActionProvider"]["codeActionKinds"]) == {
        "quickfix", "source.fixAll.lrlint"}


def test_diagnostics_come_from_the_editor_text_not_the_file(server, uri_of):
    uri = uri_of()
    path = Path(uri.removeprefix("file://"))
    path.write_text(CLEAN, encoding="utf-8")
    server.open(uri, TRAIN)
    found = by_code(server.diagnostics(uri, version=1))
    assert set(found) == {"LR001", "LR003"}
    expected = {d.code: d for d in lint_source(TRAIN, str(path)).diagnostics}
    for code, diagnostic in found.items():
        lrlint = expected[code]
        assert diagnostic["range"] == {"start": lsp_position(TRAIN, lrlint.start.line, lrlint.start.column),
                                       "end": lsp_position(TRAIN, lrlint.end.line, lrlint.end.column)}
        assert diagnostic["message"] == lrlint.message
        assert diagnostic["severity"] == 2  # Warning
        assert diagnostic["source"] == "lrlint"
        assert diagnostic["codeDescription"]["href"].endswith(f"rules/{code}.md")
    assert path.read_text(encoding="utf-8") == CLEAN  # nothing written


def test_columns_are_utf16_code_units_on_non_ascii_lines(server, uri_of):
    uri = uri_of()
    server.open(uri, TRAIN)
    lr001 = by_code(server.diagnostics(uri))["LR001"]
    line = TRAIN.splitlines()[lr001["range"]["start"]["line"]]
    prefix = line[: line.index("optimizer.lr")]
    # 📉 is one code point but two UTF-16 units: a code point count would be one short.
    assert lr001["range"]["start"]["character"] == utf16(prefix) == len(prefix) + 1
    assert lr001["range"]["end"]["character"] == utf16(prefix) + len("optimizer.lr")


def test_changes_are_linted_after_a_pause_and_a_burst_is_linted_once(server, uri_of):
    uri = uri_of()
    server.open(uri, TRAIN)
    assert set(by_code(server.diagnostics(uri, version=1))) == {"LR001", "LR003"}
    server.change(uri, CLEAN, version=2)
    assert server.diagnostics(uri, version=2) == []
    for version, text in ((3, TRAIN), (4, CLEAN), (5, TRAIN)):  # faster than the debounce
        server.change(uri, text, version=version)
    assert set(by_code(server.diagnostics(uri, version=5))) == {"LR001", "LR003"}
    assert server.published(uri) == []  # versions 3 and 4 were never linted


def test_quick_fix_moves_the_scheduler_step(server, uri_of):
    uri = uri_of()
    server.open(uri, TRAIN, version=7)
    lr003 = by_code(server.diagnostics(uri, version=7))["LR003"]
    actions = code_actions(server, uri, lr003["range"])
    fixes = [a for a in actions if a["kind"] == "quickfix"]
    assert len(fixes) == 1  # only the finding in the range
    (fix,) = fixes
    assert fix["title"] == "lrlint (LR003): Move `scheduler.step()` after the optimizer step"
    assert fix["isPreferred"] is True
    assert [d["code"] for d in fix["diagnostics"]] == ["LR003"]
    edits = edits_for(fix["edit"], uri, version=7)
    fixed = apply_text_edits(TRAIN, edits)
    assert fixed == lint_source(TRAIN, "train.py", fix=True).fixed_source
    assert "optimizer.step()  # 🚀 étape\n        scheduler.step()\n" in fixed


def test_quick_fixes_only_for_the_requested_range(server, uri_of):
    uri = uri_of()
    server.open(uri, TRAIN)
    server.diagnostics(uri)
    first_line = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 5}}
    assert code_actions(server, uri, first_line, only=["quickfix"]) is None


def test_unsafe_fix_is_offered_but_not_preferred_nor_applied_by_fix_all(server, uri_of):
    text = TRAIN.replace("scheduler = StepLR(optimizer, step_size=10, gamma=0.5)\n", "").replace(
        "        scheduler.step()\n", "").replace(
        "; optimizer.lr = 0.01", "\noptimizer.lr = next_lr()")
    uri = uri_of()
    server.open(uri, text)
    lr001 = by_code(server.diagnostics(uri))["LR001"]
    (fix,) = code_actions(server, uri, lr001["range"], only=["quickfix"])
    assert fix["title"].endswith("(unsafe)")
    assert fix["isPreferred"] is False
    fixed = apply_text_edits(text, edits_for(fix["edit"], uri))
    assert fixed == lint_source(text, "train.py", fix=True, unsafe_fixes=True).fixed_source
    assert code_actions(server, uri, lr001["range"], only=["source.fixAll"]) is None


def test_fix_all_applies_every_safe_fix(server, uri_of):
    text = TRAIN + "print(scheduler.get_lr())\n"  # LR012, safe fix
    uri = uri_of()
    server.open(uri, text)
    assert {"LR003", "LR012"} <= set(by_code(server.diagnostics(uri)))
    anywhere = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
    (action,) = code_actions(server, uri, anywhere, only=["source.fixAll"])
    assert action["kind"] == "source.fixAll.lrlint"
    fixed = apply_text_edits(text, edits_for(action["edit"], uri, version=1))
    assert fixed == lint_source(text, "train.py", fix=True).fixed_source
    assert "scheduler.get_last_lr()" in fixed and fixed != text
    # Offered in the light bulb too, when nothing filters the kinds.
    kinds = [a["kind"] for a in code_actions(server, uri, anywhere)]
    assert kinds == ["source.fixAll.lrlint"]


def test_fix_all_on_a_clean_document_offers_nothing(server, uri_of):
    uri = uri_of()
    server.open(uri, CLEAN)
    assert server.diagnostics(uri) == []
    anywhere = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
    assert code_actions(server, uri, anywhere, only=["source.fixAll"]) is None


def test_hover_on_a_finding_shows_its_rule_page(server, uri_of):
    uri = uri_of()
    server.open(uri, TRAIN)
    lr003 = by_code(server.diagnostics(uri))["LR003"]
    start = lr003["range"]["start"]
    inside = {"line": start["line"], "character": start["character"] + 3}
    hover = server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": inside})
    assert hover["contents"] == {"kind": "markdown", "value": rule_page("LR003")}
    assert hover["range"] == lr003["range"]
    nowhere = {"line": 0, "character": 3}
    assert server.request("textDocument/hover",
                          {"textDocument": {"uri": uri}, "position": nowhere}) is None


@pytest.mark.parametrize("comment", ["# lrlint: ignore[LR001]", "# noqa: LR001"])
def test_hover_on_a_suppression_code_shows_its_rule_page(server, uri_of, comment):
    text = TRAIN.replace("optimizer.lr = 0.01", f"optimizer.lr = 0.01  {comment}")
    uri = uri_of()
    server.open(uri, text)
    assert set(by_code(server.diagnostics(uri))) == {"LR003"}  # the comment suppresses LR001
    number, line = next((n, line) for n, line in enumerate(text.splitlines()) if comment in line)
    start = utf16(line[: line.index("LR001")])
    hover = server.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": number, "character": start + 2}})
    assert hover["contents"]["value"] == rule_page("LR001")
    assert hover["range"] == {"start": {"line": number, "character": start},
                              "end": {"line": number, "character": start + 5}}


def test_close_clears_the_diagnostics(server, uri_of):
    uri = uri_of()
    server.open(uri, TRAIN)
    assert server.diagnostics(uri) != []
    server.close(uri)
    assert server.diagnostics(uri) == []


def test_the_nearest_pyproject_configures_each_document(server, uri_of, workspace):
    project = workspace / "configured"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.lrlint]\nignore = ["LR001"]\n', encoding="utf-8")
    configured, plain = uri_of(folder=project), uri_of()
    server.open(configured, TRAIN)
    server.open(plain, TRAIN)
    assert set(by_code(server.diagnostics(configured))) == {"LR003"}
    assert set(by_code(server.diagnostics(plain))) == {"LR001", "LR003"}


def test_an_invalid_config_is_reported_once_as_a_message(server, uri_of, workspace):
    project = workspace / "broken"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.lrlint]\nselec = ["LR001"]\n', encoding="utf-8")
    uri = uri_of(folder=project)
    server.open(uri, TRAIN)
    assert server.diagnostics(uri) == []
    message = server.wait_for("window/showMessage")
    assert message["type"] == 1  # Error
    assert "unknown key 'selec'" in message["message"] and "did you mean 'select'" in message["message"]
    server.change(uri, TRAIN + "\n", version=2)
    assert server.diagnostics(uri, version=2) == []
    assert [m for m in server.notifications if m["method"] == "window/showMessage"] == []


def test_error_severity_rules_are_errors(server, uri_of):
    text = textwrap.dedent("""\
        import torch
        from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts

        model = torch.nn.Linear(10, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = CosineAnnealingWarmRestarts(optimizer, T_0=100 / 4)
    """)
    uri = uri_of()
    server.open(uri, text)
    assert by_code(server.diagnostics(uri))["LR007"]["severity"] == 1  # Error


def test_a_syntax_error_while_typing_is_left_to_the_editor(server, uri_of):
    uri = uri_of()
    server.open(uri, TRAIN + "for x in\n")
    assert server.diagnostics(uri) == []
    server.change(uri, TRAIN, version=2)
    assert set(by_code(server.diagnostics(uri, version=2))) == {"LR001", "LR003"}


def test_an_unsaved_buffer_is_linted(server):
    uri = "untitled:Untitled-1"
    server.open(uri, TRAIN)
    assert set(by_code(server.diagnostics(uri))) == {"LR001", "LR003"}


# Notebook cells are not linted one by one: a scheduler built in one cell and stepped in
# another would be "never stepped" (a false alarm).
@pytest.mark.parametrize(("other", "language"), [
    ("notes.md", "markdown"),
    ("vscode-notebook-cell:/work/explore.ipynb#W0sZmlsZQ%3D%3D", "python"),
])
def test_documents_that_are_not_python_files_are_not_linted(server, uri_of, other, language):
    other = other if ":" in other else uri_of(other)
    python = uri_of()
    server.open(other, TRAIN, language=language)
    server.open(python, TRAIN)
    server.diagnostics(python)
    on_lr003 = {"line": 11, "character": 14}
    assert server.request("textDocument/hover", {"textDocument": {"uri": python},
                                                 "position": on_lr003}) is not None
    assert server.request("textDocument/hover", {"textDocument": {"uri": other},
                                                 "position": on_lr003}) is None
    assert server.published(other) == []


def test_a_save_rereads_the_config(server, uri_of, workspace):
    project = workspace / "saved"
    project.mkdir()
    uri = uri_of(folder=project)
    server.open(uri, TRAIN)
    assert set(by_code(server.diagnostics(uri))) == {"LR001", "LR003"}
    (project / "pyproject.toml").write_text('[tool.lrlint]\nignore = ["LR003"]\n', encoding="utf-8")
    server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert set(by_code(server.diagnostics(uri))) == {"LR001"}


def test_a_coding_cookie_does_not_shift_columns(server, uri_of):
    text = "# -*- coding: latin-1 -*-\n" + TRAIN.replace("📉 ", "")  # latin-1 cannot hold 📉
    text = text.replace("# 🚀 étape", "# étape")
    uri = uri_of()
    server.open(uri, text)
    lr001 = by_code(server.diagnostics(uri))["LR001"]
    line = text.splitlines()[lr001["range"]["start"]["line"]]
    assert line[lr001["range"]["start"]["character"]:].startswith("optimizer.lr")


def test_exit_without_shutdown_exits_1(tmp_path):
    client = LspClient(cwd=tmp_path)
    try:
        client.initialize(tmp_path)
        client.notify("exit")
        assert client.wait_exit() == 1
    finally:
        client.kill()


def test_the_server_ends_when_the_editor_goes_away(tmp_path):
    client = LspClient(cwd=tmp_path)
    try:
        client.process.stdin.close()
        assert client.wait_exit() in (0, 1)
    finally:
        client.kill()
