"""Linting many files: each worker reads, prefilters and analyses a share of them.

Workers are forked, so libcst and the rules are imported once. Small runs (pre-commit's few
files) stay in this process. One file's failure never stops the run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
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
    from lrlint.fixer import fix_text, write_fixed
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
    result = FileResult(job.path, outcome.diagnostics, parsed=outcome.parsed,
                        fixes_applied=outcome.applied, fixed=outcome.fixed)
    if outcome.text != source.text:
        result.original_source = source.text
        result.fixed_source = outcome.text
        problem = write_fixed(job.path, lambda: source.encode(outcome.text)) if job.write else None
        if problem is not None:  # nothing was written: report the file as it still is
            result.diagnostics = [*outcome.initial, problem]
            result.fixes_applied, result.fixed = 0, []
            result.original_source = result.fixed_source = None
    return result


@dataclass(frozen=True)
class Batch:
    """Files one worker reads, prefilters and lints."""

    paths: tuple[str, ...]
    config: Config
    fix: FixMode
    write: bool


def run_batch(batch: Batch) -> list[FileResult]:
    """Read and prefilter each file; lint the ones that may hold a finding."""
    results: list[FileResult] = []
    for path in batch.paths:
        try:
            with open(path, "rb") as stream:
                data = stream.read()
        except OSError as error:
            results.append(FileResult(path, [file_error(path, "io-error", error.strerror or str(error))]))
            continue
        codes = tuple(sorted(batch.config.codes_for(path)))
        # A notebook's code is JSON-escaped in its bytes: only the root gates are safe to test
        # there; the rules' own vocabulary is checked on the code, once it is read out.
        worth_linting = (any(gate in data for gate in ROOT_GATES) if is_notebook(path)
                         else rules_for(data, rules_for_codes(codes)))
        if codes and worth_linting:
            results.append(run_job(Job(path, data, codes, batch.fix, batch.write)))
        # else: nothing to find here, the file is never decoded or parsed
    return results


# Below this many files one process is faster than starting workers.
_PARALLEL_MIN_FILES = 48


def lint_files(paths: Sequence[str], config: Config, fix: FixMode = "off", write: bool = True,
               workers: int | None = None) -> list[FileResult]:
    """Lint files, spreading reading, prefiltering and analysis over worker processes.

    Work goes out in several interleaved batches per worker so that a worker that drew the few
    files worth parsing does not hold up the others.
    """
    workers = max(1, workers or os.cpu_count() or 1)
    if workers == 1 or len(paths) < _PARALLEL_MIN_FILES:
        return run_batch(Batch(tuple(paths), config, fix, write))
    # Interleaved batches: the few files worth parsing tend to sit together (one package), and
    # interleaving spreads them over the workers.
    count = min(workers * 8, max(1, len(paths) // 8))
    batches = [Batch(tuple(paths[i::count]), config, fix, write) for i in range(count)]
    import multiprocessing  # here, not at import: a one-file run never starts workers
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    try:
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            return [result for batch in pool.map(run_batch, batches) for result in batch]
    except (OSError, RuntimeError):  # no process support (sandboxes): one process it is
        return run_batch(Batch(tuple(paths), config, fix, write))


def all_diagnostics(results: Iterable[FileResult]) -> list[Diagnostic]:
    diagnostics = [d for result in results for d in result.diagnostics]
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics
