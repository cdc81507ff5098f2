"""``[tool.lrlint]`` in pyproject.toml (or ``lrlint.toml``), and rule selection shared with the
command line.

Keys (kebab-case, as written in TOML; ``lrlint.toml`` and ``.lrlint.toml`` hold them at top level)::

    [tool.lrlint]
    select = ["LR"]                 # codes, prefixes ("LR0"), "ALL" or rule names; default: all
    ignore = ["LR002"]
    extend-select = ["LR004"]       # added to select (or to the default when select is absent)
    exclude = ["legacy"]            # replaces DEFAULT_EXCLUDES
    extend-exclude = ["notebooks"]  # added to the excludes
    per-file-ignores = { "tests/*" = ["LR001"] }
    respect-gitignore = true
    src = ["src", "."]              # where the project's top-level modules live (like Ruff's src)
    extra-paths = ["../vendor"]     # more directories whose source the project imports

Selection follows Ruff: for each rule, the most specific selector that matches it decides
(exact code or name > longer prefix > shorter prefix > ``ALL``); at equal specificity ``ignore``
beats ``select``. Command-line selection is a second layer over the config's (see
:meth:`Config.with_overrides`): ``--select`` starts afresh, ``--ignore`` and ``--extend-select``
adjust what the config enabled.

``exclude``, ``extend-exclude`` and ``per-file-ignores`` patterns use gitignore syntax relative to
the config file's directory: a pattern without ``/`` matches a file or directory name at any depth,
one with ``/`` is anchored there, and a directory pattern covers everything below it. A
per-file-ignores key may start with ``!`` to apply to files that do *not* match. The same patterns
given on the command line (``--exclude``, ``--per-file-ignores`` ...) are anchored at the working
directory instead.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lrlint.gitignore import IgnoreRules, compile_pattern

__all__ = [
    "CONFIG_FILES",
    "DEFAULT_EXCLUDES",
    "Config",
    "ConfigError",
    "find_config",
    "load_config",
    "resolve_selection",
]

# Where settings live, in order of precedence within one directory (as Ruff's .ruff.toml,
# ruff.toml, pyproject.toml). A pyproject.toml counts only when it has a [tool.lrlint] table.
CONFIG_FILES = (".lrlint.toml", "lrlint.toml", "pyproject.toml")

# Directories (and files) never walked into unless ``exclude`` replaces this list.
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "build",
    "dist",
    "__pycache__",
    "site-packages",
    "node_modules",
    "*.egg-info",
    ".ipynb_checkpoints",
)

# Rules that no default enables: only a selector that names them (a code, a prefix, "ALL").
# LR100 (unused-suppression) checks comments, not training code, as Ruff's RUF100 does.
OPT_IN = frozenset({"LR100"})

_SECTION = "[tool.lrlint]"
_CODE_SELECTOR = re.compile(r"([A-Z]+)([0-9]*)")
_EXACT = 1_000  # specificity of a full code or a rule name; prefixes score 1 + their digits


class ConfigError(ValueError):
    """A configuration or selector problem; the message names the file, the key and the value."""


PatternIgnores = tuple[tuple[str, frozenset[str]], ...]  # (pattern, codes) pairs


@dataclass(frozen=True)
class Config:
    """The settings for one file. ``root`` anchors the config's exclude and per-file-ignores
    patterns; ``cli_root`` (the working directory) anchors those given on the command line."""

    root: Path = field(default_factory=Path.cwd)
    path: Path | None = None  # the config file it came from
    enabled: frozenset[str] = frozenset()  # the codes selected for every file
    exclude: tuple[str, ...] | None = None  # None: DEFAULT_EXCLUDES
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: PatternIgnores = ()
    respect_gitignore: bool = True
    src: tuple[str, ...] = ()  # relative to root; empty: the root and its src/ (lrlint.project)
    extra_paths: tuple[str, ...] = ()
    known_codes: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    cli_root: Path | None = None
    cli_exclude: tuple[str, ...] | None = None  # --exclude: replaces `exclude`
    cli_extend_exclude: tuple[str, ...] = ()
    cli_per_file_ignores: PatternIgnores | None = None  # --per-file-ignores: replaces the config's
    cli_extend_per_file_ignores: PatternIgnores = ()
    _per_file_rules: tuple[tuple[Path, RootedPatterns, bool, frozenset[str]], ...] = field(
        init=False, compare=False, repr=False
    )
    _excludes: tuple[tuple[Path, RootedPatterns], ...] = field(
        init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        root = Path(os.path.abspath(self.root))
        object.__setattr__(self, "root", root)
        cli_root = Path(os.path.abspath(self.cli_root or root))
        object.__setattr__(self, "cli_root", cli_root)
        own = () if self.cli_per_file_ignores is not None else self.per_file_ignores
        compiled = []
        for anchor, pairs in (
            (root, own),
            (cli_root, self.cli_per_file_ignores or ()),
            (cli_root, self.cli_extend_per_file_ignores),
        ):
            for pattern, codes in pairs:
                negated = pattern.startswith("!")
                patterns = RootedPatterns([pattern[1:] if negated else pattern])
                compiled.append((anchor, patterns, negated, codes))
        object.__setattr__(self, "_per_file_rules", tuple(compiled))
        if self.cli_exclude is not None:
            base = (cli_root, self.cli_exclude)
        else:
            base = (root, DEFAULT_EXCLUDES if self.exclude is None else self.exclude)
        sets = [base, (root, self.extend_exclude), (cli_root, self.cli_extend_exclude)]
        object.__setattr__(
            self, "_excludes", tuple((a, RootedPatterns(p)) for a, p in sets if p)
        )

    @classmethod
    def default(cls, known_codes: Mapping[str, str], root: Path | None = None) -> Config:
        """Every known rule enabled (but the opt-in ones), default excludes, no config file."""
        return cls(
            root=root or Path.cwd(),
            enabled=default_codes(known_codes),
            known_codes=dict(known_codes),
        )

    def with_overrides(
        self,
        select: Sequence[str] | None = None,
        ignore: Sequence[str] = (),
        extend_select: Sequence[str] = (),
    ) -> Config:
        """This config with ``--select``/``--ignore``/``--extend-select`` applied on top."""
        enabled = resolve_selection(
            select, ignore, extend_select, self.known_codes, base=self.enabled
        )
        return replace(self, enabled=enabled)

    @property
    def excludes(self) -> tuple[tuple[Path, RootedPatterns], ...]:
        """Each set of exclude patterns with the directory it is anchored at."""
        return self._excludes

    def is_excluded(self, path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` or one of its parents matches an exclude pattern."""
        return any(
            patterns.matches(path, relative_posix(path, anchor))
            for anchor, patterns in self._excludes
        )

    def codes_for(self, path: str | os.PathLike[str]) -> frozenset[str]:
        """The codes enabled for ``path`` once per-file-ignores are applied."""
        if not self._per_file_rules:
            return self.enabled
        codes = self.enabled
        for anchor, patterns, negated, ignored in self._per_file_rules:
            if patterns.matches(path, relative_posix(path, anchor)) != negated:
                codes = codes - ignored
        return codes


def relative_posix(path: str | os.PathLike[str], root: Path) -> str | None:
    """``path`` relative to ``root`` in POSIX form, or None when it lies outside ``root``."""
    rel = os.path.relpath(os.path.abspath(path), root)
    if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
        return None
    return rel.replace(os.sep, "/")


class RootedPatterns:
    """Gitignore-style patterns (``{a,b}`` expanded) anchored at a config file's directory.

    A path outside that directory can only match the unanchored patterns, by its basename.
    """

    __slots__ = ("inside", "outside")

    def __init__(self, patterns: Iterable[str]) -> None:
        compiled = [
            p
            for pattern in patterns
            for expanded in _expand_braces(pattern)
            if (p := compile_pattern(expanded)) is not None
        ]
        self.inside = IgnoreRules(compiled)
        self.outside = IgnoreRules(p for p in compiled if not p.anchored)

    def matches(self, path: str | os.PathLike[str], rel: str | None) -> bool:
        """Whether the file ``path`` (``rel`` to the root, None if outside) or a parent matches."""
        if rel is None:
            return self.outside.match(os.path.basename(path), False) is True
        parts = rel.split("/")
        for depth in range(1, len(parts) + 1):
            if self.inside.match("/".join(parts[:depth]), depth < len(parts)):
                return True
        return False


def _expand_braces(pattern: str) -> list[str]:
    """``src/{a,b}/*.py`` -> ``src/a/*.py``, ``src/b/*.py`` (not nested; escapes respected)."""
    match = re.search(r"(?<!\\)\{([^{}]*)\}", pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    return [x for alt in match.group(1).split(",") for x in _expand_braces(head + alt + tail)]


# --- selection ------------------------------------------------------------------------------


def _expand_selector(
    selector: str, known_codes: Mapping[str, str]
) -> tuple[frozenset[str], int] | None:
    """The codes a selector stands for and how specific it is; None if it selects nothing."""
    if selector == "ALL":
        return frozenset(known_codes), 0
    if selector in known_codes:
        return frozenset([selector]), _EXACT
    by_name = [code for code, name in known_codes.items() if name == selector]
    if by_name:
        return frozenset(by_name), _EXACT
    match = _CODE_SELECTOR.fullmatch(selector)
    if match is None:
        return None
    letters, digits = match.groups()
    codes = frozenset(
        code
        for code in known_codes
        if (m := _CODE_SELECTOR.fullmatch(code))
        and m.group(1) == letters
        and m.group(2).startswith(digits)
    )
    return (codes, 1 + len(digits)) if codes else None


def default_codes(known_codes: Mapping[str, str]) -> frozenset[str]:
    """The codes enabled when nothing is selected: all but the opt-in rules."""
    return frozenset(known_codes) - OPT_IN


def expand_selectors(selectors: Iterable[object], known_codes: Mapping[str, str], where: str):
    """Yield ``(codes, specificity)`` per selector; ConfigError naming ``where`` for a bad one."""
    for selector in selectors:
        expanded = _expand_selector(selector, known_codes) if isinstance(selector, str) else None
        if expanded is not None:
            yield expanded
            continue
        if not isinstance(selector, str):
            raise ConfigError(f"{where}: expected a rule code or name, got {_show(selector)}")
        kind = "rule code" if _CODE_SELECTOR.fullmatch(selector) else "rule code or name"
        hint = _did_you_mean(selector, [*known_codes, *known_codes.values()])
        raise ConfigError(f"{where}: unknown {kind} {selector!r}{hint}")


def resolve_selection(
    select: Sequence[str] | None,
    ignore: Sequence[str],
    extend_select: Sequence[str],
    known_codes: Mapping[str, str],
    *,
    origin: str | None = None,
    base: frozenset[str] | None = None,
) -> frozenset[str]:
    """The enabled codes for one layer of selectors.

    ``select=None`` keeps ``base`` (default: all known codes but ``OPT_IN``) as the starting
    set; a ``select`` list starts from nothing. Each code then takes the verdict of the most
    specific selector that matches it, ``ignore`` winning ties. ``origin`` names the config file and table for
    error messages (``"pyproject.toml: [tool.lrlint]"``); without it, errors name the CLI flags.
    """
    if select is not None:
        start = frozenset()
    else:
        start = default_codes(known_codes) if base is None else base
    verdicts: dict[str, tuple[int, bool]] = {}  # code -> (specificity, enabled)
    layers = (
        ("select", select or (), True),
        ("extend-select", extend_select, True),
        ("ignore", ignore, False),
    )
    for key, selectors, enable in layers:
        where = f"{origin} {key}" if origin else f"--{key}"
        for codes, specificity in expand_selectors(selectors, known_codes, where):
            for code in codes:
                best = verdicts.get(code)
                if best is None or specificity > best[0] or (specificity == best[0] and not enable):
                    verdicts[code] = (specificity, enable)
    enabled = {code for code in start if code in known_codes}
    for code, (_, enable) in verdicts.items():
        (enabled.add if enable else enabled.discard)(code)
    return frozenset(enabled)


# --- pyproject.toml -------------------------------------------------------------------------


def _read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):  # imported here: most runs find no config to parse
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{_display(path)}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{_display(path)}: cannot read: {exc.strerror or exc}") from None


def _lrlint_table(data: Mapping[str, Any]) -> Any:
    tool = data.get("tool")
    return tool.get("lrlint") if isinstance(tool, dict) else None


def config_in(directory: str | os.PathLike[str]) -> Path | None:
    """The config file that holds lrlint's settings in ``directory`` itself, if any.

    A pyproject.toml that does not mention lrlint is skipped without parsing, so a broken file
    of another project does not stop the run; one that mentions it and does not parse raises.
    """
    for name in CONFIG_FILES:
        candidate = Path(directory, name)
        if name != "pyproject.toml":
            if candidate.is_file():
                return candidate
            continue
        try:
            raw = candidate.read_bytes()
        except OSError:
            continue
        if b"lrlint" in raw and _lrlint_table(_read_toml(candidate)) is not None:
            return candidate
    return None


def find_config(start: str | os.PathLike[str]) -> Path | None:
    """The nearest config file at or above ``start``: ``.lrlint.toml``, ``lrlint.toml``, or a
    ``pyproject.toml`` with a ``[tool.lrlint]`` table."""
    start_path = Path(os.path.abspath(start))
    directory = start_path if start_path.is_dir() else start_path.parent
    for candidate_dir in (directory, *directory.parents):
        found = config_in(candidate_dir)
        if found is not None:
            return found
    return None


def _show(value: object) -> str:
    """A value as the user wrote it, near enough (TOML booleans in lower case)."""
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value)


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _string_list(where: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where} {key}: expected a list of strings, got {_show(value)}")
    return tuple(value)


_KEYS = (
    "select",
    "ignore",
    "extend-select",
    "exclude",
    "extend-exclude",
    "per-file-ignores",
    "respect-gitignore",
    "src",
    "extra-paths",
)


def is_standalone(path: Path) -> bool:
    """Any config file but a ``pyproject.toml`` (``lrlint.toml``, ``.lrlint.toml``, or a file
    given to ``--config``) holds the keys at top level, like ``ruff.toml``."""
    return path.name != "pyproject.toml"


def load_config(path: str | os.PathLike[str] | None, known_codes: Mapping[str, str]) -> Config:
    """Read ``[tool.lrlint]`` from ``path`` (the whole file for ``lrlint.toml``); ``None`` gives
    the defaults rooted at the cwd."""
    if path is None:
        return Config.default(known_codes)
    path = Path(os.path.abspath(path))
    data = _read_toml(path)
    if is_standalone(path):
        where, table = _display(path), data
    else:
        where, table = f"{_display(path)}: {_SECTION}", _lrlint_table(data)
    if table is None:
        table = {}
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table, got {_show(table)}")
    for key in table:
        if key not in _KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}{_did_you_mean(key, _KEYS)}")

    select = _string_list(where, "select", table["select"]) if "select" in table else None
    ignore = _string_list(where, "ignore", table.get("ignore", []))
    extend_select = _string_list(where, "extend-select", table.get("extend-select", []))
    enabled = resolve_selection(select, ignore, extend_select, known_codes, origin=where)

    exclude = _string_list(where, "exclude", table["exclude"]) if "exclude" in table else None
    extend_exclude = _string_list(where, "extend-exclude", table.get("extend-exclude", []))

    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(
            f"{where} per-file-ignores: expected a table of glob = [codes], got {_show(per_file)}"
        )
    per_file_ignores = []
    for pattern, selectors in per_file.items():
        key = f'per-file-ignores."{pattern}"'
        selectors = _string_list(where, key, selectors)
        expanded = expand_selectors(selectors, known_codes, f"{where} {key}")
        per_file_ignores.append((pattern, frozenset().union(*(codes for codes, _ in expanded))))

    respect_gitignore = table.get("respect-gitignore", True)
    if not isinstance(respect_gitignore, bool):
        raise ConfigError(
            f"{where} respect-gitignore: expected true or false, got {_show(respect_gitignore)}"
        )

    src = _string_list(where, "src", table.get("src", []))
    extra_paths = _string_list(where, "extra-paths", table.get("extra-paths", []))

    return Config(
        root=path.parent,
        path=path,
        enabled=enabled,
        exclude=exclude,
        extend_exclude=extend_exclude,
        per_file_ignores=tuple(per_file_ignores),
        respect_gitignore=respect_gitignore,
        src=src,
        extra_paths=extra_paths,
        known_codes=dict(known_codes),
    )
