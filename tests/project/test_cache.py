"""The persistent cache: hits, misses, invalidation, corruption and concurrent writers."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys

import pytest

from lrlint.config import Config
from lrlint.project import ProjectCache, config_fingerprint, findings_key
from lrlint.project.cache import CACHE_DIRECTORY

from .test_relevance import DETECTION


class CountingReader:
    def __init__(self) -> None:
        self.paths: list[str] = []

    def __call__(self, path: str) -> bytes:
        self.paths.append(path)
        with open(path, "rb") as stream:
            return stream.read()


def plan_with_cache(p, version="1.0", reader=None):
    cache = ProjectCache(p.root, version=version)
    plan = p.plan(cache=cache, read_bytes=reader)
    return plan, cache


def test_a_warm_run_reads_and_parses_nothing(project):
    p = project(DETECTION)
    cold_reader, warm_reader = CountingReader(), CountingReader()
    cold, _ = plan_with_cache(p, reader=cold_reader)
    warm, _ = plan_with_cache(p, reader=warm_reader)
    assert len(cold_reader.paths) >= len(DETECTION) and warm_reader.paths == []
    assert warm.index.parsed == [] and warm.stats.cached == len(DETECTION)
    assert (warm.reasons, warm.needs_model, warm.components) == (
        cold.reasons, cold.needs_model, cold.components)
    assert warm.implied(p.path("engine.py")) == cold.implied(p.path("engine.py"))
    # the index still answers, from cached summaries
    assert warm.index.class_summary("solver.lr_scheduler.WarmupMultiStepLR").bases == (
        "torch.optim.lr_scheduler._LRScheduler",)
    assert warm.index.parsed == []
    ignore = p.root / CACHE_DIRECTORY / ".gitignore"
    assert ignore.read_text().splitlines()[-1] == "*"


def test_a_changed_file_is_read_again_and_the_plan_follows_it(project):
    p = project(DETECTION)
    plan_with_cache(p)
    engine = p.root / "engine.py"
    engine.write_text("def train_one_epoch(model, loader, optimizer, sched):\n    pass\n")
    reader = CountingReader()
    plan, _ = plan_with_cache(p, reader=reader)
    assert p.path("engine.py") in reader.paths
    assert p.path("engine.py") not in plan.reasons  # it no longer acts on what it receives
    assert p.path("engine.py") in plan.index.parsed
    assert p.path("solver/build.py") not in plan.index.parsed  # unchanged: from the cache


def test_another_lrlint_version_starts_afresh(project):
    p = project(DETECTION)
    plan_with_cache(p, version="1.0")
    reader = CountingReader()
    plan, _ = plan_with_cache(p, version="2.0", reader=reader)
    assert len(reader.paths) >= len(DETECTION) and plan.index.parsed
    assert sorted(os.listdir(p.root / CACHE_DIRECTORY)) == [".gitignore", "1.0", "2.0"]


def test_a_config_change_changes_the_plan_key_and_the_findings_key(project):
    p = project(DETECTION)
    plan_with_cache(p)
    p.config = Config(root=p.root, src=("solver",))
    reader = CountingReader()
    plan, _ = plan_with_cache(p, reader=reader)
    assert plan.index.parsed  # module names changed: no summary reused, no plan reused
    one = config_fingerprint(Config(root=p.root, enabled=frozenset({"LR001", "LR002"})))
    again = config_fingerprint(Config(root=p.root, enabled=frozenset({"LR002", "LR001"})))
    other = config_fingerprint(Config(root=p.root, enabled=frozenset({"LR001"})))
    assert one == again != other
    train = ("train.py", ("LR001", "LR002"), "h1")
    assert findings_key([train]) == findings_key([("train.py", ("LR002", "LR001"), "h1")])
    assert findings_key([train]) != findings_key([("train.py", ("LR001",), "h1")])
    assert findings_key([train]) != findings_key([("train.py", ("LR001", "LR002"), "h2")])
    assert findings_key([train]) != findings_key([train], context=["main.py"])
    assert findings_key([train]) != findings_key([train], version="2.0")


def test_findings_are_kept_per_key_and_dropped_when_the_file_changes(project):
    p = project({"train.py": "x = 1\n"})
    path = p.path("train.py")
    cache = ProjectCache(p.root)
    cache.put_findings(path, "k1", [{"code": "LR003", "line": 3}])
    cache.save()
    again = ProjectCache(p.root)
    assert again.get_findings(path, "k1") == [{"code": "LR003", "line": 3}]
    assert again.get_findings(path, "k2") is None
    (p.root / "train.py").write_text("x = 22\n")
    assert ProjectCache(p.root).get_findings(path, "k1") is None


@pytest.mark.parametrize("damage", [b"{not json", b"[]", b'{"format": 5, "version": "1.0"}',
                                    b'{"format": 5, "version": "1.0", "files": {"x": [1]}}',
                                    b"\x00\xff" * 10])
def test_a_corrupt_cache_is_ignored_and_rewritten(project, damage):
    p = project(DETECTION)
    cold, _ = plan_with_cache(p)
    directory = p.root / CACHE_DIRECTORY / "1.0"
    for name in ("files.json", "summaries.json"):
        (directory / name).write_bytes(damage)
    plan, _ = plan_with_cache(p)
    assert plan.reasons == cold.reasons
    assert plan.index.parsed  # nothing usable was cached: parsed again
    for name in ("files.json", "summaries.json"):
        json.loads((directory / name).read_bytes())  # rewritten whole
    warm, _ = plan_with_cache(p)
    assert warm.index.parsed == []


def test_a_summary_is_not_reused_when_a_new_init_renames_the_module(project):
    p = project({"pkg/mod.py": "from .other import x\n", "pkg/other.py": "x = 1\n"})
    cache = ProjectCache(p.root)
    plan = p.plan(cache=cache)
    assert plan.index.summary_at(p.path("pkg/mod.py"), force=True).imports == {"x": "pkg.other.x"}
    cache.save()
    (p.root / "pkg" / "__init__.py").write_text("")
    (p.root / "__init__.py").write_text("")  # now proj.pkg.mod
    cache = ProjectCache(p.root)
    plan = p.plan(cache=cache)
    summary = plan.index.summary_at(p.path("pkg/mod.py"), force=True)
    assert summary.name == "proj.pkg.mod" and summary.imports == {"x": "proj.pkg.other.x"}


def test_a_read_only_tree_runs_without_a_cache(project, monkeypatch):
    p = project(DETECTION)
    monkeypatch.setattr("tempfile.mkstemp",
                        lambda **kw: (_ for _ in ()).throw(PermissionError(13, "read-only")))
    plan, cache = plan_with_cache(p)
    assert plan.reasons and cache.dirty  # nothing written, nothing raised


def _writer(root: str, worker: int, rounds: int) -> None:
    for round_number in range(rounds):
        cache = ProjectCache(root)
        path = os.path.join(root, f"f{worker}.py")
        cache.put_findings(path, f"k{round_number}", [worker, round_number], data=b"x")
        cache.save()


@pytest.mark.skipif(sys.platform == "win32", reason="fork")
def test_concurrent_writers_never_leave_a_broken_cache(tmp_path):
    for worker in range(4):
        (tmp_path / f"f{worker}.py").write_bytes(b"x")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_writer, args=(str(tmp_path), w, 25)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    directory = tmp_path / CACHE_DIRECTORY
    data = json.loads(next(directory.glob("*/files.json")).read_text())
    assert data["files"]  # whole, loadable JSON
    cache = ProjectCache(tmp_path)
    last = [cache.entries[str(tmp_path / f"f{w}.py")].findings for w in range(4)
            if str(tmp_path / f"f{w}.py") in cache.entries]
    assert last and all(len(findings) == 1 for findings in last)
    assert not list(directory.glob("*/.*.tmp"))  # no temporary file left behind


def test_a_component_holds_the_files_a_finding_depends_on(project):
    """The runner keys a component's cached findings by its members' bytes: a file that cannot
    change a finding is no member, one that builds the scheduler is."""
    p = project(DETECTION)
    members = {os.path.relpath(m, p.root) for m in p.plan().component_of(p.path("engine.py"))}
    assert members == {"engine.py", "main.py", "solver/build.py", "solver/lr_scheduler.py"}
    (p.root / "solver" / "build.py").write_text(
        "import torch\ndef build_lr_scheduler(cfg, optimizer):\n"
        "    return torch.optim.lr_scheduler.StepLR(optimizer, 3)\n")
    members = {os.path.relpath(m, p.root) for m in p.plan().component_of(p.path("engine.py"))}
    assert members == {"engine.py", "main.py", "solver/build.py"}  # WarmupMultiStepLR not built


def test_an_empty_run_plans_nothing(tmp_path):
    from lrlint.project import plan_run

    plan = plan_run([], config=Config(root=tmp_path))
    assert plan.needs_model == frozenset() and plan.components == () and plan.stats.universe == 0
