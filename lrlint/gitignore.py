"""Gitignore pattern matching, written to agree with ``git check-ignore``.

Supported: comments, blank lines, trailing-space trimming (``\\ `` keeps a space), negation ``!``,
escaped ``\\#``/``\\!``, directory-only ``dir/``, anchoring by a leading or middle ``/``,
``*``, ``?``, ``**`` (leading ``**/``, middle ``/**/``, trailing ``/**``), character classes with
ranges, ``!``/``^``
negation and POSIX classes like ``[[:digit:]]``, CRLF line endings. Matching is case-sensitive
(git's default on Linux). Not read: ``core.excludesFile`` (the user's global ignore file) — lint
results should not depend on one developer's home directory.

Precedence follows git: a deeper ``.gitignore`` beats a shallower one, ``.git/info/exclude`` comes
last, and within one file the last matching pattern wins. Nothing inside an ignored directory can
be re-included, which the walker gets for free by not descending, and :meth:`GitIgnore.is_ignored`
by checking every parent directory first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

_GLOB_CHARS = frozenset("*?[\\")
_NEVER = re.compile(r"(?!)")

_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "blank": " \\t",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": " \\t\\n\\r\\f\\v",
    "upper": "A-Z",
    "xdigit": "0-9A-Fa-f",
}


@dataclass(frozen=True, slots=True)
class IgnorePattern:
    """One compiled gitignore line.

    ``anchored`` patterns (a ``/`` at the start or in the middle) match the path relative to the
    directory of the file that holds them; the others match the basename at any depth.
    """

    source: str
    body: str  # the glob without its "!", leading "/" and trailing "/"
    regex: re.Pattern[str]
    negated: bool
    dir_only: bool
    anchored: bool

    @property
    def plain_name(self) -> bool:
        """An unanchored pattern without wildcards or escapes: a bare file or directory name."""
        return not self.anchored and not _GLOB_CHARS.intersection(self.body)

    def matches(self, rel: str, name: str, is_dir: bool) -> bool:
        if self.dir_only and not is_dir:
            return False
        return self.regex.fullmatch(rel if self.anchored else name) is not None


def _trim_trailing_spaces(line: str) -> str:
    """Drop trailing spaces that are not escaped with a backslash (git's trim_trailing_spaces)."""
    end = len(line)
    while end and line[end - 1] == " ":
        backslashes = 0
        i = end - 2
        while i >= 0 and line[i] == "\\":
            backslashes += 1
            i -= 1
        if backslashes % 2:  # the space is escaped: keep it and everything before
            break
        end -= 1
    return line[:end]


def compile_pattern(line: str) -> IgnorePattern | None:
    """Compile one line of a gitignore file; None for blank lines and comments."""
    line = line.removesuffix("\r")
    if not line or line.startswith("#"):
        return None
    line = _trim_trailing_spaces(line)
    source = line
    negated = line.startswith("!")
    if negated:
        line = line[1:]
    dir_only = line.endswith("/") and not line.endswith("\\/")
    if dir_only:
        line = line[:-1]
    if not line:
        return None
    anchored = "/" in line
    line = line.removeprefix("/")
    return IgnorePattern(source, line, translate(line), negated, dir_only, anchored)


def parse_patterns(text: str) -> list[IgnorePattern]:
    """All patterns of a gitignore file's text, in file order."""
    patterns = (compile_pattern(line) for line in text.split("\n"))
    return [p for p in patterns if p is not None]


def translate(glob: str) -> re.Pattern[str]:
    """Translate a wildmatch glob (with pathname semantics) to a compiled regex.

    A pattern git would reject (an unclosed ``[``, a trailing lone backslash) matches nothing.
    """
    parts: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        if c == "*":
            j = i
            while j < n and glob[j] == "*":
                j += 1
            at_start = i == 0 or glob[i - 1] == "/"
            at_end = j == n or glob[j] == "/"
            if j - i >= 2 and at_start and at_end:
                if j == n:
                    parts.append(".*")  # trailing ** (or the whole pattern): anything below
                    i = j
                else:
                    parts.append("(?:.*/)?")  # **/ : zero or more directories
                    i = j + 1
            else:
                parts.append("[^/]*")
                i = j
        elif c == "?":
            parts.append("[^/]")
            i += 1
        elif c == "[":
            class_rx, i = _translate_class(glob, i)
            if class_rx is None:
                return _NEVER
            parts.append(class_rx)
        elif c == "\\":
            if i + 1 >= n:
                return _NEVER
            parts.append(re.escape(glob[i + 1]))
            i += 2
        else:
            parts.append(re.escape(c))
            i += 1
    try:
        return re.compile("".join(parts), re.DOTALL)
    except re.error:  # e.g. a reversed range like [z-a]
        return _NEVER


def _translate_class(glob: str, start: int) -> tuple[str | None, int]:
    """Translate the bracket expression at ``glob[start] == '['``; None if it is unclosed."""
    i = start + 1
    n = len(glob)
    negate = i < n and glob[i] in "!^"
    if negate:
        i += 1
    items: list[str] = []
    first = True
    while i < n:
        c = glob[i]
        if c == "]" and not first:
            body = "".join(items)
            # A class never matches '/', negated or not (wildmatch's pathname mode).
            return (f"[^/{body}]" if negate else f"(?!/)[{body}]"), i + 1
        first = False
        if c == "[" and glob.startswith("[:", i):
            close = glob.find(":]", i + 2)
            name = glob[i + 2 : close] if close != -1 else ""
            if name in _POSIX_CLASSES:
                items.append(_POSIX_CLASSES[name])
                i = close + 2
                continue
        if c == "\\":
            i += 1
            if i >= n:
                return None, n
            c = glob[i]
        if i + 2 < n and glob[i + 1] == "-" and glob[i + 2] != "]":
            hi_at = i + 2
            hi = glob[hi_at]
            if hi == "\\":
                hi_at += 1
                if hi_at >= n:
                    return None, n
                hi = glob[hi_at]
            items.append(f"{re.escape(c)}-{re.escape(hi)}")
            i = hi_at + 1
            continue
        items.append(re.escape(c))
        i += 1
    return None, n


class IgnoreRules:
    """The patterns of one source (a ``.gitignore`` file, ``info/exclude``, an exclude list).

    When no pattern is negated, order does not matter, so plain names go into sets and are
    checked first: most real ignore files are mostly plain names.
    """

    __slots__ = ("_dir_names", "_globs", "_names", "_ordered")

    def __init__(self, patterns: Iterable[IgnorePattern]) -> None:
        patterns = list(patterns)
        self._ordered = patterns[::-1]  # last match wins
        self._names: frozenset[str] = frozenset()
        self._dir_names: frozenset[str] = frozenset()
        self._globs: list[IgnorePattern] | None = None
        if not any(p.negated for p in patterns):
            self._names = frozenset(p.body for p in patterns if p.plain_name and not p.dir_only)
            self._dir_names = frozenset(p.body for p in patterns if p.plain_name and p.dir_only)
            self._globs = [p for p in patterns if not p.plain_name]

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> IgnoreRules:
        patterns = (compile_pattern(line) for line in lines)
        return cls(p for p in patterns if p is not None)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> IgnoreRules | None:
        """The rules of an ignore file; None when it is missing, unreadable or has no patterns."""
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as f:
                patterns = parse_patterns(f.read())
        except OSError:
            return None
        return cls(patterns) if patterns else None

    def __bool__(self) -> bool:
        return bool(self._ordered)

    def match(self, rel: str, is_dir: bool) -> bool | None:
        """True (ignored), False (re-included by ``!``) or None (no pattern speaks about it).

        ``rel`` is the path relative to the directory the patterns are anchored to.
        """
        name = rel.rpartition("/")[2]
        if self._globs is not None:
            if name in self._names or (is_dir and name in self._dir_names):
                return True
            return True if any(p.matches(rel, name, is_dir) for p in self._globs) else None
        for pattern in self._ordered:
            if pattern.matches(rel, name, is_dir):
                return not pattern.negated
        return None


# A chain of rule sets, most specific first; each with how many leading characters of a
# repository-relative path to cut off to make the path relative to the rules' directory.
IgnoreChain = tuple[tuple[IgnoreRules, int], ...]


def chain_match(chain: IgnoreChain, rel: str, is_dir: bool) -> bool:
    """Whether ``rel`` (relative to the repo root) is ignored by the first rules that speak."""
    for rules, cut in chain:
        verdict = rules.match(rel[cut:], is_dir)
        if verdict is not None:
            return verdict
    return False


def extend_chain(chain: IgnoreChain, directory: str, rel_dir: str) -> IgnoreChain:
    """``chain`` plus the ``.gitignore`` of ``directory`` (at ``rel_dir`` in the repo), if any."""
    rules = IgnoreRules.from_file(os.path.join(directory, ".gitignore"))
    if rules is None:
        return chain
    return ((rules, len(rel_dir) + 1 if rel_dir else 0), *chain)


def find_repo_root(path: str | os.PathLike[str]) -> Path | None:
    """The nearest directory at or above ``path`` that holds a ``.git`` entry."""
    current = Path(os.path.abspath(path))
    for directory in (current, *current.parents):
        if os.path.lexists(directory / ".git"):
            return directory
    return None


def _git_dir(repo_root: Path) -> Path:
    """The repository's git directory, following a ``gitdir:`` file (worktrees, submodules)."""
    dot_git = repo_root / ".git"
    if dot_git.is_file():
        try:
            first = dot_git.read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError, UnicodeDecodeError):
            return dot_git
        if first.startswith("gitdir:"):
            return (repo_root / first[len("gitdir:") :].strip()).resolve()
    return dot_git


def root_chain(repo_root: Path) -> IgnoreChain:
    """The rules in force at the repository root: its ``.gitignore`` over ``info/exclude``."""
    chain: IgnoreChain = ()
    exclude = IgnoreRules.from_file(_git_dir(repo_root) / "info" / "exclude")
    if exclude is not None:
        chain = ((exclude, 0),)
    return extend_chain(chain, str(repo_root), "")


class GitIgnore:
    """Answers "is this path ignored?" inside one repository, like ``git check-ignore``."""

    def __init__(self, repo_root: str | os.PathLike[str]) -> None:
        self.root = Path(os.path.abspath(repo_root))
        self._chains: dict[str, IgnoreChain] = {"": root_chain(self.root)}

    def chain_for(self, rel_dir: str) -> IgnoreChain:
        """The rules in force for entries of the directory ``rel_dir`` ("" for the root)."""
        chain = self._chains.get(rel_dir)
        if chain is None:
            parent = rel_dir.rpartition("/")[0]
            chain = extend_chain(self.chain_for(parent), str(self.root / rel_dir), rel_dir)
            self._chains[rel_dir] = chain
        return chain

    def is_ignored(self, rel: str, is_dir: bool = False) -> bool:
        """Whether the repo-relative POSIX path ``rel``, or a parent directory of it, is ignored."""
        parts: Sequence[str] = rel.strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            here = "/".join(parts[:depth])
            parent = "/".join(parts[: depth - 1])
            last = depth == len(parts)
            if chain_match(self.chain_for(parent), here, is_dir or not last):
                return True
        return False
