"""``--watch``: lint, then lint again whenever a linted file or a config file changes.

It polls modification times (no file-system notification library, no dependency): each poll
walks the paths as a run would, plus the config files that could apply to them, and compares
``(mtime_ns, size)``; a new or deleted file counts as a change. Ctrl-C stops it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import TextIO

from lrlint.config import CONFIG_FILES

POLL_SECONDS = 0.5

Snapshot = dict[str, tuple[int, int]]


def snapshot(paths: Sequence[str], tree) -> Snapshot:
    """The state of every file a run over ``paths`` would read: linted files, config files."""
    from lrlint.discovery import discover

    files, _ = discover(paths, tree)
    watched = {os.path.abspath(f) for f in files}
    directories = {os.path.dirname(f) for f in watched}
    directories.update(os.path.abspath(p) for p in paths if os.path.isdir(p))
    for directory in list(directories):
        while True:  # config files at or above each directory
            watched.update(os.path.join(directory, name) for name in CONFIG_FILES)
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
    state: Snapshot = {}
    for path in watched:
        try:
            info = os.stat(path)
        except OSError:
            continue
        state[path] = (info.st_mtime_ns, info.st_size)
    return state


def watch(
    run_once: Callable[[], int],
    make_tree: Callable[[], object],
    paths: Sequence[str],
    *,
    out: TextIO | None = None,
    poll: float = POLL_SECONDS,
    runs: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run ``run_once`` now and after every change; ``runs`` bounds the number of runs (tests).

    Returns the last run's exit status (when ``runs`` is reached).
    """
    out = out or sys.stderr
    out.write("Starting linter in watch mode...\n")
    status = 0
    count = 0
    while True:
        state = snapshot(paths, make_tree())
        status = run_once()
        count += 1
        out.write("Watching for file changes.\n")
        out.flush()
        if runs is not None and count >= runs:
            return status
        while snapshot(paths, make_tree()) == state:
            sleep(poll)
        out.write("File change detected...\n")
