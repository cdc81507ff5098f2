"""Linting many files: read and prefilter in this process, analyse the survivors in parallel.

Reading and the byte prefilter cost microseconds per file, so they stay here; only files that
may hold a finding are handed to worker processes (forked, so libcst is imported once). A run
with fewer such files than two stays in this process. One file's failure never stops the run.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Literal

from lrlint.checks import rule_by_code
from lrlint.checks.base import Rule
from lrlint.diagnostics import Diagnostic, FileResult
from lrlint.engine import file_error, lint_bytes, rules_for
from lrlint.source import DecodeError, decode, write_atomically

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

    active = rules_for(job.data, rules)
    if not active:
        return FileResult(job.path)
    try:
        source = decode(job.data)
    except DecodeError:
        return lint_bytes(job.path, job.data, rules)  # reports the decode error
    if ignores_file(source.text):
        return FileResult(job.path)
    outcome = fix_text(job.path, source, active, unsafe=job.fix == "unsafe")
    result = FileResult(job.path, outcome.diagnostics, parsed=outcome.parsed,
                        fixes_applied=outcome.applied)
    if outcome.text != source.text:
        result.original_source = source.text
        result.fixed_source = outcome.text
        if job.write:
            try:
                write_atomically(job.path, source.encode(outcome.text))
            except OSError as error:
                result.diagnostics.append(file_error(job.path, "io-error",
                                                     f"cannot write fixed file: {error.strerror or error}"))
                result.fixes_applied = 0
            except UnicodeEncodeError as error:
                result.diagnostics.append(file_error(job.path, "internal-error",
                                                     f"fixed text does not fit the file's encoding: {error.reason}"))
                result.fixes_applied = 0
    return result


def read_jobs(paths: Iterable[str], codes_for, fix: FixMode, write: bool) -> tuple[list[Job], list[FileResult]]:
    """Read every file; return the jobs worth analysing and results for unreadable files."""
    jobs: list[Job] = []
    failed: list[FileResult] = []
    for path in paths:
        try:
            with open(path, "rb") as stream:
                data = stream.read()
        except OSError as error:
            failed.append(FileResult(path, [file_error(path, "io-error", error.strerror or str(error))]))
            continue
        codes = tuple(sorted(codes_for(path)))
        if not codes or not rules_for(data, rules_for_codes(codes)):
            continue  # nothing to find here: never decoded, never parsed
        jobs.append(Job(path, data, codes, fix, write))
    return jobs, failed


def run(jobs: Sequence[Job], workers: int | None = None) -> list[FileResult]:
    """Analyse the jobs, in parallel when it pays."""
    workers = max(1, workers or os.cpu_count() or 1)
    if workers == 1 or len(jobs) < 2:
        return [run_job(job) for job in jobs]
    ordered = sorted(jobs, key=lambda job: len(job.data), reverse=True)  # big files first
    context = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    try:
        with ProcessPoolExecutor(min(workers, len(ordered)), mp_context=context) as pool:
            return list(pool.map(run_job, ordered))
    except (OSError, RuntimeError):  # no process support (sandboxes): fall back to serial
        return [run_job(job) for job in ordered]


def all_diagnostics(results: Iterable[FileResult]) -> list[Diagnostic]:
    diagnostics = [d for result in results for d in result.diagnostics]
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics
