"""Moving between lrlint positions and LSP positions in one document's text.

lrlint counts 1-based lines and 1-based columns in code points; LSP counts 0-based lines and
0-based columns in the negotiated encoding's code units (UTF-16 unless the client offers
another). Both break lines at ``\\n``, ``\\r\\n`` and ``\\r`` only, unlike ``str.splitlines``.
Everything goes through offsets into the text, so an edit lands exactly where the fixer would
apply it.
"""

from __future__ import annotations

from bisect import bisect_right

from lrlint.diagnostics import Position
from lrlint.source import line_starts

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def code_units(text: str, encoding: str) -> int:
    """The length of ``text`` in the code units of ``encoding``."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)  # surrogate pairs


class LineIndex:
    """Line offsets of one text, for position conversions in both directions."""

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.text = text
        self.encoding = encoding
        self.starts = line_starts(text)

    def _line_end(self, line: int) -> int:
        """The offset where 0-based ``line``'s content ends (before its line break)."""
        if line + 1 >= len(self.starts):
            return len(self.text)
        end = self.starts[line + 1]
        if self.text[end - 2:end] == "\r\n":
            return end - 2
        return end - 1

    def line_text(self, line: int) -> str:
        """The content of 0-based ``line`` without its line break."""
        return self.text[self.starts[line]:self._line_end(line)]

    def offset_of(self, position: Position) -> int:
        """The offset of an lrlint position, clamped the way the fixer clamps edits."""
        if position.line > len(self.starts):
            return len(self.text)
        return min(self.starts[position.line - 1] + position.column - 1, len(self.text))

    def to_lsp(self, offset: int) -> tuple[int, int]:
        """The LSP ``(line, character)`` of an offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        return line, code_units(self.text[self.starts[line]:offset], self.encoding)

    def lsp_position(self, position: Position) -> tuple[int, int]:
        return self.to_lsp(self.offset_of(position))

    def from_lsp(self, line: int, character: int) -> int:
        """The offset of an LSP position; past a line's end means its end (as the spec says),
        past the last line means the end of the text."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start, end = self.starts[line], self._line_end(line)
        units = 0
        for offset in range(start, end):
            if units >= character:
                return offset
            units += code_units(self.text[offset], self.encoding)
        return end
