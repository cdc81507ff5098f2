"""Installed packages' source, found on a search path without importing anything.

A top-level name the project does not define (``from warmup_scheduler import
GradualWarmupScheduler``) is looked up in the directories of the interpreter's ``sys.path``
(site-packages, ``.pth`` additions) or in directories the caller gives: ``name/__init__.py``,
``name.py`` or a namespace directory, the way ``importlib.machinery.PathFinder`` orders them, but
by listing directories only. Nothing is imported or executed; compiled modules have no source
and are not found.

Skipped on purpose: ``torch`` (lrlint knows its API as data, ``analysis/torch_api.py``), the
standard library, and files too large to be worth indexing (generated tables).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

from lrlint.project.modules import Listing, Location, find_in

# Packages whose source lrlint never indexes: torch is known as data; the others are large and
# define no optimizer or scheduler classes.
SKIPPED_PACKAGES = frozenset({"torch", "torchvision", "torchaudio", "numpy", "scipy", "pandas",
                              "matplotlib", "PIL", "cv2", "sklearn", "tensorflow", "jax", "IPython",
                              "setuptools", "pip", "pkg_resources", "_pytest", "pytest"}) | {
    # Training frameworks lrlint knows as data (lrlint.analysis.frameworks, torch_api): reading
    # their source (transformers' lazy __init__ alone reaches hundreds of modules) only costs.
    "transformers", "lightning", "pytorch_lightning", "lightning_fabric", "accelerate", "timm"}
MAX_SOURCE_BYTES = 1_000_000
# Never read, even from the project's own tree (linting torch's source itself).
EXTERNAL_ALWAYS = frozenset({"torch"})


def interpreter_path() -> tuple[str, ...]:
    """The directories of ``sys.path`` that exist (the working directory excluded: the project
    is searched separately)."""
    cwd = os.getcwd()
    entries = []
    for entry in sys.path:
        if not entry or os.path.abspath(entry) == cwd:
            continue
        if os.path.isdir(entry):
            entries.append(os.path.abspath(entry))
    return tuple(dict.fromkeys(entries))


class InstalledPackages:
    """Source of installed top-level modules, located lazily and remembered."""

    def __init__(self, entries: Iterable[str] | None = None, listing: Listing | None = None) -> None:
        self.entries = tuple(os.path.abspath(e) for e in entries) if entries is not None else None
        self.listing = listing or Listing()
        self._found: dict[str, Location | None] = {}

    def _entries(self) -> tuple[str, ...]:
        if self.entries is None:  # read sys.path only when an import reaches here
            self.entries = interpreter_path()
        return self.entries

    def find(self, name: str) -> Location | None:
        """The installed module ``name`` (dotted), or None (not installed, skipped, no source)."""
        if name in self._found:
            return self._found[name]
        top = name.partition(".")[0]
        found = None
        if not is_skipped(top):
            parts = name.split(".")
            for entry in self._entries():
                location = find_in(entry, parts, self.listing)
                if location is not None:
                    found = location if _small_enough(location) else None
                    break
        self._found[name] = found
        return found


def is_skipped(top: str) -> bool:
    return top in SKIPPED_PACKAGES or top in sys.stdlib_module_names


def _small_enough(location: Location) -> bool:
    if location.path is None:
        return True
    try:
        return os.path.getsize(location.path) <= MAX_SOURCE_BYTES
    except OSError:
        return False
