"""The project index: module summaries by path, and name resolution across modules.

Summaries of the project's files are added by the planner (or read lazily, through the
``read_bytes`` callable, when a lookup reaches a file); installed modules are found on the search
path and summarised only when a lookup reaches them. Every query is memoised, bounded in depth,
and safe on import cycles and class-hierarchy cycles: it answers None rather than raising.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from lrlint.analysis.frameworks import HF_TRAINING_ARGUMENTS
from lrlint.analysis.torch_api import Kind, classify
from lrlint.project.cache import ProjectCache
from lrlint.project.modules import Layout, Location, child
from lrlint.project.search_path import EXTERNAL_ALWAYS, InstalledPackages
from lrlint.project.summary import ClassSummary, FunctionSummary, ModuleSummary, summarize

MAX_DEPTH = 16  # re-export hops, alias hops and base-class levels followed

SymbolKind = Literal["class", "function", "variable", "module"]


@dataclass(frozen=True)
class Symbol:
    """A name a module defines: ``module`` (dotted), the file, the name inside the module
    (``"Trainer.fit"`` for a method; ``""`` for the module itself) and what it is."""

    module: str
    path: str | None
    name: str
    kind: SymbolKind

    @property
    def qualified(self) -> str:
        return f"{self.module}.{self.name}" if self.name else self.module


def default_read(path: str) -> bytes:
    with open(path, "rb") as stream:
        return stream.read()


class ProjectIndex:
    """Module summaries and resolution of qualified names, for one run."""

    def __init__(self, layout: Layout, installed: InstalledPackages | None = None,
                 read_bytes: Callable[[str], bytes] = default_read,
                 store: ProjectCache | None = None) -> None:
        self.layout = layout
        self.store = store
        self.installed = installed if installed is not None else InstalledPackages(
            listing=layout.listing)
        self.read_bytes = read_bytes
        self._by_path: dict[str, ModuleSummary | None] = {}
        self._namespaces: dict[str, ModuleSummary] = {}
        self._installed_paths: set[str] = set()
        self._resolve_memo: dict[tuple, tuple] = {}
        self._kind_memo: dict[tuple, tuple[tuple[Kind | None, str] | None, tuple[str, ...]]] = {}
        # Set by the planner while it decides relevance: a file the filter refuses is not parsed
        # (a lookup stops at it) and is not remembered, so a later query parses it.
        # The filter sees the file, its bytes, and the name a lookup wants from it (None: the
        # whole module), so a large module can be skipped when the one definition used is plain.
        self.parse_filter: Callable[[str, bytes, str | None], bool] | None = None
        self.parsed: list[str] = []  # files parsed with ast in this run (not from the cache)
        self._refused: set[tuple[str, str | None]] = set()
        self._filtered_bytes: dict[str, bytes] = {}  # files the filter saw (it may see again)
        self._known_only = False
        self._unfiltered = False
        # Files lookups stopped at without parsing (refused by the filter, or known_only), into
        # every recording open (see :meth:`recording_stops`): the planner invalidates what was
        # computed from them when they are admitted.
        self._stop_sets: list[set[str]] = []

    # -- summaries ------------------------------------------------------------------------------

    def add(self, path: str, summary: ModuleSummary | None) -> None:
        """Record the summary of a project file (None: it does not parse)."""
        self._by_path[_absolute(path)] = summary

    def summaries(self) -> dict[str, ModuleSummary | None]:
        """Every summary built or added so far, by absolute path."""
        return dict(self._by_path)

    def is_installed(self, path: str) -> bool:
        return _absolute(path) in self._installed_paths

    def summary_at(self, path: str, installed_name: str | None = None,
                   force: bool = False, want: str | None = None) -> ModuleSummary | None:
        """The summary of the file ``path``, built on first use (or taken from the cache). An
        installed module is named as it was imported (``installed_name``), not from the
        directories around it. ``force``: ignore the parse filter."""
        path = _absolute(path)
        if path in self._by_path:
            return self._by_path[path]
        if not force and (((path, want) in self._refused and not self._unfiltered) or (
                self._known_only and path not in self._installed_paths
                and not path.endswith("__init__.py"))):
            self._stopped_at((path,))
            return None
        if installed_name is not None and path in self._installed_paths:
            name, is_package = installed_name, os.path.basename(path) == "__init__.py"
        else:
            name, is_package = self.layout.module_name(path)
        data = None
        if not force and not self._unfiltered and self.parse_filter is not None:
            # The filter decides even when the cache holds a summary: a warm run must see
            # exactly what a cold one saw.
            data = self._filtered_bytes.get(path)
            if data is None:
                try:
                    data = self.read_bytes(path)
                except OSError:
                    return None
                self._filtered_bytes[path] = data
            if not self.parse_filter(path, data, want):
                self._refused.add((path, want))
                self._stopped_at((path,))
                return None
        cached = self.store.summary(path, name) if self.store is not None else None
        if cached is not None:
            summary = cached[0]
        else:
            if data is None:
                try:
                    data = self.read_bytes(path)
                except OSError:
                    return None
            summary = summarize(data, name, path, is_package)
            if self.store is not None:
                self.store.record_summary(path, data, summary)
            self.parsed.append(path)
        self._by_path[path] = summary
        self._filtered_bytes.pop(path, None)
        return summary

    @contextmanager
    def recording_stops(self) -> Iterator[set[str]]:
        """Collect the files lookups in this block stopped at (memoised answers included)."""
        found: set[str] = set()
        self._stop_sets.append(found)
        try:
            yield found
        finally:
            self._stop_sets.pop()

    def _stopped_at(self, paths) -> None:
        for found in self._stop_sets:
            found.update(paths)

    @contextmanager
    def known_only(self) -> Iterator[None]:
        """Lookups in this block parse no project module besides package ``__init__`` files
        (re-exports): the planner knows that what it has not parsed cannot matter there."""
        before, self._known_only = self._known_only, True
        try:
            yield
        finally:
            self._known_only = before

    @contextmanager
    def unfiltered(self) -> Iterator[None]:
        """Lookups in this block parse what they reach, whatever the parse filter says."""
        before, self._unfiltered = self._unfiltered, True
        try:
            yield
        finally:
            self._unfiltered = before

    @contextmanager
    def anywhere(self) -> Iterator[None]:
        """Lookups in this block parse every project module they reach (a base class: the
        methods a subclass inherits run on its objects, whatever the base's file spells)."""
        before = self._known_only, self._unfiltered
        self._known_only, self._unfiltered = False, True
        try:
            yield
        finally:
            self._known_only, self._unfiltered = before

    def refused_now_admitted(self) -> set[str]:
        """The files the parse filter now admits for a lookup it refused before."""
        admitted = set()
        for path, want in self._refused:
            if path in admitted:
                continue
            data = self._filtered_bytes.get(path)
            if data is None:
                try:
                    data = self.read_bytes(path)
                except OSError:
                    continue
            if self.parse_filter is None or self.parse_filter(path, data, want):
                admitted.add(path)
        return admitted

    def forget_lookups(self) -> None:
        """Drop memoised answers (after the parse filter changed)."""
        self._refused.clear()
        self._resolve_memo.clear()
        self._kind_memo.clear()

    def module_name(self, path: str) -> str | None:
        summary = self._by_path.get(_absolute(path))
        if summary is not None:
            return summary.name
        return self.layout.module_name(path)[0]

    def locate(self, name: str, importer: str | None = None) -> Location | None:
        """Where the module ``name`` is, searched as ``importer`` would (project first)."""
        found = self.layout.find(name, importer)
        if found is None:
            found = self.installed.find(name)
            if found is not None:
                # a namespace package has no file: remember its directory's stand-in path
                self._installed_paths.add(os.path.abspath(found.path or found.directory or ""))
        if found is None:
            found = self.layout.find_enclosing(name, importer)
        return found

    def module(self, name: str, importer: str | None = None) -> ModuleSummary | None:
        """The summary of module ``name`` (project or installed), or None."""
        location = self.locate(name, importer)
        return self._summary_of(location, name) if location is not None else None

    def _summary_of(self, location: Location, name: str,
                    want: str | None = None) -> ModuleSummary | None:
        if location.path is not None:
            return self.summary_at(location.path, name, want=want)
        key = location.directory or name
        namespace = self._namespaces.get(key)
        if namespace is None:
            namespace = ModuleSummary(name=name, path=location.directory or "", is_package=True,
                                      content_hash="")
            self._namespaces[key] = namespace
        return namespace

    # -- resolution -----------------------------------------------------------------------------

    def resolve(self, qualified: str, importer: str | None = None) -> Symbol | None:
        """The symbol a qualified name stands for, through re-exports, aliases and star imports;
        None when it leaves what the index can read (torch, a lazy ``__getattr__``, a value's
        attribute)."""
        symbol, rest, _ = self.lookup(qualified, importer)
        return symbol if not rest else None

    def resolve_prefix(self, qualified: str, importer: str | None = None,
                       ) -> tuple[Symbol | None, tuple[str, ...]]:
        """The symbol of the longest resolvable prefix of ``qualified`` and the parts left over
        (``proj.Trainer.fit.__doc__`` -> the method, ``("__doc__",)``)."""
        symbol, rest, _ = self.lookup(qualified, importer)
        return symbol, rest

    def canonical(self, qualified: str, importer: str | None = None) -> str:
        """``qualified`` with re-exports and aliases followed: to the defining module
        (``proj.sched.Warmup`` -> ``proj.sched.warmup.Warmup``), or to the name outside the
        index it stands for (``proj.optim.SGD`` -> ``torch.optim.SGD``)."""
        symbol, rest, external = self.lookup(qualified, importer)
        if external is not None:
            return external
        if symbol is not None:
            return ".".join((symbol.qualified, *rest))
        return qualified

    def lookup(self, qualified: str, importer: str | None = None,
               ) -> tuple[Symbol | None, tuple[str, ...], str | None]:
        """(symbol, parts left over, None), or (None, (), the external qualified name) when the
        name leads out of the index (torch, a package that is not installed), or (None, (), None).
        """
        if not qualified or qualified.startswith("?"):
            return None, (), None
        if qualified.startswith("torch.") or qualified == "torch":
            return None, (), qualified  # torch is data: never read, whoever asks
        importer = _absolute(importer) if importer else None
        # Where an import looks depends only on the importer's directory: files there share.
        key = (qualified, os.path.dirname(importer) if importer else None, self._known_only,
               self._unfiltered)
        memo = self._resolve_memo.get(key)
        if memo is None:
            with self.recording_stops() as stops:
                found = self._lookup(tuple(qualified.split(".")), importer, 0, {})
            self._resolve_memo[key] = (found, frozenset(stops))
            return found
        found, stops = memo
        self._stopped_at(stops)  # what this answer rests on, for whoever asks again
        return found

    def _lookup(self, parts: tuple[str, ...], importer: str | None, depth: int, seen: dict):
        # ``seen``: the answers of this lookup's walk so far, by (parts, importer); a name met
        # again (through star imports and re-exports that fan out and meet, as in torch's own
        # packages) is answered once, and a name in progress (a cycle) answers nothing.
        key = (parts, importer)
        if depth > MAX_DEPTH:
            return None, (), None
        if key in seen:
            return seen[key]
        seen[key] = (None, (), None)
        seen[key] = found = self._walk(parts, importer, depth, seen)
        return found

    def _walk(self, parts: tuple[str, ...], importer: str | None, depth: int, seen: dict):
        # A project module shadows the standard library (``sched/`` next to train.py); torch
        # is never read.
        location = None if parts[0] in EXTERNAL_ALWAYS else self.locate(parts[0], importer)
        if location is None:
            return None, (), ".".join(parts)
        name = parts[0]
        index = 1
        while True:
            summary = self._summary_of(location, name,
                                       parts[index] if index < len(parts) else None)
            if summary is None:
                return None, (), None
            symbol = Symbol(name, location.path, "", "module")
            if index == len(parts):
                return symbol, (), None
            attribute = parts[index]
            found = self._attribute(summary, location, attribute, parts[index + 1:], depth, seen)
            if found is not None:
                return found
            if location.is_package and location.directory is not None:
                sub = child(location.directory, attribute, self.layout.listing)
                if sub is not None:
                    if sub.path is not None and location.path in self._installed_paths:
                        self._installed_paths.add(sub.path)
                    location, name, index = sub, f"{name}.{attribute}", index + 1
                    continue
            for star in summary.star_imports:
                found = self._lookup((*star.split("."), *parts[index:]), summary.path or None,
                                     depth + 1, seen)
                # Only a module that binds the name counts: one where the walk stopped with
                # the name still unresolved is not where the star import got it from.
                if (found[0] is not None and len(found[1]) < len(parts) - index) or (
                        found[2] is not None and classify(found[2])):
                    return found
            return symbol, parts[index:], None

    def _attribute(self, summary: ModuleSummary, location: Location, attribute: str,
                   rest: tuple[str, ...], depth: int, seen: dict):
        """``module.attribute`` (and what follows) when the module itself binds it."""
        module, path = summary.name, location.path
        if attribute in summary.classes:
            cls = summary.classes[attribute]
            if rest and rest[0] in cls.methods:
                return Symbol(module, path, f"{attribute}.{rest[0]}", "function"), rest[1:], None
            return Symbol(module, path, attribute, "class"), rest, None
        if attribute in summary.functions:
            return Symbol(module, path, attribute, "function"), rest, None
        target = summary.imports.get(attribute) or summary.aliases.get(attribute)
        if target is not None and not target.startswith("?"):
            found = self._lookup((*target.split("."), *rest), path, depth + 1, seen)
            if found[0] is not None or found[2] is not None:
                return found
        if attribute in summary.variables:
            return Symbol(module, path, attribute, "variable"), rest, None
        return None

    # -- classes --------------------------------------------------------------------------------

    def class_summary(self, qualified: str, importer: str | None = None) -> ClassSummary | None:
        symbol = self.resolve(qualified, importer)
        if symbol is None or symbol.kind != "class" or symbol.path is None:
            return None
        summary = self.summary_at(symbol.path)
        return summary.classes.get(symbol.name) if summary is not None else None

    def function_summary(self, qualified: str, importer: str | None = None) -> FunctionSummary | None:
        symbol = self.resolve(qualified, importer)
        if symbol is None or symbol.kind != "function" or symbol.path is None or "." in symbol.name:
            return None
        summary = self.summary_at(symbol.path)
        return summary.functions.get(symbol.name) if summary is not None else None

    def class_kind(self, qualified: str, importer: str | None = None) -> tuple[Kind | None, str] | None:
        """(kind, torch class short name; kind None for settings) for a class that is, or derives through any chain of
        project and installed classes from, a class ``torch_api.classify`` knows; else None."""
        return self._class_kind(qualified, importer, 0, frozenset())

    def _class_kind(self, qualified: str, importer: str | None, depth: int,
                    seen: frozenset) -> tuple[Kind | None, str] | None:
        found = _torch_class(qualified)
        if found is not None or depth > MAX_DEPTH:
            return found
        symbol, rest, external = self.lookup(qualified, importer)
        if external is not None:
            return _torch_class(external)
        if symbol is None or rest or symbol.kind != "class" or symbol.path is None:
            return None
        key = (symbol.path, symbol.name, self._known_only, self._unfiltered)
        if key in self._kind_memo:
            found, stops = self._kind_memo[key]
            self._stopped_at(stops)
            return found
        if key in seen:
            return None  # a cycle in the class hierarchy
        with self.recording_stops() as stops:
            summary = self.summary_at(symbol.path)
            cls = summary.classes.get(symbol.name) if summary is not None else None
            result = None
            for base in cls.bases if cls is not None else ():
                if base.startswith("?"):
                    base = self._star_base(summary, base[1:])
                    if base is None:
                        continue
                result = self._class_kind(base, symbol.path, depth + 1, seen | {key})
                if result is not None:
                    break
        self._kind_memo[key] = (result, frozenset(stops))
        return result

    def _star_base(self, summary: ModuleSummary, text: str) -> str | None:
        """A base class name that only a star import can have brought into the module."""
        for star in summary.star_imports:
            candidate = f"{star}.{text}"
            if _torch_class(candidate) is not None or self.resolve(candidate, summary.path):
                return candidate
        return None

    def returned_kinds(self, qualified: str, importer: str | None = None,
                       ) -> frozenset[tuple[Kind | None, str]]:
        """What a factory function may return, over every branch: the union of the tracked
        classes its return statements construct (directly, or through other factories)."""
        return frozenset(self._returned(qualified, importer, 0, frozenset()))

    def _returned(self, qualified, importer, depth, seen) -> set[tuple[Kind | None, str]]:
        symbol = self.resolve(qualified, importer)
        if symbol is None or symbol.kind != "function" or symbol.path is None or depth > MAX_DEPTH:
            return set()
        key = (symbol.path, symbol.name)
        if key in seen or "." in symbol.name:
            return set()
        summary = self.summary_at(symbol.path)
        function = summary.functions.get(symbol.name) if summary is not None else None
        if function is None:
            return set()
        kinds: set[tuple[Kind | None, str]] = set()
        for callee in function.returns:
            found = self.class_kind(callee, symbol.path) or _factory(self.canonical(callee, symbol.path))
            if found is not None:
                kinds.add(found)
            else:
                kinds |= self._returned(callee, symbol.path, depth + 1, seen | {key})
        return kinds


def _absolute(path: str) -> str:
    if os.sep == "/" and path.startswith("/"):  # the common case, without os.path's checks
        return path
    return path if os.path.isabs(path) else os.path.abspath(path)


def _factory(qualified: str) -> tuple[Kind | None, str] | None:
    """classify() for the Hugging Face schedule factories (functions returning a LambdaLR)."""
    found = classify(qualified)
    return found if found is not None and found[1][:1].islower() else None


def _torch_class(qualified: str) -> tuple[Kind | None, str] | None:
    """classify() for class names only (Hugging Face factories are functions, not bases);
    ``(None, "TrainingArguments")`` for the Hugging Face settings classes, whose schedule
    settings rules judge with no optimizer in sight."""
    if qualified in HF_TRAINING_ARGUMENTS:
        return None, "TrainingArguments"
    found = classify(qualified)
    if found is None or found[1][:1].islower():
        return None
    return found
