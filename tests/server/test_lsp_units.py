"""The language server's pure parts: positions, documents, hovers. No pygls needed here except
where a test says so."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from lrlint.diagnostics import Position
from lrlint.server.hover import codes_in_directives, directive_code_at, rule_markdown
from lrlint.server.linting import Document, lint, source_bytes, uri_to_path
from lrlint.server.positions import UTF8, UTF16, UTF32, LineIndex, code_units
from lrlint.source import split_lines


@pytest.mark.parametrize(("encoding", "units"), [(UTF8, 1 + 2 + 4), (UTF16, 1 + 1 + 2),
                                                 (UTF32, 3)])
def test_code_units(encoding, units):
    assert code_units("aé📉", encoding) == units


def test_an_lrlint_position_on_a_non_ascii_line():
    text = 'x = 1\nnote = "📉é"; optimizer.lr = 0.01\n'
    column = text.splitlines()[1].index("optimizer") + 1  # 1-based code points
    assert LineIndex(text, UTF16).lsp_position(Position(2, column)) == (1, column - 1 + 1)
    assert LineIndex(text, UTF8).lsp_position(Position(2, column)) == (1, column - 1 + 3 + 1)
    assert LineIndex(text, UTF32).lsp_position(Position(2, column)) == (1, column - 1)


@pytest.mark.parametrize("encoding", [UTF8, UTF16, UTF32])
def test_lsp_positions_round_trip(encoding):
    text = "a = 1\r\nb = '📉'\rc = 'é'\nd\x0ce\u2028f\n"
    index = LineIndex(text, encoding)
    for offset in range(len(text) + 1):
        line, character = index.to_lsp(offset)
        if text[offset - 1:offset + 1] == "\r\n":
            continue  # between \r and \n is no LSP position
        assert index.from_lsp(line, character) == offset


def test_lines_break_where_lrlint_and_lsp_break_them():
    text = "a\r\nb\rc\nd\x0ce\u2028f"  # form feed and U+2028 are not line breaks
    index = LineIndex(text)
    assert [index.line_text(n) for n in range(len(index.starts))] == split_lines(text)
    assert index.to_lsp(text.index("f")) == (3, 4)


def test_lsp_positions_past_a_line_or_the_text_are_clamped():
    index = LineIndex("ab\ncd\n")
    assert index.from_lsp(0, 99) == 2  # the end of line 0, not into line 1
    assert index.from_lsp(7, 0) == len(index.text)
    assert index.from_lsp(-1, 0) == 0


def test_lrlint_positions_past_the_text_clamp_like_the_fixer():
    index = LineIndex("ab\ncd")
    assert index.offset_of(Position(5, 1)) == 5
    assert index.offset_of(Position(2, 40)) == 5
    assert index.lsp_position(Position(2, 3)) == (1, 2)


def test_file_uris_become_paths():
    assert uri_to_path("file:///home/me/my%20project/train%23.py") == "/home/me/my project/train#.py"
    assert uri_to_path("untitled:Untitled-1") is None


def test_source_bytes_follow_the_coding_cookie():
    text = "# -*- coding: latin-1 -*-\nname = 'é'\n"
    assert source_bytes(text) == text.encode("latin-1")
    assert source_bytes("name = 'é'\n") == "name = 'é'\n".encode()
    # A character the declared encoding cannot hold: UTF-8, and lrlint reports the mismatch.
    assert source_bytes("# coding: ascii\nname = 'é'\n") == "# coding: ascii\nname = 'é'\n".encode()


def test_lint_uses_the_document_text_and_the_nearest_config(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.lrlint]\nselect = ["LR001"]\n')
    text = textwrap.dedent("""\
        import torch
        model = torch.nn.Linear(2, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 10)
        for x in range(3):
            scheduler.step()
            optimizer.step()
        optimizer.lr = 0.01
    """)
    document = Document.open((tmp_path / "missing.py").as_uri(), 1, text)
    linted = lint(document, None)
    assert [d.code for d in linted.findings] == ["LR001"]
    assert linted.config_error is None


def test_an_invalid_config_is_an_error_not_findings(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.lrlint]\nselect = "LR001"\n')
    document = Document.open((tmp_path / "train.py").as_uri(), 1, "optimizer.lr = 1\n")
    linted = lint(document, None)
    assert linted.findings == []
    assert "select: expected a list of strings" in linted.config_error


def test_codes_in_directives():
    line = 'x = 1  # lrlint: ignore[LR001, lr003]  # noqa: LR012'
    assert [(code, line[start:end]) for code, start, end in codes_in_directives(line)] == [
        ("LR001", "LR001"), ("LR003", "lr003"), ("LR012", "LR012")]
    assert directive_code_at(line, line.index("LR001") + 5) == (
        "LR001", line.index("LR001"), line.index("LR001") + 5)
    assert directive_code_at(line, 2) is None
    assert list(codes_in_directives('s = "LR001"  # plain comment LR003')) == []


def test_rule_markdown():
    assert rule_markdown("LR003").startswith("# LR003 scheduler-step-before-optimizer-step")
    assert rule_markdown("LR999") is None
    assert rule_markdown("E501") is None


def test_replacement_edit_covers_only_what_differs():
    pytest.importorskip("lsprotocol")
    from lrlint.server.protocol import replacement_edit

    old = "a = 1\nb = '📉'\nc = 3\n"
    new = "a = 1\nb = '📉'\nc = 4\nd = 5\n"
    edit = replacement_edit(LineIndex(old), new)
    assert (edit.range.start.line, edit.range.start.character) == (2, 4)
    assert (edit.range.end.line, edit.range.end.character) == (2, 5)
    assert edit.new_text == "4\nd = 5"
    same = replacement_edit(LineIndex(old), old)
    assert same.range.start == same.range.end and same.new_text == ""


def test_server_without_pygls_says_what_to_install():
    probe = ("import sys; sys.modules['pygls'] = None\n"
             "from lrlint.cli import main; sys.exit(main(['server']))")
    done = subprocess.run([sys.executable, "-c", probe], check=False, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert 'pip install "lrlint[lsp]"' in done.stderr
    assert done.stdout == ""


def test_version_does_not_import_the_server():
    probe = ("import sys; from lrlint.cli import main\n"
             "try: main(['--version'])\nexcept SystemExit: pass\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('pygls', 'lsprotocol', 'cattrs') or m.startswith('lrlint.server')))")
    done = subprocess.run([sys.executable, "-c", probe], check=False, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.strip().endswith("[]"), done.stdout
