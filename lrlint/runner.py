"""Linting many files: each worker reads, prefilters and analyses a share of them.

Workers are forked, so libcst and the rules are imported once. Small runs (pre-commit's few
files) stay in this process. One file's failure never stops the run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Literal

from lrlint.checks import rule_by_code
from lrlint.checks.base import Rule
from lrlint.config import Config
from lrlint.diagnostics import Diagnostic, FileResult
from lrlint.engine import file_error, lint_bytes, rules_for
from lrlint.notebook import is_notebook
from lrlint.prefilter import ROOT_GATES
from lrlint.source import DecodeError, decode

FixMode = Literal["off", "safe", "unsafe"]


@dataclass(frozen=True)
class Job:
    path: str
    data: bytes
    codes: tuple[str, ...]
    fix: FixMode
    write: bool  # write fixed text back (False for --diff and stdin)


@cache
def rules_for_codes(codes: tuple[str, ...]) -> tuple[Rule, ...]:
    catalog = rule_by_code()
    return tuple(catalog[code]() for code in codes)


def run_job(job: Job) -> FileResult:
    """Lint (and maybe fix) one file; never raises."""
    try:
        if is_notebook(job.path):  # the notebook module reads the cells' code out of the JSON
            from lrlint.notebook import run_notebook_job

            return run_notebook_job(job, rules_for_codes(job.codes))
        return _run_job(job)
    except Exception as error:  # a bug in lrlint must not lose the other files' results
        return FileResult(job.path, [file_error(job.path, "internal-error",
                                                f"lrlint failed on this file: {error!r} (please report this)")])


def _run_job(job: Job) -> FileResult:
    rules = rules_for_codes(job.codes)
    if job.fix == "off":
        return lint_bytes(job.path, job.data, rules)
    from lrlint.fixer import fix_text
    from lrlint.suppression import ignores_file

    if not rules_for(job.data, rules):
        return FileResult(job.path)
    try:
        source = decode(job.data)
    except DecodeError:
        return lint_bytes(job.path, job.data, rules)  # reports the decode error
    if ignores_file(source.text):
        return FileResult(job.path)
    # Every enabled rule, not only those the prefilter chose on the text before the fixes.
    outcome = fix_text(job.path, source, rules, unsafe=job.fix == "unsafe")
    return _fixed_result(job.path, source, outcome, job.write)


def _fixed_result(path: str, source, outcome, write: bool) -> FileResult:
    """The result of fixing one file, written back when asked. When nothing could be written,
    the file is reported as it still is."""
    from lrlint.fixer import write_fixed

    result = FileResult(path, outcome.diagnostics, parsed=outcome.parsed,
                        fixes_applied=outcome.applied, fixed=outcome.fixed)
    if outcome.text != source.text:
        result.original_source = source.text
        result.fixed_source = outcome.text
        problem = write_fixed(path, lambda: source.encode(outcome.text)) if write else None
        if problem is not None:
            result.diagnostics = [*outcome.initial, problem]
            result.fixes_applied, result.fixed = 0, []
            result.original_source = result.fixed_source = None
    return result


@dataclass(frozen=True)
class Batch:
    """Files one worker reads and prefilters (and notebooks it lints, each on its own)."""

    paths: tuple[str, ...]
    config: Config  # or anything with codes_for(path): the codes enabled per file
    fix: FixMode = "off"
    write: bool = True
    # From the run's plan (absolute paths): files the project model needs, and the words each
    # file sees through the project (a scheduler class defined in another module).
    wanted: frozenset[str] = frozenset()
    implied: dict[str, frozenset[bytes]] | None = None


@dataclass(frozen=True)
class Candidate:
    """A file that may hold a finding: its bytes, and the rules enabled for it."""

    path: str
    data: bytes
    codes: tuple[str, ...]


def read_batch(batch: Batch) -> tuple[list[Candidate], list[FileResult]]:
    """Read and prefilter each file: the candidates worth modelling, and the results of files
    done already (unreadable files, notebooks)."""
    candidates: list[Candidate] = []
    problems: list[FileResult] = []
    implied_words = batch.implied or {}
    for path in batch.paths:
        try:
            with open(path, "rb") as stream:
                data = stream.read()
        except OSError as error:
            problems.append(FileResult(path, [file_error(path, "io-error", error.strerror or str(error))]))
            continue
        codes = tuple(sorted(batch.config.codes_for(path)))
        if not codes:
            continue
        if is_notebook(path):  # a notebook is linted on its own, its cells as one module
            if any(gate in data for gate in ROOT_GATES):
                problems.append(run_job(Job(path, data, codes, batch.fix, batch.write)))
            continue
        absolute = os.path.abspath(path)
        # The plan says whether a tracked object may be visible here (the project model is
        # needed); elsewhere only the rules on lrlint's own comments can speak.
        if absolute in batch.wanted or rules_for(
                data, [rule for rule in rules_for_codes(codes) if not rule.needs_tracked_object],
                implied_words.get(absolute, frozenset())):
            candidates.append(Candidate(path, data, codes))
    return candidates, problems


@dataclass(frozen=True)
class Component:
    """Candidates modelled together (they may import each other), and how to fix them."""

    candidates: tuple[Candidate, ...]
    fix: FixMode
    write: bool
    extra_paths: tuple[str, ...] = ()  # where else modules live (vendored, installed)
    # Files outside the linted set whose models the candidates need (the main.py calling a
    # linted engine.py): modelled, never reported on.
    context: tuple[str, ...] = ()
    # Installed modules the model may read (None: any that can define a tracked class).
    installed_sources: frozenset[str] | None = None
    # Searched after everything else: the directories between the files and their project
    # root (a subproject's entry script puts its own directory on sys.path).
    enclosing_roots: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComponentOutcome:
    results: list[FileResult]
    reads: tuple[str, ...] = ()  # the other files the model read (context, imported modules)
    absent: tuple[str, ...] = ()  # paths an import looked for and did not find
    complete: bool = True  # False after an internal error: not worth caching


def run_components(batch: tuple[Component, ...]) -> list[ComponentOutcome]:
    """Model a batch of components in turn.

    In a worker process the cyclic garbage collector waits while a component is modelled (its
    objects live until it is done), collects once what the component left, then freezes the
    survivors (the worker's own objects, the kept trees): the next collection scans only what
    the next component makes. A model allocates millions of small objects that die together;
    with the default thresholds the collector rescanned the survivors so often that it took
    about 40% of the modelling time on the benchmark corpus, and with raised thresholds a
    worker held about 0.4 GB more at its peak than it does now."""
    import gc
    import multiprocessing

    if multiprocessing.parent_process() is None:
        # The run's own process (an editor, a test run, a small run): its heap may be large
        # and outlive the run, so no collection of it all; raised thresholds instead.
        return [run_component(component) for component in batch]
    outcomes = []
    for component in batch:
        gc.disable()
        try:
            outcomes.append(run_component(component))
        finally:
            gc.enable()
        gc.collect()
        gc.freeze()
    return outcomes


def run_component(component: Component) -> ComponentOutcome:
    """Model the component's files as one project and lint each; never raises."""
    try:
        return _run_component(component)
    except Exception as error:  # a bug in lrlint must not lose the other components' results
        return ComponentOutcome([FileResult(c.path, [file_error(
            c.path, "internal-error", f"lrlint failed on this file: {error!r} (please report this)")])
            for c in component.candidates], complete=False)


def _run_component(component: Component) -> ComponentOutcome:
    from lrlint.analysis.project import DirectoryLocator
    from lrlint.engine import analyse_workspace, parse
    from lrlint.suppression import ignores_file
    from lrlint.workspace import Workspace

    results: dict[str, FileResult] = {}
    sources = {}
    roots = source_roots(c.path for c in component.candidates)
    # Namespace packages (a directory without __init__.py imported by name): its parents too.
    parents = [os.path.dirname(root) for root in roots]
    locator = DirectoryLocator(
        [*roots, *dict.fromkeys(p for p in parents if p not in roots), *component.extra_paths],
        installed=installed_roots(), installed_sources=component.installed_sources,
        last=component.enclosing_roots)
    workspace = Workspace(locator)
    for candidate in component.candidates:
        try:
            source = decode(candidate.data)
        except DecodeError:  # reported by the one-file path
            results[candidate.path] = run_job(Job(candidate.path, candidate.data, candidate.codes,
                                                  "off", False))
            continue
        if ignores_file(source.text):
            results[candidate.path] = FileResult(candidate.path)
            continue
        module, error = parse(candidate.path, source.text)
        if error is not None:
            results[candidate.path] = FileResult(candidate.path, [error])
            continue
        sources[candidate.path] = source
        workspace.add(candidate.path, module)
    for path in component.context:
        context_module = _parse_context(path)
        if context_module is not None:
            workspace.add(path, context_module)
    by_path = {c.path: c for c in component.candidates}
    if component.fix == "off":
        analyses = analyse_workspace(workspace, sources, {
            path: rules_for_codes(by_path[path].codes) for path in sources})
        for path, analysis in analyses.items():
            results[path] = FileResult(path, analysis.diagnostics, parsed=analysis.parsed)
    else:
        for path, source in sources.items():
            candidate = by_path[path]
            results[path] = _fix_file(candidate, source, component, workspace)
    members = {c.path for c in component.candidates}
    reads = sorted({*component.context, *locator.found} - members)
    return ComponentOutcome([results[c.path] for c in component.candidates if c.path in results],
                            tuple(reads), tuple(sorted(locator.absent)))


def _parse_context(path: str):
    """A context file's module, or None when it cannot be read, decoded or parsed (it only
    informs the linted files; its own problems are not this run's to report)."""
    from lrlint.engine import parse

    try:
        with open(path, "rb") as stream:
            source = decode(stream.read())
    except (OSError, DecodeError):
        return None
    module, error = parse(path, source.text)
    return None if error is not None else module


def _fix_file(candidate: Candidate, source, component: Component, workspace) -> FileResult:
    from lrlint.engine import analyse
    from lrlint.fixer import fix_text

    rules = rules_for_codes(candidate.codes)
    enabled = set(candidate.codes)
    outcome = fix_text(candidate.path, source, rules, unsafe=component.fix == "unsafe",
                       lint=lambda text: analyse(candidate.path, source, text, rules, enabled,
                                                 workspace=workspace))
    return _fixed_result(candidate.path, source, outcome, component.write)


def installed_roots() -> list[str]:
    """The interpreter's package directories (installed packages' source is read, never
    imported)."""
    import sysconfig

    found = []
    for key in ("purelib", "platlib"):
        directory = sysconfig.get_paths().get(key)
        if directory and os.path.isdir(directory) and directory not in found:
            found.append(directory)
    return found


def source_roots(paths) -> list[str]:
    """Where top-level modules of these files live: the first directory above each file that
    is not a package (``python train.py`` imports its siblings; a package's parent holds it)."""
    roots: list[str] = []
    for path in paths:
        directory = os.path.dirname(os.path.abspath(path))
        while os.path.isfile(os.path.join(directory, "__init__.py")):
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
        if directory not in roots:
            roots.append(directory)
    return roots


# Below this many files one process is faster than starting workers.
_PARALLEL_MIN_FILES = 48


def lint_files(paths: Sequence[str], config: Config, fix: FixMode = "off", write: bool = True,
               workers: int | None = None, extra_paths: Sequence[str] = (),
               plan_config: Config | None = None, cli_paths: Sequence[str] | None = None,
               use_cache: bool = False) -> list[FileResult]:
    """Lint files: plan the run (which files the project model needs, and how they group),
    read and prefilter them (spread over worker processes), then model each group of files
    that can see each other as one project, and lint each.

    ``plan_config``: the settings that anchor the project (root, ``src``, ``extra-paths``, the
    cache's place); ``cli_paths``: the paths as given (a project linted whole needs no search
    for context); ``use_cache``: keep the plan and the findings in ``.lrlint_cache/`` under the
    root (a component whose files and reads are unchanged is not modelled again).
    """
    workers = max(1, workers or os.cpu_count() or 1)
    parallel = workers if len(paths) >= _PARALLEL_MIN_FILES else 1
    project_cache = None
    if use_cache and plan_config is not None:
        from lrlint.project import ProjectCache

        project_cache = ProjectCache(plan_config.root)
    plan = _plan(paths, plan_config, cli_paths, project_cache, parallel)
    candidates, problems = _read_all(paths, config, workers, fix, write, plan)
    components = [Component(tuple(group), fix, write, tuple(extra_paths), context,
                            plan.installed_sources,
                            plan.enclosing_roots(c.path for c in group))
                  for group, context in _components(candidates, plan)]
    # Fixing writes files: only a lint's findings are cached.
    store = FindingsStore(project_cache) if project_cache is not None and fix == "off" else None
    done: dict[int, list[FileResult]] = {}
    todo = []
    for position, component in enumerate(components):
        found = store.results(component) if store is not None else None
        if found is None:
            todo.append(position)
        else:
            done[position] = found
    batches = _batches(todo, components, plan, workers)
    with _collector_settings(), _sharing_trees(fix):
        outcomes = _map(run_components, [tuple(components[p] for p in b) for b in batches],
                        workers)
    for position, outcome in zip([p for b in batches for p in b],
                                 [o for found in outcomes for o in found]):
        done[position] = outcome.results
        if store is not None and outcome.complete:
            store.record(components[position], outcome)
    if project_cache is not None:
        project_cache.save()
    return problems + [result for position in range(len(components)) for result in done[position]]


# Source characters whose trees a process keeps for the next components (about 40 bytes of
# memory per character): the helper modules a repository's training scripts all import.
_SHARED_TREE_CHARS = 3_000_000


def _batches(todo: list[int], components: list[Component], plan, workers: int) -> list[list[int]]:
    """Components in batches, each modelled by one worker in turn: a project's components
    together (in path order: neighbours import the same helper modules, whose trees the worker
    keeps), cut so that every worker gets several; the largest batches first, so no worker is
    left with a big one at the end."""
    size = {p: sum(len(c.data) for c in components[p].candidates) for p in todo}
    layout = plan.index.layout
    by_project: dict[str, list[int]] = {}
    for position in todo:
        root = layout.project_root(components[position].candidates[0].path) or ""
        by_project.setdefault(root, []).append(position)
    cap = sum(size.values()) // (workers * 4)  # a larger component gets a batch of its own
    batches: list[list[int]] = []
    for positions in by_project.values():
        positions.sort(key=lambda p: components[p].candidates[0].path)
        batch: list[int] = []
        filled = 0
        for position in positions:
            if batch and filled + size[position] > cap:
                batches.append(batch)
                batch, filled = [], 0
            batch.append(position)
            filled += size[position]
        if batch:
            batches.append(batch)
    batches.sort(key=lambda b: -sum(size[p] for p in b))
    return batches


@contextmanager
def _sharing_trees(fix: FixMode):
    """Reuse parsed trees across components while linting (a fix rewrites the text it parses:
    nothing to share)."""
    if fix != "off":
        yield
        return
    from lrlint.cst_parse import sharing_trees

    with sharing_trees(_SHARED_TREE_CHARS):
        yield


@contextmanager
def _collector_settings():
    """Collect less often while modelling in this process (workers forked here inherit it; they
    pause the collector per component, see ``run_components``), and make collectable again what
    a worker-like process froze. The caller's settings come back at the end."""
    import gc

    before = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    gc.set_threshold(50_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if not frozen_before:
            gc.unfreeze()


class FindingsStore:
    """Components' findings in the project cache, keyed by what they depend on."""

    def __init__(self, cache) -> None:
        self.cache = cache
        self.settings = installed_roots()
        self._keys: dict[int, str] = {}  # id(component) -> key: looked up, then recorded

    def key(self, component: Component) -> str:
        from lrlint.project.cache import findings_key
        from lrlint.project.summary import content_hash

        found = self._keys.get(id(component))
        if found is None:
            members = [(c.path, c.codes, content_hash(c.data)) for c in component.candidates]
            found = self._keys[id(component)] = findings_key(members, component.context, [
                *component.extra_paths, *component.enclosing_roots, *self.settings,
                *sorted(component.installed_sources or ())])
        return found

    def results(self, component: Component) -> list[FileResult] | None:
        from lrlint.diagnostics import diagnostic_from_json

        paths = [os.path.abspath(c.path) for c in component.candidates]
        found = self.cache.component_findings(self.key(component), paths)
        if found is None:
            return None
        try:
            return [FileResult(c.path, [diagnostic_from_json(d) for d in found[path][1]],
                               parsed=bool(found[path][0]))
                    for c, path in zip(component.candidates, paths)]
        except (ValueError, TypeError, IndexError):
            return None  # a damaged record: lint again (and record afresh)

    def record(self, component: Component, outcome: ComponentOutcome) -> None:
        from lrlint.diagnostics import diagnostic_to_json

        by_path = {result.path: result for result in outcome.results}
        findings = {}
        for candidate in component.candidates:
            result = by_path.get(candidate.path)
            if result is None:
                return
            findings[os.path.abspath(candidate.path)] = (candidate.data, [
                result.parsed, [diagnostic_to_json(d) for d in result.diagnostics]])
        self.cache.record_component(self.key(component), findings, outcome.reads, outcome.absent)


def _plan(paths: Sequence[str], config: Config | None, cli_paths, cache, workers: int):
    from lrlint.project import plan_run

    files = [path for path in paths if not is_notebook(path)]
    # Files named one by one (an editor, pre-commit's changed files) are planned by themselves
    # and what they import: searching their whole project for callers would make a one-file
    # run as slow as a full one.
    universe = files if cli_paths and all(os.path.isfile(p) for p in cli_paths) else None
    return plan_run(files, config=config, paths=cli_paths, universe=universe, cache=cache,
                    workers=workers)


def _components(candidates: list[Candidate], plan) -> list[tuple[list[Candidate], tuple[str, ...]]]:
    """Candidates the plan joined by uses (one may import or call another), each group with
    the context files it needs."""
    groups: dict[frozenset[str], list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(plan.component_of(candidate.path), []).append(candidate)
    return [(group, tuple(sorted(members & plan.context))) for members, group in groups.items()]


def _map(function, items: list, workers: int) -> list:
    """``map`` over worker processes when there is enough to share, else in this process."""
    if workers == 1 or len(items) < 2:
        return [function(item) for item in items]
    import multiprocessing  # here, not at import: a one-file run never starts workers
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    try:
        with ProcessPoolExecutor(min(workers, len(items)), mp_context=context) as pool:
            return list(pool.map(function, items))
    except (OSError, RuntimeError):  # no process support (sandboxes): one process it is
        return [function(item) for item in items]


def _read_all(paths: Sequence[str], config: Config, workers: int, fix: FixMode,
              write: bool, plan) -> tuple[list[Candidate], list[FileResult]]:
    implied = {path: words for path in map(os.path.abspath, paths)
               if (words := plan.implied(path))}
    if workers == 1 or len(paths) < _PARALLEL_MIN_FILES:
        return read_batch(Batch(tuple(paths), config, fix, write, plan.needs_model, implied))
    count = min(workers * 8, max(1, len(paths) // 8))
    batches = [Batch(tuple(paths[i::count]), config, fix, write, plan.needs_model, implied)
               for i in range(count)]
    outcomes = _map(read_batch, batches, workers)
    position = {path: index for index, path in enumerate(paths)}
    candidates = sorted((c for found, _ in outcomes for c in found), key=lambda c: position[c.path])
    return candidates, [p for _, found in outcomes for p in found]


def all_diagnostics(results: Iterable[FileResult]) -> list[Diagnostic]:
    diagnostics = [d for result in results for d in result.diagnostics]
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics
