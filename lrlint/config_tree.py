"""Which settings apply to which file: the nearest config file at or above it, as in Ruff.

Each file takes the config file closest to it (``.lrlint.toml``, ``lrlint.toml``, or a
``pyproject.toml`` with ``[tool.lrlint]``), so ``lrlint a/train.py b/train.py`` lints each with
its own directory's settings, whatever the order of the arguments. A file with no config above
it takes the one above the working directory, or the defaults. ``--config FILE`` puts one file in
charge of everything; ``--isolated`` ignores every config file. The command-line options
(:class:`Overrides`) apply on top of whichever settings a file gets.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from lrlint.config import (
    CONFIG_FILES,
    Config,
    ConfigError,
    PatternIgnores,
    config_in,
    expand_selectors,
    load_config,
    resolve_selection,
)

__all__ = ["ConfigTree", "FileCodes", "Overrides", "parse_per_file_ignores"]


@dataclass(frozen=True)
class Overrides:
    """Settings given on the command line; patterns are anchored at the working directory."""

    select: Sequence[str] | None = None
    ignore: Sequence[str] = ()
    extend_select: Sequence[str] = ()
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: PatternIgnores | None = None
    extend_per_file_ignores: PatternIgnores = ()

    def apply(self, config: Config, cwd: Path) -> Config:
        enabled = config.enabled
        if self.select is not None or self.ignore or self.extend_select:
            enabled = resolve_selection(
                self.select, self.ignore, self.extend_select, config.known_codes, base=enabled
            )
        return replace(
            config,
            enabled=enabled,
            cli_root=cwd,
            cli_exclude=self.exclude,
            cli_extend_exclude=self.extend_exclude,
            cli_per_file_ignores=self.per_file_ignores,
            cli_extend_per_file_ignores=self.extend_per_file_ignores,
        )


def parse_per_file_ignores(
    values: Iterable[str], known_codes: Mapping[str, str], flag: str = "--per-file-ignores"
) -> PatternIgnores:
    """``["tests/*:LR001", "legacy/*:LR003"]`` -> ``(("tests/*", {"LR001"}), ...)``.

    Each value is ``PATTERN:CODE``; one pattern may come back with several codes.
    """
    by_pattern: dict[str, set[str]] = {}
    for value in values:
        pattern, colon, selector = value.rpartition(":")
        if not colon or not pattern or not selector:
            raise ConfigError(f"{flag}: expected PATTERN:CODE, got {value!r}")
        for codes, _ in expand_selectors([selector.strip()], known_codes, flag):
            by_pattern.setdefault(pattern.strip(), set()).update(codes)
    return tuple((pattern, frozenset(codes)) for pattern, codes in by_pattern.items())


class ConfigTree:
    """The settings of each directory, found once per directory and remembered."""

    def __init__(
        self,
        known_codes: Mapping[str, str],
        overrides: Overrides | None = None,
        *,
        config_path: str | os.PathLike[str] | None = None,
        isolated: bool = False,
        cwd: str | os.PathLike[str] | None = None,
    ) -> None:
        self.known_codes = dict(known_codes)
        self.overrides = overrides or Overrides()
        self.cwd = Path(os.path.abspath(cwd or os.getcwd()))
        self._by_directory: dict[str, Config] = {}
        self._by_file: dict[Path, Config] = {}
        self._fallback: Config | None = None
        self.fixed: Config | None = None
        if config_path is not None:
            self.fixed = self._finish(load_config(Path(config_path), self.known_codes))
        elif isolated:
            self.fixed = self._finish(Config.default(self.known_codes, self.cwd))

    @classmethod
    def of(cls, config: Config) -> ConfigTree:
        """One config for every file (what ``--config`` gives)."""
        tree = cls(config.known_codes, cwd=config.cli_root)
        tree.fixed = config
        return tree

    def _finish(self, config: Config) -> Config:
        return self.overrides.apply(config, self.cwd)

    def _load(self, path: Path) -> Config:
        config = self._by_file.get(path)
        if config is None:
            config = self._by_file[path] = self._finish(load_config(path, self.known_codes))
        return config

    def fallback(self) -> Config:
        """The settings of a file with no config above it: those of the working directory."""
        if self._fallback is None:
            self._fallback = self._search_up(str(self.cwd), fallback=False) or self._finish(
                Config.default(self.known_codes, self.cwd)
            )
        return self._fallback

    def for_directory(self, directory: str | os.PathLike[str]) -> Config:
        if self.fixed is not None:
            return self.fixed
        return self._search_up(os.path.abspath(directory), fallback=True)

    def _search_up(self, directory: str, fallback: bool) -> Config | None:
        visited = []
        config = None
        while True:
            config = self._by_directory.get(directory)
            if config is not None:
                break
            visited.append(directory)
            found = config_in(directory)
            if found is not None:
                config = self._load(found)
                break
            parent = os.path.dirname(directory)
            if parent == directory:
                if not fallback:
                    return None
                config = self.fallback()
                break
            directory = parent
        for seen in visited:
            self._by_directory[seen] = config
        return config

    def for_listed_directory(self, directory: str, names: Iterable[str], parent: Config) -> Config:
        """The settings of a directory being walked, whose entry names are already known: a
        directory without a config file of its own takes its parent's (no file system calls)."""
        if self.fixed is not None:
            return self.fixed
        config = self._by_directory.get(directory)
        if config is not None:
            return config
        if any(name in CONFIG_FILES for name in names):
            found = config_in(directory)
            if found is not None:
                config = self._load(found)
        config = config or parent
        self._by_directory[directory] = config
        return config

    def for_file(self, path: str | os.PathLike[str]) -> Config:
        return self.for_directory(os.path.dirname(os.path.abspath(path)))

    def codes_for(self, path: str | os.PathLike[str]) -> frozenset[str]:
        return self.for_file(path).codes_for(path)

    def file_codes(self, paths: Iterable[str]) -> FileCodes:
        return FileCodes({path: self.codes_for(path) for path in paths})


class FileCodes:
    """The codes enabled for each file to lint, settled in the main process so that worker
    processes receive a plain table instead of config files to find and parse."""

    def __init__(self, codes: Mapping[str, frozenset[str]]) -> None:
        self._codes = dict(codes)

    def codes_for(self, path: str | os.PathLike[str]) -> frozenset[str]:
        return self._codes[os.fspath(path)]

