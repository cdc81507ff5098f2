"""Planning a run: from the files to lint to the files that need lrlint's libcst model.

Stages, each cheaper than the next one it spares:

1. **bytes** (every file of the projects involved): the gates of ``gates.py``.
2. **ast** (files passing a gate, and files a lookup reaches): :func:`summary.summarize`.
3. **relevance** (summaries only): ``relevance.py``, to a fixpoint. Each round's new project
   producers become name gates for step 1 on the files not yet parsed.

Files outside the linted set take part when the linted files' projects are not linted whole
(``lrlint check engine.py`` still learns that ``main.py`` passes a scheduler to it): the planner
walks each project root with the run's excludes to find them.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from lrlint.config import Config
from lrlint.prefilter import passes_root
from lrlint.project.cache import ProjectCache, config_fingerprint, digest
from lrlint.project.gates import NameScan, definition_text
from lrlint.project.index import ProjectIndex, default_read
from lrlint.project.modules import Layout
from lrlint.project.relevance import Relevance, RelevanceSolver
from lrlint.project.search_path import InstalledPackages, is_skipped
from lrlint.project.shards import Shard, Shards
from lrlint.project.summary import ModuleSummary

# A file reached through an import is parsed only when it can define a producer (the root
# gates, a project name gate) or act on a received object (these words). Package __init__
# files are always parsed: they are how names are re-exported.
_FORWARD_WORDS = (b".step", b"zero_grad", b"param_groups", b"get_lr", b"get_last_lr", b"last_epoch",
                  b"base_lrs", b"add_param_group", b"unscale_", b"_last_lr", b"sched", b"Sched",
                  b"SCHED", b"scaler", b"Scaler", b"SCALER")
_MAX_ROUNDS = 8


# Context (callers of the linted files elsewhere in their project) is searched for when the
# project is at most this many times larger than what is linted (and always below the minimum).
_CONTEXT_SEARCH_RATIO = 10
_CONTEXT_SEARCH_MIN = 200


@dataclass
class PlanStats:
    """What each stage let through, and where the planning time went (seconds)."""

    linted: int = 0
    universe: int = 0  # linted files plus the other files of their projects
    passing_bytes: int = 0  # files a byte gate sent to ast (stage 1 -> 2)
    indexed: int = 0  # project files summarised with ast (gates and lookups)
    installed_indexed: int = 0  # installed modules summarised because a lookup reached them
    relevant: int = 0
    needs_model: int = 0  # linted files needing the libcst model
    context: int = 0
    cached: int = 0  # files whose stage-1/2 outcome came from the cache
    rounds: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # wall, per stage
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # this process's CPU (no workers)


@dataclass
class RunPlan:
    """What the runner needs: which linted files to model, with which context files, grouped.

    Paths are absolute. ``implied(path)`` gives the tracked names a file sees through the
    project (for ``lrlint.prefilter.ScanCache``'s ``implied`` words).
    """

    index: ProjectIndex
    linted: frozenset[str]
    needs_model: frozenset[str]
    context: frozenset[str]
    components: tuple[frozenset[str], ...]
    reasons: dict[str, str]
    syntax_errors: frozenset[str]  # linted files CPython could not parse (no summary)
    stats: PlanStats
    # Installed modules that define a tracked class or a producer: the only installed source
    # the libcst model needs to read (with the package __init__ files above them).
    installed_sources: frozenset[str] = frozenset()
    _words: dict[str, frozenset[bytes]] = field(default_factory=dict, repr=False)
    _component_of: dict[str, int] = field(default_factory=dict, repr=False)

    def wants(self, path: str) -> bool:
        """Whether the linted file ``path`` needs the libcst model."""
        return os.path.abspath(path) in self.needs_model

    def implied(self, path: str) -> frozenset[bytes]:
        """The words (torch class names, ``optim``, ``lr_scheduler`` ...) that ``path`` sees
        through the project (what it reads, builds through producers, or is handed), for the
        rules' byte vocabularies."""
        return self._words.get(os.path.abspath(path), frozenset())

    def enclosing_roots(self, paths: Iterable[str]) -> tuple[str, ...]:
        """Where the model's imports look last for these files: the directories between each
        file and its project root (``Layout.enclosing_roots``), as the index looked."""
        found = (root for path in paths for root in self.index.layout.enclosing_roots(path))
        return tuple(dict.fromkeys(found))

    def component_of(self, path: str) -> frozenset[str]:
        """The relevant files modelled together with ``path`` (itself included)."""
        path = os.path.abspath(path)
        position = self._component_of.get(path)
        return self.components[position] if position is not None else frozenset({path})


def plan_run(
    files: Sequence[str | os.PathLike[str]],
    read_bytes: Callable[[str], bytes] | None = None,
    config: Config | None = None,
    *,
    paths: Iterable[str | os.PathLike[str]] | None = None,
    universe: Iterable[str | os.PathLike[str]] | None = None,
    installed: InstalledPackages | None = None,
    cache: ProjectCache | None = None,
    workers: int = 1,
) -> RunPlan:
    """Plan a run over ``files`` (the linted files).

    ``read_bytes(path)`` reads a linted file (default: from disk; it may raise OSError).
    ``paths`` are the command-line paths: a project root at or under one of them is linted
    whole, so its other files need not be looked for. ``universe`` replaces that search with an
    explicit list of project files. ``installed`` overrides the search path for installed
    packages (default: ``sys.path``). ``cache`` reuses stage results of unchanged files (it
    assumes ``read_bytes`` gives the bytes on disk). ``workers``: processes for the byte and ast
    stages (forked; the relevance fixpoint runs here).
    """
    config = config or Config()
    # The plan allocates millions of small objects (ast nodes, summaries) and frees them by
    # reference counting; the cyclic collector would rescan the survivors over and over (about
    # a third of the time on a large corpus). Workers are forked with it off, too.
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            return _Planner(files, read_bytes, config, paths, universe, installed, cache,
                            workers).run()
        except RuntimeError:  # a worker died (out of memory, killed): plan here instead
            if workers <= 1:
                raise
            return _Planner(files, read_bytes, config, paths, universe, installed, cache,
                            1).run()
    finally:
        if collecting:
            gc.enable()


class _Planner:
    def __init__(self, files, read_bytes, config: Config, paths, universe, installed, cache,
                 workers: int) -> None:
        self.workers = workers
        self.config = config
        self.layout = Layout(str(config.root), config.src, config.extra_paths)
        self.linted = [os.path.abspath(os.fspath(f)) for f in files]
        self.linted_set = frozenset(self.linted)
        self.read_linted = read_bytes or default_read
        self.paths = None if paths is None else [os.path.abspath(os.fspath(p)) for p in paths]
        self.universe_given = (None if universe is None
                               else [os.path.abspath(os.fspath(u)) for u in universe])
        self.installed = installed if installed is not None else InstalledPackages(
            listing=self.layout.listing)
        self.cache = cache
        self.index = ProjectIndex(self.layout, self.installed, self._read, cache)
        self.stats = PlanStats(linted=len(self.linted))
        self.parsed: set[str] = set()
        # project scope -> producer name -> the words of the modules defining it
        self.names: dict[str, dict[str, set[str]]] = {}
        self.scans: dict[str, NameScan] = {}

    def _read(self, path: str) -> bytes:
        return self.read_linted(path) if path in self.linted_set else default_read(path)

    # -- the stages -----------------------------------------------------------------------------

    def run(self) -> RunPlan:
        timer = _Timer(self.stats.seconds, self.stats.cpu_seconds)
        with timer("universe"):
            universe = self._universe()
        self.stats.universe = len(universe)
        self.universe_set = frozenset(universe)
        key = None
        if self.cache is not None:
            with timer("cache"):
                key = self._plan_key(universe)
                recorded = self.cache.plan(key)
            if recorded is not None:
                return self._restore(recorded, timer)
        shards = Shards(universe, self.workers, self._shard)
        try:
            relevance = self._stages(universe, shards, timer)
        finally:
            shards.close()
        self.index.parse_filter = None
        self.index.forget_lookups()
        plan = self._plan(relevance, set(universe))
        if self.cache is not None and key is not None:
            with timer("cache"):
                read = set(universe) | set(self.index.summaries())
                self.cache.record_plan(key, _plan_json(plan), sorted(read))
                self.cache.save()
        return plan

    def _shard(self, paths: list[str]) -> Shard:
        return Shard(paths, self._read, self.layout.module_name, self._imports_installed,
                     self._scope)

    def _stages(self, universe: list[str], shards: Shards, timer: _Timer) -> Relevance:
        with timer("bytes+ast"):
            first = self._first_gate(universe, shards)
        self.stats.passing_bytes = len(first)
        solver = RelevanceSolver(self.index, set(universe))
        solver.add(first)
        self.index.parse_filter = self._forward_filter
        relevance = Relevance()
        for round_number in range(1, _MAX_ROUNDS + 1):
            self.stats.rounds = round_number
            with timer("relevance"):
                relevance = solver.solve()
            with timer("bytes+ast"):
                more = self._name_gates(relevance, shards)
                admitted = self.index.refused_now_admitted()
                if more:
                    self.stats.passing_bytes += len(more)
                    self._add_parsed(shards.parse(more))
                    shards.drop(more)
            if not more and not admitted:
                break
            solver.add(more)
            # Lookups that stopped at these files may go further now.
            self.index.forget_lookups()
            solver.invalidate(set(more) | admitted)
        return relevance

    def _plan_key(self, universe: list[str]) -> str:
        """What a plan depends on besides the files it reads."""
        import sys

        installed = self.installed.entries if self.installed.entries is not None else sys.path
        return digest(config_fingerprint(self.config), self.layout.src, self.layout.extra_paths, sorted(self.linted),
                      sorted(universe), list(installed))

    def _restore(self, recorded: dict, timer: _Timer) -> RunPlan:
        """The recorded plan of an unchanged project (summaries load lazily from the cache)."""
        with timer("cache"):
            self.stats.cached = self.stats.universe
            for name, value in recorded["stats"].items():
                if name not in ("linted", "universe", "cached", "seconds", "cpu_seconds"):
                    setattr(self.stats, name, value)
            components = tuple(frozenset(c) for c in recorded["components"])
            component_of = {p: i for i, group in enumerate(components) for p in group}
            words = {p: frozenset(w.encode("latin-1") for w in ws)
                     for p, ws in recorded["words"].items()}
        return RunPlan(
            index=self.index, linted=self.linted_set,
            needs_model=frozenset(recorded["needs_model"]), context=frozenset(recorded["context"]),
            components=components, reasons=dict(recorded["reasons"]),
            syntax_errors=frozenset(recorded["syntax_errors"]), stats=self.stats,
            installed_sources=frozenset(recorded.get("installed_sources", ())), _words=words,
            _component_of=component_of,
        )

    def _universe(self) -> list[str]:
        """The linted files and the other files of their projects (when not linted whole)."""
        if self.universe_given is not None:
            return list(dict.fromkeys([*self.linted, *self.universe_given]))
        roots = {self.layout.project_root(path) for path in self.linted}
        roots.discard(None)
        covered = self.paths or []
        missing = [root for root in roots
                   if not any(root == p or root.startswith(p.rstrip(os.sep) + os.sep)
                              for p in covered if os.path.isdir(p))]
        if not missing:
            return list(self.linted)
        from lrlint.discovery import discover  # walks only when context must be found

        found, _ = discover(sorted(missing), self.config)
        if len(found) > max(_CONTEXT_SEARCH_MIN, _CONTEXT_SEARCH_RATIO * len(self.linted)):
            # A corner of a large tree (a directory of a monorepo, examples inside a tool's
            # own repository): indexing the whole tree for callers would cost far more than
            # linting the corner; what its files import is still followed.
            return list(self.linted)
        return list(dict.fromkeys([*self.linted, *(os.path.abspath(f) for f in found)]))

    def _first_gate(self, universe: list[str], shards: Shards) -> list[str]:
        """Files whose bytes can name a tracked class or factory, or an installed package's;
        parsed (in the shards, or from the cache) on the way."""
        passing, from_cache, todo = [], [], []
        for path in universe:
            entry = self.cache.lookup(path) if self.cache is not None else None
            if entry is None or entry.spells_torch is None:
                todo.append(path)
                continue
            self.stats.cached += 1
            if entry.spells_torch or (entry.imports
                                      and self._imports_installed(path, entry.imports)):
                from_cache.append(path)
        for result in shards.gate(todo):
            if self.cache is not None:
                self.cache.record_gate(result.path, result.mtime_ns, result.size, result.digest,
                                       result.spells, result.imports)
            if result.passed:
                passing.append(result.path)
                self._add_parsed([(result.path, result.digest, result.summary)])
        for path in from_cache:  # their summaries are in the cache (or parsed here)
            self.parsed.add(path)
            self.index.summary_at(path, force=True)
        shards.drop(passing)
        return passing + from_cache

    def _add_parsed(self, parsed) -> None:
        for path, content, summary in parsed:
            self.parsed.add(path)
            self.index.add(path, summary)
            if self.cache is not None:
                self.cache.record_summary(path, content, summary)

    def _imports_installed(self, path: str, imports: list[str]) -> bool:
        for top in imports:
            if (top and not is_skipped(top) and self.layout.find(top, path) is None
                    and self.installed.find(top) is not None):
                return True
        return False

    def _scope(self, path: str) -> str:
        """Where a project's names can be imported: its root, or (no root marker) the
        directory its package chain starts in."""
        root = self.layout.project_root(path)
        if root is None:
            root = self.layout.package_top(os.path.dirname(path))[0]
        return root

    def _scan_for(self, path: str) -> NameScan | None:
        return self.scans.get(self._scope(path))

    def _forward_filter(self, path: str, data: bytes, want: str | None) -> bool:
        """Whether a file reached through a lookup is worth parsing: it can define a producer
        or a receiver. With ``want``, only that definition's text counts when it is a plain
        top-level def or class."""
        if path.endswith("__init__.py"):
            return True  # re-exports
        if want is not None:
            region = definition_text(data, want)
            if region is not None:
                data = region
        if passes_root(data) or any(word in data for word in _FORWARD_WORDS):
            return True
        scan = self._scan_for(path)
        return scan is not None and scan.matches(data)

    def _name_gates(self, relevance: Relevance, shards: Shards) -> list[str]:
        """Files not parsed yet that can refer to a project producer learnt this round (and,
        outside the linted files, to a linted receiver: callers that give it objects)."""
        fresh: dict[str, dict[str, set[str]]] = {}
        project = self.universe_set
        found = [key for key in (*relevance.producers, *relevance.reexports)
                 if key[1] and key[0] in project]
        if len(self.linted) < len(project):
            found += [key for key in relevance.receivers if key[1] and key[0] in self.linted_set]
        for path, name in found:
            scope = self._scope(path)
            known = self.names.setdefault(scope, {})
            words = _module_words(self.index.module_name(path))
            if name not in known or not words <= known[name]:
                known.setdefault(name, set()).update(words)
                fresh.setdefault(scope, {}).setdefault(name, set()).update(words)
        if not fresh:
            return []
        for scope in fresh:
            self.scans[scope] = NameScan(self.names[scope])
        new_scans = {scope: NameScan(names) for scope, names in fresh.items()}
        return shards.scan(new_scans, sorted(self.parsed & project))

    # -- the plan -------------------------------------------------------------------------------

    def _plan(self, relevance: Relevance, universe: set[str]) -> RunPlan:
        summaries = self.index.summaries()
        self.stats.indexed = sum(1 for p in summaries if p in universe or not self.index.is_installed(p))
        self.stats.installed_indexed = sum(1 for p in summaries if self.index.is_installed(p))
        relevant = relevance.relevant
        components, component_of = _components(relevant, relevance.edges)
        targets = {p for p in relevant if p in self.linted_set}
        syntax_errors = frozenset(p for p in self.linted if p in summaries and summaries[p] is None)
        needs_model = frozenset(targets | syntax_errors)
        wanted = {component_of[p] for p in targets}
        context = frozenset(p for p in relevant if p not in self.linted_set
                            and component_of.get(p) in wanted)
        self.stats.relevant = len(relevant)
        self.stats.needs_model = len(needs_model)
        self.stats.context = len(context)
        return RunPlan(
            index=self.index, linted=self.linted_set, needs_model=needs_model, context=context,
            components=tuple(components), reasons=dict(relevant), syntax_errors=syntax_errors,
            stats=self.stats, installed_sources=self._installed_sources(relevance),
            _words=relevance.words, _component_of=component_of,
        )

    def _installed_sources(self, relevance: Relevance) -> frozenset[str]:
        """Installed modules the plan read that define a tracked class (through any chain of
        bases) or a producer."""
        found = {path for path, _ in relevance.producers if self.index.is_installed(path)}
        for path, summary in self.index.summaries().items():
            if summary is None or path in found or not self.index.is_installed(path):
                continue
            if summary.name and any(self.index.class_kind(f"{summary.name}.{name}", path)
                                    for name in summary.classes):
                found.add(path)
        return frozenset(found)


def _plan_json(plan: RunPlan) -> dict:
    stats = {k: v for k, v in plan.stats.__dict__.items()
             if k not in ("seconds", "cpu_seconds")}
    return {
        "needs_model": sorted(plan.needs_model), "context": sorted(plan.context),
        "components": [sorted(c) for c in plan.components], "reasons": plan.reasons,
        "syntax_errors": sorted(plan.syntax_errors), "stats": stats,
        "installed_sources": sorted(plan.installed_sources),
        "words": {p: sorted(w.decode("latin-1") for w in ws) for p, ws in plan._words.items()},
    }


def _module_words(module: str | None) -> set[str]:
    """The words an importer of ``module`` spells: its inner names (the top package too when it
    is the only one)."""
    if not module:
        return set()
    parts = module.split(".")
    return set(parts[1:] if len(parts) > 1 else parts)


def _components(relevant: dict[str, str], edges: dict[str, set[str]],
                ) -> tuple[list[frozenset[str]], dict[str, int]]:
    parent = {path: path for path in relevant}

    def find(path: str) -> str:
        while parent[path] != path:
            parent[path] = parent[parent[path]]
            path = parent[path]
        return path

    for path, neighbours in edges.items():
        if path not in parent:
            continue
        for other in neighbours:
            if other in parent:
                parent[find(path)] = find(other)
    groups: dict[str, set[str]] = {}
    for path in relevant:
        groups.setdefault(find(path), set()).add(path)
    components = [frozenset(group) for _, group in sorted(groups.items())]
    component_of = {path: position for position, group in enumerate(components) for path in group}
    return components, component_of


class _Timer:
    """Wall seconds per stage into ``into``, and this process's CPU seconds into ``cpu``."""

    def __init__(self, into: dict[str, float], cpu: dict[str, float]) -> None:
        self.into = into
        self.cpu = cpu

    def __call__(self, stage: str) -> _Timer:
        self.stage = stage
        return self

    def __enter__(self) -> None:
        self.start = time.perf_counter()
        self.start_cpu = time.process_time()

    def __exit__(self, *exc) -> None:
        self.into[self.stage] = self.into.get(self.stage, 0.0) + time.perf_counter() - self.start
        spent = time.process_time() - self.start_cpu
        self.cpu[self.stage] = self.cpu.get(self.stage, 0.0) + spent


__all__ = ["ModuleSummary", "PlanStats", "RunPlan", "plan_run"]
