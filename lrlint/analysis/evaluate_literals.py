"""Literal tokens to values, decoded by hand (no ``ast.literal_eval`` on user code)."""

from __future__ import annotations

import re
import unicodedata

import libcst as cst

from lrlint.analysis.evaluate_values import LimitExceeded, NotStaticError, check_size

_SIMPLE_ESCAPES = {
    "\n": "", "\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n",
    "r": "\r", "t": "\t", "v": "\v",
}
_ESCAPE = re.compile(
    r"\\(\n|[\\'\"abfnrtv]|[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}"
    r"|N\{[^}\n]*\}|.)",
    re.DOTALL,
)


def integer_value(node: cst.Integer) -> int:
    try:
        value = int(node.value, 0)  # base 0 reads 0x/0o/0b prefixes and underscores
    except ValueError as exc:  # e.g. more digits than int() accepts
        raise NotStaticError(f"integer literal not readable: {exc}", node) from None
    check_size(value, node)
    return value


def float_value(node: cst.Float) -> float:
    try:
        return float(node.value)  # float() accepts the same underscores as the literal
    except ValueError:
        raise NotStaticError("float literal not readable", node) from None


def _decode_escape(match: re.Match[str]) -> str:
    escape = match.group(1)
    simple = _SIMPLE_ESCAPES.get(escape)
    if simple is not None:
        return simple
    first = escape[0]
    if first in "01234567":
        return chr(int(escape, 8))
    if first in "xuU" and len(escape) > 1:
        code = int(escape[1:], 16)
        if code > 0x10FFFF:
            raise ValueError("escape out of range")
        return chr(code)
    if first == "N" and len(escape) > 1:
        return unicodedata.lookup(escape[2:-1])
    return "\\" + escape  # an unknown escape keeps its backslash, as in CPython


def decode_text(body: str, raw: bool, node: cst.CSTNode) -> str:
    """The value of the text between a string literal's quotes."""
    # CPython reads source with universal newlines; libcst keeps the file's line endings.
    if "\r" in body:
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    if raw or "\\" not in body:
        return body
    try:
        return _ESCAPE.sub(_decode_escape, body)
    except (ValueError, KeyError):
        raise NotStaticError("invalid escape in string literal", node) from None


def simple_string_value(node: cst.SimpleString) -> str:
    token = node.value
    prefix = node.prefix.lower()
    if "b" in prefix:
        raise NotStaticError("bytes literals are not supported", node)
    quote_length = 3 if token[len(prefix):len(prefix) + 3] in ('"""', "'''") else 1
    body = token[len(prefix) + quote_length: len(token) - quote_length]
    return decode_text(body, "r" in prefix, node)


def formatted_text_value(node: cst.FormattedStringText, raw: bool) -> str:
    # Doubled braces are resolved before escapes, as CPython's f-string parser does.
    return decode_text(node.value.replace("{{", "{").replace("}}", "}"), raw, node)


_LONG_NUMBER = re.compile(r"[0-9]{4}")


def check_format_spec(spec: str, node: cst.CSTNode) -> None:
    """Refuse widths or precisions of four digits or more (``{x:>1000000000}``)."""
    if _LONG_NUMBER.search(spec) is not None:
        raise LimitExceeded("format width too large", node)
