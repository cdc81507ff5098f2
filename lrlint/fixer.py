"""Applying fixes: text edits, re-lint, repeat until nothing changes; then write the file.

Each round applies every applicable fix whose edits do not overlap an edit already taken this
round, then lints the new text again with *every* rule enabled for the file (the prefilter
chooses among them again on the new text: a fix can bring in the vocabulary of a rule that had
nothing to look at before). A round whose output does not parse is retried one fix at a time; a
fix that breaks the syntax on its own is dropped and reported as an internal error, never
written. With safe fixes only, a fix that would create a finding that was not there before is
not applied either: it stays as an unsafe fix of its finding, so "N fixed, M remaining" is the
truth about the file as written.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from lrlint.checks.base import Rule
from lrlint.diagnostics import Diagnostic
from lrlint.edits import Applied, apply_edits
from lrlint.engine import Analysis, analyse, file_error, rules_for
from lrlint.source import SourceText, write_atomically
from lrlint.suppression import UNUSED_CODE

__all__ = ["FixOutcome", "apply_edits", "fix_text", "write_fixed"]

MAX_ROUNDS = 10


@dataclass
class FixOutcome:
    text: str
    applied: int
    diagnostics: list[Diagnostic] = field(default_factory=list)  # what remains in ``text``
    parsed: bool = True
    initial: list[Diagnostic] = field(default_factory=list)  # what the original text had
    fixed: list[Diagnostic] = field(default_factory=list)  # the findings the fixes removed
    fences: tuple[int, ...] = ()  # where the caller's fences ended up in ``text``


def applicable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    fix = diagnostic.fix
    return fix is not None and (fix.applicability == "safe" or unsafe)


def lint_text(path: str, source: SourceText, text: str, rules: Sequence[Rule]) -> Analysis:
    """Lint one version of the text with the enabled rules its vocabulary lets through (always
    parsing it, so that a broken fix shows)."""
    active = rules_for(text.encode("utf-8", "surrogatepass"), rules)
    return analyse(path, source, text, active, {rule.code for rule in rules})


def fix_text(path: str, source: SourceText, rules: Sequence[Rule], unsafe: bool,
             fences: Sequence[int] = (),
             lint: Callable[[str], Analysis] | None = None) -> FixOutcome:
    """Fix ``source`` as far as the rules can; return the final text and what remains.

    ``rules`` are every rule enabled for the file. ``fences`` are offsets no edit may cross
    (see :mod:`lrlint.edits`). ``lint`` replaces the default analysis of a text version.
    """
    lint = lint or (lambda text: lint_text(path, source, text, rules))
    text = source.text
    fences = tuple(fences)
    applied: list[Diagnostic] = []
    broken: list[Diagnostic] = []
    refused: set[tuple] = set()  # fixes known to break the syntax or to create a finding
    demoted: set[tuple] = set()  # safe fixes that would create a finding
    analysis = lint(text)
    initial = analysis.diagnostics
    for _ in range(MAX_ROUNDS):
        if not analysis.parsed:
            break
        fixes = [d for d in sorted(analysis.diagnostics, key=Diagnostic.sort_key)
                 if applicable(d, unsafe) and _identity(d) not in refused]
        if not fixes:
            break
        step = _apply(fixes, text, fences)
        new_analysis = lint(step.text)
        if _rejected(analysis, new_analysis, step, unsafe):
            good = _fixes_fine_alone(path, fixes, text, fences, analysis, lint, unsafe,
                                     refused, demoted, broken)
            if not good:
                break
            step = _apply(good, text, fences)
            new_analysis = lint(step.text)
            if _rejected(analysis, new_analysis, step, unsafe):
                break
        if step.text == text:
            break
        taken = {id(fix) for fix in step.taken}
        applied.extend(d for d in fixes if id(d.fix) in taken)
        text, analysis, fences = step.text, new_analysis, step.fences
    remaining = [_demote(d) if _identity(d) in demoted else d for d in analysis.diagnostics]
    return FixOutcome(text, len(applied), remaining + broken, analysis.parsed, initial, applied,
                      fences)


def _apply(diagnostics: Sequence[Diagnostic], text: str, fences: tuple[int, ...]) -> Applied:
    return apply_edits(text, [d.fix for d in diagnostics if d.fix is not None], fences)


def _fixes_fine_alone(path, fixes, text, fences, analysis, lint, unsafe, refused, demoted,
                      broken) -> list[Diagnostic]:
    """The fixes that, applied alone, still parse and (for safe fixes) create no finding."""
    good: list[Diagnostic] = []
    for diagnostic in fixes:
        alone = _apply([diagnostic], text, fences)
        if not alone.taken:
            continue  # crosses a fence
        result = lint(alone.text)
        if not result.parsed:
            refused.add(_identity(diagnostic))
            broken.append(_broken_fix(path, diagnostic))
        elif not unsafe and _creates_findings(analysis, result, alone):
            refused.add(_identity(diagnostic))
            demoted.add(_identity(diagnostic))
        else:
            good.append(diagnostic)
    return good


def _rejected(before: Analysis, after: Analysis, step: Applied, unsafe: bool) -> bool:
    """A step whose text does not parse, or (safe fixes only) that creates a finding."""
    return not after.parsed or (not unsafe and _creates_findings(before, after, step))


def _creates_findings(before: Analysis, after: Analysis, step: Applied) -> bool:
    """Whether the text after ``step`` has a finding of some rule beyond what was there less
    what the step fixed (compared per code: positions move). A suppression comment a fix left
    with nothing to suppress (LR100) does not count: that is no bug."""
    fixed_ids = {id(fix) for fix in step.taken}
    expected = Counter(d.code for d in before.diagnostics if d.code)
    expected.subtract(d.code for d in before.diagnostics if d.code and id(d.fix) in fixed_ids)
    found = Counter(d.code for d in after.diagnostics if d.code and d.code != UNUSED_CODE)
    return any(count > expected[code] for code, count in found.items())


def _demote(diagnostic: Diagnostic) -> Diagnostic:
    assert diagnostic.fix is not None
    return replace(diagnostic, fix=replace(diagnostic.fix, applicability="unsafe"))


def _identity(diagnostic: Diagnostic) -> tuple:
    # Not the position: earlier fixes move it. Two findings with one message share a verdict.
    return (diagnostic.code, diagnostic.message)


def _broken_fix(path: str, diagnostic: Diagnostic) -> Diagnostic:
    return file_error(
        path, "internal-error",
        f"the fix for {diagnostic.code} at {diagnostic.start.line}:{diagnostic.start.column} "
        "produced invalid Python and was not applied (please report this)",
        diagnostic.start.line, diagnostic.start.column,
    )


def is_read_only(path: str) -> bool:
    """No write permission for us, or none for anyone (which root would otherwise ignore)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # the write reports the real problem
    return not os.access(path, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def write_fixed(path: str, encode: Callable[[], bytes]) -> Diagnostic | None:
    """Write the fixed file; a file problem (never an exception) when that cannot be done.

    A read-only file is left alone: the user (or a tool) made it so on purpose, and replacing it
    through its directory would silently bypass that.
    """
    if is_read_only(path):
        return file_error(path, "io-error", "cannot write fixed file: it is read-only")
    try:
        data = encode()
    except UnicodeEncodeError as error:
        return file_error(path, "internal-error",
                          f"fixed text does not fit the file's encoding: {error.reason}")
    try:
        write_atomically(path, data)
    except OSError as error:
        return file_error(path, "io-error", f"cannot write fixed file: {error.strerror or error}")
    return None
