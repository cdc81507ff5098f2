"""A persistent cache, Ruff-style: unchanged files are neither read, parsed nor linted again.

Layout: ``<root>/.lrlint_cache/`` (with a ``.gitignore`` holding ``*``) and one directory per
lrlint version, holding

* ``files.json``: per file (absolute path) its ``(mtime_ns, size)``, content hash, byte-gate
  outcome, and findings under the key of the component it was modelled in (its members'
  hashes and enabled rules, its context files; see ``lrlint.runner``); per component key the
  ``(mtime_ns, size)`` of the other files its model read (context, imported modules); and whole
  plans, keyed by the run's inputs, valid while none of the files they read changed;
* ``summaries.json``: ast summaries by path and content hash, read only when one is needed.

An entry counts only when the file's ``(mtime_ns, size)`` still match. Whatever cannot be read
(corrupt JSON, another version's layout, a missing directory) is ignored and rewritten; writes
go to a temporary file renamed over the old one, so a reader never sees half a file, and a
writer merges what other runs saved in the meantime. JSON, not pickle: a cache directory can
come from anywhere, and loading it must never run code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lrlint._version import __version__
from lrlint.project.summary import ModuleSummary, content_hash

CACHE_DIRECTORY = ".lrlint_cache"
_FORMAT = 5
_MAX_PLANS = 8  # plans kept (one per distinct set of linted files and config)
_MAX_COMPONENTS = 20_000  # component records kept beyond those of the latest run


@dataclasses.dataclass
class Entry:
    mtime_ns: int
    size: int
    hash: str
    # The first byte gate's inputs: whether the bytes spell a torch name (None: not recorded),
    # and, when they pass the root gates, the top-level modules they import.
    spells_torch: bool | None = None
    imports: list[str] | None = None
    findings: dict[str, list] = dataclasses.field(default_factory=dict)

    def to_json(self) -> list:
        return [self.mtime_ns, self.size, self.hash, self.spells_torch, self.imports,
                self.findings]

    @classmethod
    def from_json(cls, data: list) -> Entry:
        mtime_ns, size, digest, spells, imports, findings = data
        if not (isinstance(mtime_ns, int) and isinstance(size, int) and isinstance(digest, str)
                and isinstance(findings, dict) and (imports is None or isinstance(imports, list))):
            raise ValueError("malformed entry")
        return cls(mtime_ns, size, digest, spells, imports, findings)


class ProjectCache:
    """The cache of one run's root. Call :meth:`save` once at the end."""

    def __init__(self, root: str | os.PathLike[str], version: str = __version__) -> None:
        self.root = Path(root)
        self.directory = self.root / CACHE_DIRECTORY / _safe(version)
        self.version = version
        self.entries, self.plans, self.components = self._load_files()
        self._summaries: dict[str, list] | None = None  # path -> [hash, summary json]
        self.dirty: set[str] = set()
        self.dirty_summaries: set[str] = set()
        self.dirty_plans: set[str] = set()
        self.dirty_components: set[str] = set()
        self.hits = 0
        self.misses = 0

    # -- reading --------------------------------------------------------------------------------

    def _read_json(self, name: str) -> dict | None:
        try:
            with open(self.directory / name, "rb") as stream:
                data = json.load(stream)
        except (OSError, ValueError):
            return None  # missing or corrupt: start afresh (save rewrites it)
        if (not isinstance(data, dict) or data.get("format") != _FORMAT
                or data.get("version") != self.version):
            return None
        return data

    def _load_files(self) -> tuple[dict[str, Entry], dict[str, dict], dict[str, dict]]:
        data = self._read_json("files.json")
        if data is None:
            return {}, {}, {}
        try:
            entries = {path: Entry.from_json(raw) for path, raw in data["files"].items()}
            plans = dict(data.get("plans", {}))
            components = dict(data.get("components", {}))
        except (KeyError, TypeError, ValueError, AttributeError):
            return {}, {}, {}
        return entries, plans, components

    def _summary_table(self) -> dict[str, list]:
        if self._summaries is None:
            data = self._read_json("summaries.json")
            table = data.get("summaries") if data is not None else None
            self._summaries = table if isinstance(table, dict) else {}
        return self._summaries

    # -- per-file entries -----------------------------------------------------------------------

    def lookup(self, path: str) -> Entry | None:
        """The entry of ``path`` if the file is unchanged since it was recorded."""
        entry = self.entries.get(path)
        if entry is None:
            self.misses += 1
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        if stat.st_mtime_ns != entry.mtime_ns or stat.st_size != entry.size:
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def _entry_for(self, path: str, data: bytes) -> Entry:
        """The entry to update for these bytes (a fresh one when the content changed)."""
        try:
            stat = os.stat(path)
            mtime_ns, size = stat.st_mtime_ns, stat.st_size
        except OSError:
            mtime_ns, size = -1, -1  # never matches: the file is read again next time
        if size != len(data):
            mtime_ns = -1  # changed while we read it, or not the bytes on disk
        return self._entry(path, mtime_ns, size, content_hash(data))

    def _entry(self, path: str, mtime_ns: int, size: int, digest: str) -> Entry:
        entry = self.entries.get(path)
        if entry is None or entry.hash != digest:
            entry = Entry(mtime_ns, size, digest)
        else:
            entry.mtime_ns, entry.size = mtime_ns, size
        self.entries[path] = entry
        self.dirty.add(path)
        return entry

    def record_gate(self, path: str, mtime_ns: int, size: int, digest: str, spells_torch: bool,
                    imports: list[str] | None) -> None:
        """The first gate's inputs for a file read with this stat and content hash."""
        entry = self._entry(path, mtime_ns, size, digest)
        entry.spells_torch, entry.imports = spells_torch, imports

    def summary(self, path: str, name: str | None) -> tuple[ModuleSummary | None] | None:
        """``(summary,)`` recorded for the unchanged file under the module name ``name``
        (``(None,)``: it does not parse), or None when nothing usable is recorded (a new
        ``__init__.py`` renames a file without touching it)."""
        entry = self.lookup(path)
        if entry is None:
            return None
        recorded = self._summary_table().get(path)
        if not isinstance(recorded, list) or len(recorded) != 2 or recorded[0] != entry.hash:
            return None
        if recorded[1] is None:
            return (None,)
        try:
            if recorded[1].get("name") != (name or ""):
                return None
            return (ModuleSummary.from_json(recorded[1]),)
        except (AttributeError, KeyError, TypeError, ValueError):
            return None

    def record_summary(self, path: str, data: bytes | str, summary: ModuleSummary | None) -> None:
        """The summary of a file's bytes (or of the content with this hash, already recorded)."""
        digest = data if isinstance(data, str) else self._entry_for(path, data).hash
        self._summary_table()[path] = [digest, summary.to_json() if summary is not None else None]
        self.dirty_summaries.add(path)

    # -- whole plans ----------------------------------------------------------------------------

    def plan(self, key: str) -> dict | None:
        """A plan recorded under ``key`` whose input files are all unchanged."""
        recorded = self.plans.get(key)
        if not isinstance(recorded, dict) or not _unchanged(recorded.get("files")):
            return None
        return recorded

    def record_plan(self, key: str, plan: dict, files: Sequence[str]) -> None:
        """Record a plan and the ``(mtime_ns, size)`` of every file it read."""
        self.plans[key] = {**plan, "files": _stats(files)}
        self.dirty_plans.add(key)

    # -- findings -------------------------------------------------------------------------------

    def get_findings(self, path: str, key: str) -> list | None:
        """Findings recorded for ``path`` under ``key`` (see :func:`findings_key`), if the file
        is unchanged."""
        entry = self.lookup(os.path.abspath(path))
        if entry is None:
            return None
        return entry.findings.get(key)

    def put_findings(self, path: str, key: str, findings: list, data: bytes | None = None) -> None:
        """Record JSON-serialisable findings of ``path`` (``data``: the bytes linted)."""
        path = os.path.abspath(path)
        entry = self.lookup(path) if data is None else None
        if entry is None:
            if data is None:
                try:
                    with open(path, "rb") as stream:
                        data = stream.read()
                except OSError:
                    return
            entry = self._entry_for(path, data)
        entry.findings = {key: findings}  # older keys are stale once the inputs changed
        self.dirty.add(path)

    # -- findings of a component ----------------------------------------------------------------

    def component_findings(self, key: str, members: Sequence[str]) -> dict[str, list] | None:
        """Each member's findings recorded under the component key ``key``, when every member
        and every other file the component's model read is unchanged; else None."""
        recorded = self.components.get(key)
        if not isinstance(recorded, dict) or not _unchanged(recorded.get("reads")) \
                or not _still_absent(recorded.get("absent", ())):
            return None
        found = {}
        for path in members:
            findings = self.get_findings(path, key)
            if findings is None:
                return None
            found[path] = findings
        self.dirty_components.add(key)  # used now: kept when old records are dropped
        return found

    def record_component(self, key: str, findings: dict[str, tuple[bytes, list]],
                         reads: Sequence[str], absent: Sequence[str] = ()) -> None:
        """Record each member's findings (path -> (bytes linted, findings)) under ``key``, the
        ``(mtime_ns, size)`` of the other files (``reads``) the model depended on, and the
        paths its imports looked for in vain (``absent``: valid while none of them exists)."""
        for path, (data, value) in findings.items():
            self.put_findings(path, key, value, data)
        self.components[key] = {"reads": _stats(reads), "absent": list(absent)}
        self.dirty_components.add(key)

    # -- writing --------------------------------------------------------------------------------

    def save(self) -> None:
        """Write what changed in this run, merged into what is on disk now; atomic."""
        if not (self.dirty or self.dirty_summaries or self.dirty_plans or self.dirty_components):
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            ignore = self.root / CACHE_DIRECTORY / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by lrlint.\n*\n", encoding="utf-8")
            if self.dirty_summaries:
                self._save_summaries()
            if self.dirty or self.dirty_plans or self.dirty_components:
                self._save_files()
        except OSError:
            return  # a read-only tree: run without a cache
        self.dirty.clear()
        self.dirty_summaries.clear()
        self.dirty_plans.clear()
        self.dirty_components.clear()

    def _save_files(self) -> None:
        entries, plans, components = self._load_files()  # another run may have saved since
        for path in self.dirty:
            if path in self.entries:
                entries[path] = self.entries[path]
        for key in self.dirty_plans:
            plans[key] = self.plans[key]
        while len(plans) > _MAX_PLANS:
            plans.pop(next(iter(plans)))
        for key in self.dirty_components:  # this run's last, so the oldest go first
            components.pop(key, None)
            components[key] = self.components[key]
        excess = len(components) - len(self.dirty_components) - _MAX_COMPONENTS
        for key in [k for k in components if k not in self.dirty_components][:max(excess, 0)]:
            del components[key]
        self.entries, self.plans, self.components = entries, plans, components
        _write_atomically(self.directory / "files.json", {
            "format": _FORMAT, "version": self.version,
            "files": {path: entry.to_json() for path, entry in entries.items()},
            "plans": plans, "components": components,
        })

    def _save_summaries(self) -> None:
        mine = self._summary_table()
        data = self._read_json("summaries.json")
        table = data.get("summaries") if data is not None else None
        merged = table if isinstance(table, dict) else {}
        for path in self.dirty_summaries:
            merged[path] = mine[path]
        self._summaries = merged
        _write_atomically(self.directory / "summaries.json", {
            "format": _FORMAT, "version": self.version, "summaries": merged})


def _stats(paths: Sequence[str]) -> dict[str, list[int]]:
    """``(mtime_ns, size)`` of each file that exists."""
    stats = {}
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            continue
        stats[path] = [stat.st_mtime_ns, stat.st_size]
    return stats


def _unchanged(stats: object) -> bool:
    """Whether every file of a :func:`_stats` record still has its ``(mtime_ns, size)``."""
    if not isinstance(stats, dict):
        return False
    try:
        for path, (mtime_ns, size) in stats.items():
            stat = os.stat(path)
            if stat.st_mtime_ns != mtime_ns or stat.st_size != size:
                return False
    except (OSError, TypeError, ValueError):
        return False
    return True


def _still_absent(paths: object) -> bool:
    """Whether none of these paths exists now (a list written by :meth:`record_component`)."""
    if not isinstance(paths, list):
        return False
    return not any(isinstance(path, str) and os.path.exists(path) for path in paths)


def _write_atomically(target: Path, payload: dict) -> None:
    import tempfile  # only runs that write pay for it

    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(payload, stream, separators=(",", ":"))
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def config_fingerprint(config: Any) -> str:
    """A stable digest of a config dataclass's settings (sets sorted, paths as text)."""
    items = []
    for item in dataclasses.fields(config):
        if not item.repr or item.name.startswith("_"):
            continue
        items.append([item.name, _stable(getattr(config, item.name))])
    text = json.dumps(items, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def findings_key(members: Sequence[tuple[str, Sequence[str], str]], context: Sequence[str] = (),
                 settings: Sequence[str] = (), version: str = __version__) -> str:
    """The key a component's findings are stored under: they hold while none of these inputs
    changes — each member's (path, enabled codes, content hash), the context files modelled
    with them, and run settings (search roots). The other files the model read are checked
    by their ``(mtime_ns, size)`` (:meth:`ProjectCache.record_component`)."""
    return digest(version, [[path, sorted(codes), file_hash] for path, codes, file_hash in members],
                  list(context), list(settings))


def digest(*parts: object) -> str:
    text = json.dumps([_stable(p) for p in parts], sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _stable(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted((_stable(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [_stable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _stable(v) for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _safe(version: str) -> str:
    return "".join(c if c.isalnum() or c in ".-_" else "_" for c in version) or "unknown"
