"""The planner's byte and ast work, spread over worker processes that keep what they read.

The universe of files is dealt out, interleaved, to shards. A shard reads its files once and
keeps their bytes: the first gate and the parse of the files it lets through happen there, and
so do the later name-gate rounds, which scan the kept bytes for the project names learnt since.
Only the outcomes travel back (gate results, summaries, matching paths).

Workers are forked (Linux), like the runner's; elsewhere, or for small runs, one in-process shard
does the same work.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lrlint.prefilter import passes_root
from lrlint.project.gates import NameScan, imported_modules, spells_torch
from lrlint.project.summary import ModuleSummary, content_hash, summarize

# Below this many files to read, one process is faster than starting workers.
PARALLEL_MIN_FILES = 400


@dataclass
class GateResult:
    path: str
    mtime_ns: int
    size: int
    digest: str
    spells: bool
    imports: list[str] | None
    passed: bool
    parsed: bool  # ``summary`` holds the ast outcome (None there: it does not parse)
    summary: ModuleSummary | None = None


class Shard:
    """A share of the universe's files, their bytes kept once read."""

    def __init__(self, paths: Sequence[str], read: Callable[[str], bytes],
                 name_of: Callable[[str], tuple[str | None, bool]],
                 installed_door: Callable[[str, list[str]], bool],
                 scope_of: Callable[[str], str]) -> None:
        self.paths = list(paths)
        self.read = read
        self.name_of = name_of
        self.installed_door = installed_door
        self.scope_of = scope_of
        self.data: dict[str, bytes] = {}

    def _bytes(self, path: str) -> bytes | None:
        data = self.data.get(path)
        if data is None:
            try:
                data = self.read(path)
            except OSError:
                return None
            self.data[path] = data
        return data

    def gate(self, paths: Sequence[str]) -> list[GateResult]:
        """The first gate for ``paths`` (of this shard), parsing the files it lets through."""
        results = []
        for path in paths:
            try:
                stat = os.stat(path)
                mtime_ns, size = stat.st_mtime_ns, stat.st_size
            except OSError:
                mtime_ns, size = -1, -1
            data = self._bytes(path)
            if data is None:
                continue
            if size != len(data):
                mtime_ns = -1  # not the bytes on disk: never reuse
            spells = spells_torch(data)
            imports = sorted(imported_modules(data)) if passes_root(data) else None
            passed = spells or bool(imports and self.installed_door(path, imports))
            result = GateResult(path, mtime_ns, size, content_hash(data), spells, imports,
                                passed, False)
            if passed:
                result.parsed, result.summary = True, self._summarize(path, data, result.digest)
            results.append(result)
        return results

    def parse(self, paths: Sequence[str]) -> list[tuple[str, str, ModuleSummary | None]]:
        """(path, content hash, summary) for files a later gate let through."""
        found = []
        for path in paths:
            data = self._bytes(path)
            if data is not None:
                digest = content_hash(data)
                found.append((path, digest, self._summarize(path, data, digest)))
        return found

    def _summarize(self, path: str, data: bytes, digest: str) -> ModuleSummary | None:
        name, is_package = self.name_of(path)
        return summarize(data, name, path, is_package, digest)

    def scan(self, scans: dict[str, NameScan], skip: Sequence[str]) -> list[str]:
        """Files of this shard (not in ``skip``) that can refer to a name of their scope."""
        found = []
        skipped = set(skip)
        for path in self.paths:
            if path in skipped:
                continue
            scan = scans.get(self.scope_of(path))
            if scan is None:
                continue
            data = self._bytes(path)
            if data is not None and scan.matches(data):
                found.append(path)
        return found

    def drop(self, paths: Sequence[str]) -> None:
        """Forget the bytes of parsed files (their summaries say all that is needed)."""
        for path in paths:
            self.data.pop(path, None)


class Shards:
    """The shards of one plan: in this process, or one per forked worker."""

    def __init__(self, universe: Sequence[str], workers: int, make: Callable[[list[str]], Shard],
                 ) -> None:
        workers = max(1, workers)
        self.owner: dict[str, int] = {}
        if workers == 1 or len(universe) < PARALLEL_MIN_FILES or not _can_fork():
            self.local: list[Shard] | None = [make(list(universe))]
            self.owner = dict.fromkeys(universe, 0)
            self.workers: list = []
            return
        self.local = None
        parts = [list(universe[i::workers]) for i in range(workers)]
        for position, part in enumerate(parts):
            for path in part:
                self.owner[path] = position
        import multiprocessing  # here, not at import: small runs never start workers

        context = multiprocessing.get_context("fork")
        self.workers = []
        try:
            for part in parts:
                parent, child = context.Pipe()
                process = context.Process(target=_serve, args=(child, make, part), daemon=True)
                process.start()
                child.close()
                self.workers.append((process, parent))
        except OSError:  # no process support (sandboxes): one shard here
            self.close()
            self.local = [make(list(universe))]
            self.owner = dict.fromkeys(universe, 0)

    def _each(self, command: str, per_shard: list[tuple]) -> list:
        if self.local is not None:
            return [getattr(self.local[0], command)(*per_shard[0])]
        for (_, connection), arguments in zip(self.workers, per_shard):
            connection.send((command, arguments))
        results = []
        for process, connection in self.workers:
            try:
                outcome = connection.recv()
            except EOFError:
                raise RuntimeError(f"a planner worker died (exit code {process.exitcode})")
            if isinstance(outcome, BaseException):
                raise outcome
            results.append(outcome)
        return results

    def _split(self, paths: Sequence[str]) -> list[list[str]]:
        count = 1 if self.local is not None else len(self.workers)
        split: list[list[str]] = [[] for _ in range(count)]
        for path in paths:
            split[self.owner.get(path, 0)].append(path)
        return split

    def gate(self, paths: Sequence[str]) -> list[GateResult]:
        return [r for part in self._each("gate", [(p,) for p in self._split(paths)]) for r in part]

    def parse(self, paths: Sequence[str]) -> list[tuple[str, str, ModuleSummary | None]]:
        return [r for part in self._each("parse", [(p,) for p in self._split(paths)]) for r in part]

    def scan(self, scans: dict[str, NameScan], skip: Sequence[str]) -> list[str]:
        found = self._each("scan", [(scans, part) for part in self._split(skip)])
        return [path for part in found for path in part]

    def drop(self, paths: Sequence[str]) -> None:
        self._each("drop", [(p,) for p in self._split(paths)])

    def close(self) -> None:
        for process, connection in self.workers:
            try:
                connection.send(("stop", ()))
            except OSError:
                pass
            connection.close()
            process.join(5)
            if process.is_alive():
                process.terminate()
        self.workers = []


def _serve(connection, make: Callable[[list[str]], Shard], paths: list[str]) -> None:
    shard = make(paths)
    while True:
        try:
            command, arguments = connection.recv()
        except (EOFError, OSError):
            return
        if command == "stop":
            return
        try:
            outcome = getattr(shard, command)(*arguments)
        except Exception as error:  # noqa: BLE001 - reported to the parent, raised there
            outcome = RuntimeError(f"planner worker failed: {error!r}")
        connection.send(outcome)


def _can_fork() -> bool:
    return sys.platform.startswith("linux")
