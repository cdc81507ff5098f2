"""Inline suppression comments, the checks on them (LR100, LR101), and ``--add-noqa``.

- ``# lrlint: ignore[LR001,LR003]`` or ``# noqa: LR001, LR003`` on a line of the finding;
- bare ``# lrlint: ignore`` or ``# noqa`` on that line: every code;
- ``# lrlint: ignore-file`` anywhere: the whole file.

LR100 (``unused-suppression``, opt-in, like Ruff's RUF100) reports an ``lrlint: ignore``
directive, or the ``LR`` codes of a ``noqa`` directive, that suppressed nothing: codes of
enabled rules with no finding on the line, and a bare ``# lrlint: ignore`` with nothing to hide.
Codes of rules that are not enabled are left alone (another run may enable them), and so are a
bare ``# noqa`` and other tools' codes. LR101 (``unknown-suppression-code``) reports the codes
no rule has: any in ``lrlint: ignore[...]``, ``LR`` codes in ``noqa``. Only real comments count:
a directive inside a string is text.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from lrlint.diagnostics import Diagnostic, Edit, Fix, Position

UNUSED_CODE = "LR100"
UNUSED_NAME = "unused-suppression"
UNKNOWN_CODE = "LR101"
UNKNOWN_NAME = "unknown-suppression-code"

_IGNORE_FILE = re.compile(r"#\s*lrlint\s*:\s*ignore-file\b", re.IGNORECASE)
_DIRECTIVE = re.compile(
    r"#\s*(?:(?P<lrlint>lrlint)\s*:\s*ignore(?!-)(?:\[(?P<codes>[^\]]*)\])?"
    r"|noqa(?::\s*(?P<noqa>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*))?)",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Za-z]+[0-9]+")
_OURS = re.compile(r"LR[0-9]+")
ALL = frozenset({"*"})


def ignores_file(text: str) -> bool:
    return "lrlint" in text and _IGNORE_FILE.search(text) is not None


def line_directives(line: str) -> frozenset[str]:
    """Codes a line suppresses (``ALL`` for a bare directive), empty when none."""
    if "#" not in line:
        return frozenset()
    codes: set[str] = set()
    for match in _DIRECTIVE.finditer(line):
        listed = match.group("codes") if match.group("codes") is not None else match.group("noqa")
        if listed is None:
            return ALL
        codes.update(code.upper() for code in _CODE.findall(listed))
    return frozenset(codes)


def is_suppressed(diagnostic: Diagnostic, lines: list[str]) -> bool:
    """True when a directive on any line the diagnostic spans names its code."""
    if diagnostic.code is None:
        return False
    last = min(diagnostic.end.line, len(lines))
    for number in range(diagnostic.start.line, last + 1):
        codes = line_directives(lines[number - 1])
        if codes is ALL or diagnostic.code in codes:
            return True
    return False


def may_have_directives(text: str) -> bool:
    return "lrlint" in text or "noqa" in text or "NOQA" in text


def apply_suppressions(path: str, text: str, lines: list[str], diagnostics: list[Diagnostic],
                       enabled: Collection[str], known: Collection[str]) -> list[Diagnostic]:
    """The diagnostics no directive suppresses, plus LR100's findings when it is enabled."""
    if not may_have_directives(text):
        return diagnostics
    kept = [d for d in diagnostics if not is_suppressed(d, lines)]
    if UNUSED_CODE in enabled or UNKNOWN_CODE in enabled:
        suppressed = [d for d in diagnostics if d.code is not None and is_suppressed(d, lines)]
        kept.extend(check_directives(path, text, suppressed, enabled, known))
    return kept


# --- LR100 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Directive:
    """One suppression directive in a comment: where it is and what it names."""

    line: int
    start: int  # 0-based column of its "#"
    end: int  # 0-based column just after it
    codes: tuple[str, ...] | None  # None: bare
    lrlint: bool  # ``lrlint: ignore`` (else ``noqa``)


def comment_directives(text: str) -> list[Directive]:
    """The suppression directives in real comments of ``text`` (none if it does not tokenize)."""
    found: list[Directive] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, ValueError):
        return found
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        row, column = token.start
        for match in _DIRECTIVE.finditer(token.string):
            listed = match.group("codes") if match.group("lrlint") else match.group("noqa")
            codes = None if listed is None else tuple(c.upper() for c in _CODE.findall(listed))
            found.append(Directive(row, column + match.start(), column + match.end(), codes,
                                   bool(match.group("lrlint"))))
    return found


def check_directives(path: str, text: str, suppressed: Sequence[Diagnostic],
                     enabled: Collection[str], known: Collection[str]) -> list[Diagnostic]:
    """LR100 and LR101 findings: at most one of each per directive."""
    from lrlint.source import split_lines

    findings = []
    lines = split_lines(text)
    for directive in comment_directives(text):
        used = {d.code for d in suppressed if d.start.line <= directive.line <= d.end.line}
        if directive.codes is None:
            if directive.lrlint and not used and UNUSED_CODE in enabled:
                findings.append(_unused(path, directive, [], lines))
            continue
        ours = [c for c in directive.codes if directive.lrlint or _OURS.fullmatch(c)]
        unknown = [c for c in ours if c not in known]
        # LR100 and LR101 judge the directive itself: naming them is never "unused".
        unused = [c for c in ours if c in known and c in enabled and c not in used
                  and c not in (UNUSED_CODE, UNKNOWN_CODE)]
        if unused and UNUSED_CODE in enabled and UNUSED_CODE not in directive.codes:
            findings.append(_unused(path, directive, unused, lines))
        if unknown and UNKNOWN_CODE in enabled and UNKNOWN_CODE not in directive.codes:
            findings.append(_unknown(path, directive, unknown, known))
    return findings


def _unused(path: str, directive: Directive, unused: list[str], lines: list[str]) -> Diagnostic:
    if unused:
        kind = "lrlint: ignore" if directive.lrlint else "noqa"
        listed = ", ".join(f"`{c}`" for c in unused)
        message = f"Unused `{kind}` directive (unused: {listed}): no such finding on this line"
    else:
        message = "Unused blanket `# lrlint: ignore`: nothing on this line to suppress"
    return _directive_finding(path, directive, UNUSED_CODE, UNUSED_NAME, message,
                              _removal(directive, set(unused), lines))


def _unknown(path: str, directive: Directive, unknown: list[str],
             known: Collection[str]) -> Diagnostic:
    kind = "lrlint: ignore" if directive.lrlint else "noqa"
    hints = []
    for code in unknown:
        meant = _meant(code, known)
        hints.append(f"`{code}` (did you mean `{meant}`?)" if meant else f"`{code}`")
    noun = "a code" if len(unknown) == 1 else "codes"
    message = f"`{kind}` names {noun} no lrlint rule has: {', '.join(hints)}"
    return _directive_finding(path, directive, UNKNOWN_CODE, UNKNOWN_NAME, message, None)


def _meant(code: str, known: Collection[str]) -> str | None:
    """The code a short one stands for (``LR01`` -> ``LR001``), if a rule has it."""
    match = re.fullmatch(r"LR0*([0-9]{1,3})", code)
    if match is None:
        return None
    padded = "LR" + match.group(1).zfill(3)
    return padded if padded in known and padded != code else None


def _directive_finding(path: str, directive: Directive, code: str, name: str, message: str,
                       fix: Fix | None) -> Diagnostic:
    from lrlint.checks.base import DOCS_URL

    start = Position(directive.line, directive.start + 1)
    end = Position(directive.line, directive.end + 1)
    return Diagnostic(path, code, name, message, start, end, "warning", fix,
                      DOCS_URL.format(code=code))


def _removal(directive: Directive, drop: set[str], lines: list[str]) -> Fix:
    """Remove the codes in ``drop`` from the directive, or the whole directive when nothing is
    left (with the blanks before it when it ends the line; a comment that follows stays one)."""
    line = lines[directive.line - 1]
    keep = [c for c in directive.codes or () if c not in drop]
    if keep:
        text = (f"# lrlint: ignore[{', '.join(keep)}]" if directive.lrlint
                else f"# noqa: {', '.join(keep)}")
        edit = _edit(directive, directive.start, directive.end, text)
        return Fix("Remove the unused codes", (edit,))
    begin, end, content = directive.start, directive.end, ""
    rest = line[directive.end:]
    if not rest.strip():
        begin, end = len(line[: directive.start].rstrip()), len(line)
    elif rest.lstrip().startswith("#"):
        end = directive.end + len(rest) - len(rest.lstrip())
    else:
        content = "#"  # `# lrlint: ignore because ...`: the explanation stays a comment
    return Fix("Remove the unused suppression comment", (_edit(directive, begin, end, content),))


def _edit(directive: Directive, begin: int, end: int, content: str) -> Edit:
    return Edit(Position(directive.line, begin + 1), Position(directive.line, end + 1), content)


# --- --add-noqa ------------------------------------------------------------------------------


def commentable_lines(text: str) -> set[int]:
    """Lines where a comment can be appended: the line ends outside a string and without a
    backslash continuation (found by tokenizing; nothing if the text does not tokenize)."""
    lines: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT):
                lines.add(token.start[0])
    except (tokenize.TokenError, SyntaxError, ValueError):
        return set()
    return lines


def add_directives(lines: list[str], findings: Iterable[Diagnostic],
                   commentable: set[int]) -> tuple[list[str], int]:
    """``lines`` with an ``lrlint: ignore[...]`` directive for each finding, merged into one
    already there; how many findings got one. A finding goes on the first of its lines that
    can take a comment."""
    wanted: dict[int, set[str]] = {}
    count = 0
    for finding in findings:
        if finding.code is None:
            continue
        span = range(finding.start.line, min(finding.end.line, len(lines)) + 1)
        target = next((n for n in span if n in commentable), None)
        if target is None:
            continue
        wanted.setdefault(target, set()).add(finding.code)
        count += 1
    result = list(lines)
    for number, codes in wanted.items():
        result[number - 1] = _with_directive(result[number - 1], codes)
    return result, count


def _with_directive(line: str, codes: set[str]) -> str:
    match = re.search(r"#\s*lrlint\s*:\s*ignore\[(?P<codes>[^\]]*)\]", line, re.IGNORECASE)
    if match is not None:
        merged = sorted({c.upper() for c in _CODE.findall(match.group("codes"))} | codes)
        return line[: match.start()] + f"# lrlint: ignore[{', '.join(merged)}]" + line[match.end():]
    return f"{line.rstrip()}  # lrlint: ignore[{', '.join(sorted(codes))}]"


def add_directives_to_file(path: str,
                           findings: Sequence[Diagnostic]) -> tuple[int, Diagnostic | None]:
    """``--add-noqa`` for one file (a notebook's cells too); the count, or a file problem."""
    from lrlint.fixer import write_fixed
    from lrlint.notebook import add_directives_to_notebook, is_notebook
    from lrlint.source import DecodeError, decode, split_lines

    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as error:
        from lrlint.engine import file_error

        return 0, file_error(path, "io-error", error.strerror or str(error))
    if is_notebook(path):
        new_data, count = add_directives_to_notebook(data, findings)
    else:
        try:
            source = decode(data)
        except DecodeError:
            return 0, None
        lines, count = add_directives(split_lines(source.text), findings,
                                      commentable_lines(source.text))
        text = _join(source.text, lines)
        new_data = source.encode(text) if text != source.text else data
    if not count or new_data == data:
        return 0, None
    problem = write_fixed(path, lambda: new_data)
    return (0, problem) if problem is not None else (count, None)


def _join(original: str, lines: list[str]) -> str:
    """``lines`` joined with the line endings ``original`` had."""
    from lrlint.source import line_starts

    starts = line_starts(original)
    endings = [original[starts[i + 1] - _ending_length(original, starts[i + 1]):starts[i + 1]]
               for i in range(len(starts) - 1)]
    return "".join(line + (endings[i] if i < len(endings) else "") for i, line in enumerate(lines))


def _ending_length(text: str, next_start: int) -> int:
    return 2 if text[next_start - 2:next_start] == "\r\n" else 1
