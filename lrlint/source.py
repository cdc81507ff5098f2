"""Reading and writing Python source exactly as it was: encoding, BOM and line endings kept.

Text is decoded without newline translation, so positions computed on it match the file and a
fixed file differs from the original only where an edit was made.
"""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
import tokenize
from dataclasses import dataclass

_NEWLINE = re.compile(r"\r\n|\r|\n")


class DecodeError(Exception):
    """The bytes are not text in the encoding the file declares (or UTF-8)."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line, self.column = line, column  # where decoding failed (column in bytes)


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str = "utf-8"  # codec name without the BOM marker
    bom: bool = False
    newline: str = "\n"  # the file's first line ending, used for inserted lines

    def encode(self, text: str) -> bytes:
        data = text.encode(self.encoding)
        return (b"\xef\xbb\xbf" + data) if self.bom else data


def decode(data: bytes) -> SourceText:
    """Decode source bytes the way Python does (PEP 263 cookie, UTF-8 BOM, default UTF-8)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        message = str(getattr(error, "msg", error))
        if not message.startswith("invalid or missing encoding declaration"):
            raise DecodeError(message) from None  # unknown codec, BOM/cookie conflict
        encoding = "utf-8"  # no cookie, not UTF-8: decoding below says where it fails
    bom = encoding == "utf-8-sig"
    codec = "utf-8" if bom else encoding
    body = data[3:] if bom else data
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as error:
        line = body.count(b"\n", 0, error.start) + 1
        column = error.start - body.rfind(b"\n", 0, error.start)
        raise DecodeError(
            f"invalid {codec} byte 0x{body[error.start]:02x} on line {line} "
            f"(add a coding cookie if the file is not {codec})",
            line,
            column,
        ) from None
    except LookupError as error:
        raise DecodeError(str(error)) from None
    match = _NEWLINE.search(text)
    return SourceText(text, codec, bom, match.group() if match else "\n")


def line_starts(text: str) -> list[int]:
    """Offsets where each line begins (index 0 is line 1), splitting on \\n, \\r\\n and \\r only —
    the line breaks Python's tokenizer (and libcst) count, unlike ``str.splitlines``."""
    starts = [0]
    starts.extend(match.end() for match in _NEWLINE.finditer(text))
    return starts


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` without their line endings, numbered as libcst numbers them."""
    return _NEWLINE.split(text)


def write_atomically(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` via a temporary file in the same directory.

    The file's permission bits are kept, a symbolic link keeps pointing where it did (its target
    is replaced), and a crash mid-write leaves the original untouched.
    """
    target = os.path.realpath(path)
    directory = os.path.dirname(target) or "."
    mode = stat.S_IMODE(os.stat(target).st_mode)
    handle, temporary = tempfile.mkstemp(prefix=".lrlint-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
