"""Paths and dotted module names: which file ``import a.b`` means, and what a file is called.

Python finds a module by searching directories in order (``sys.path``). lrlint reproduces the part
of that search that concerns a project's own source, without importing anything:

* a file inside packages (a chain of ``__init__.py``) is named from the top of that chain:
  ``proj/det/solver/build.py`` is ``det.solver.build`` when ``det/`` and ``solver/`` hold one;
* a file in plain directories under a source root is named relative to that root (namespace
  packages): ``root/utils/sched.py`` is ``utils.sched``;
* anything else is a top-level module named after its file: ``python train.py`` imports the
  ``utils.py`` next to it as ``utils``.

A project root is the nearest directory above a file that holds ``pyproject.toml``,
``lrlint.toml``, ``setup.py``, ``setup.cfg`` or ``.git``. An importing file searches, in order:
the directory its own package chain starts in (a script's own directory), the project's source
roots (the config's ``src``; by default the project root and its ``src/``), the config's
``extra-paths``, the installed packages (``search_path.py``), and last the directories between
its own and the project root (a subproject's scripts run from the subproject's directory).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ROOT_MARKERS = ("pyproject.toml", "lrlint.toml", "setup.py", "setup.cfg", ".git")


class Listing:
    """Directory entries, read once per directory: name -> is a directory."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, bool]] = {}

    def entries(self, directory: str) -> dict[str, bool]:
        found = self._entries.get(directory)
        if found is None:
            found = {}
            try:
                with os.scandir(directory) as scan:
                    for entry in scan:
                        try:
                            found[entry.name] = entry.is_dir()
                        except OSError:
                            continue
            except OSError:
                pass
            self._entries[directory] = found
        return found

    def is_file(self, directory: str, name: str) -> bool:
        return self.entries(directory).get(name) is False

    def is_dir(self, directory: str, name: str) -> bool:
        return self.entries(directory).get(name) is True


@dataclass(frozen=True)
class Location:
    """Where a module's source is: a file, or (namespace package) only a directory."""

    path: str | None  # the .py file (``__init__.py`` for a package); None for a namespace package
    directory: str | None  # the package directory, for packages
    is_package: bool


def find_in(root: str, parts: Sequence[str], listing: Listing) -> Location | None:
    """The module ``parts`` under ``root``: a regular package wins over ``name.py``, which wins
    over a namespace directory (Python's order)."""
    directory = root
    for part in parts[:-1]:
        if not listing.is_dir(directory, part):
            return None
        directory = os.path.join(directory, part)
    return child(directory, parts[-1], listing)


def child(directory: str, name: str, listing: Listing) -> Location | None:
    """The module ``name`` inside the package directory ``directory``."""
    if listing.is_dir(directory, name):
        package = os.path.join(directory, name)
        if listing.is_file(package, "__init__.py"):
            return Location(os.path.join(package, "__init__.py"), package, True)
        if listing.is_file(directory, name + ".py"):
            return Location(os.path.join(directory, name + ".py"), None, False)
        return Location(None, package, True)
    if listing.is_file(directory, name + ".py"):
        return Location(os.path.join(directory, name + ".py"), None, False)
    return None


class Layout:
    """The source roots of the projects the linted files belong to, and the names of files.

    ``src`` and ``extra_paths`` come from the config (relative to ``config_root``). Projects
    are found per file from their root markers, so one run over several checkouts names each
    file inside its own project.
    """

    def __init__(self, config_root: str, src: Iterable[str] = (), extra_paths: Iterable[str] = (),
                 listing: Listing | None = None) -> None:
        self.config_root = os.path.abspath(config_root)
        self.src = tuple(os.path.normpath(os.path.join(self.config_root, s)) for s in src)
        self.extra_paths = tuple(os.path.normpath(os.path.join(self.config_root, p))
                                 for p in extra_paths)
        self.listing = listing or Listing()
        self._roots: dict[str, str | None] = {}
        self._package_top: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._search_roots: dict[str | None, tuple[str, ...]] = {}
        self._found: dict[tuple[str, tuple[str, ...]], Location | None] = {}
        self._enclosing: dict[str, tuple[str, ...]] = {}

    # -- projects -----------------------------------------------------------------------------

    def project_root(self, path: str) -> str | None:
        """The nearest directory at or above ``path``'s directory holding a root marker."""
        directory = os.path.dirname(os.path.abspath(path))
        seen: list[str] = []
        found: str | None = None
        while True:
            if directory in self._roots:
                found = self._roots[directory]
                break
            seen.append(directory)
            entries = self.listing.entries(directory)
            if any(marker in entries for marker in ROOT_MARKERS):
                found = directory
                break
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
        for directory in seen:
            self._roots[directory] = found
        return found

    def source_roots(self, path: str) -> tuple[str, ...]:
        """The directories ``path``'s project imports top-level modules from."""
        root = self.project_root(path)
        roots: list[str] = []
        if self.src and (root is None or _inside(self.config_root, root)
                         or _inside(root, self.config_root)):
            roots.extend(self.src)
        elif root is not None:
            roots.append(root)
            if self.listing.is_dir(root, "src"):
                roots.append(os.path.join(root, "src"))
        elif _inside(os.path.abspath(path), self.config_root):
            roots.append(self.config_root)
        else:
            # No project marker anywhere above: the script's own directory (``python
            # train.py``) or the one above its package chain (``python -m models.train``).
            top, _ = self.package_top(os.path.dirname(os.path.abspath(path)))
            roots.extend(_unique([top, os.path.dirname(top)]))
        return tuple(roots)

    def search_roots(self, importer: str | None) -> tuple[str, ...]:
        """Where an import written in ``importer`` looks, in order (installed packages last,
        elsewhere)."""
        directory = os.path.dirname(os.path.abspath(importer)) if importer else None
        found = self._search_roots.get(directory)
        if found is None:
            if directory is None:
                found = _unique([*self.src, self.config_root, *self.extra_paths])
            else:
                top, _ = self.package_top(directory)
                found = _unique([top, *self.source_roots(importer), *self.extra_paths])
            self._search_roots[directory] = found
        return found

    def enclosing_roots(self, importer: str) -> tuple[str, ...]:
        """The directories between ``importer``'s package top and its project root, nearest
        first: where a subproject's entry script may live (``python sub/train.py`` puts ``sub/``
        on ``sys.path``, and ``sub/models/plain.py`` imports ``models.base`` from there). Only
        inside a project (a root marker above); tried after every other root, installed
        packages included."""
        directory = os.path.dirname(os.path.abspath(importer))
        found = self._enclosing.get(directory)
        if found is None:
            root = self.project_root(importer)
            found = ()
            if root is not None:
                top, _ = self.package_top(directory)
                searched = set(self.search_roots(importer))
                ancestors = []
                while _inside(top, root) and top != root:
                    top = os.path.dirname(top)
                    if top not in searched:
                        ancestors.append(top)
                found = tuple(ancestors)
            self._enclosing[directory] = found
        return found

    def find_enclosing(self, name: str, importer: str | None) -> Location | None:
        """The module ``name`` under one of ``importer``'s :meth:`enclosing_roots`."""
        if importer is None:
            return None
        parts = name.split(".")
        for root in self.enclosing_roots(importer):
            found = find_in(root, parts, self.listing)
            if found is not None:
                return found
        return None

    # -- names --------------------------------------------------------------------------------

    def package_top(self, directory: str) -> tuple[str, tuple[str, ...]]:
        """(the directory the ``__init__.py`` chain through ``directory`` starts in, the
        package names from there down to ``directory``)."""
        cached = self._package_top.get(directory)
        if cached is not None:
            return cached
        if self.listing.is_file(directory, "__init__.py"):
            parent = os.path.dirname(directory)
            if parent == directory:
                result = (directory, ())
            else:
                top, names = self.package_top(parent)
                result = (top, names + (os.path.basename(directory),))
        else:
            result = (directory, ())
        self._package_top[directory] = result
        return result

    def module_name(self, path: str) -> tuple[str | None, bool]:
        """(dotted name, is a package) of the file ``path``; None when it has no importable
        name (a file name that is not an identifier)."""
        path = os.path.abspath(path)
        directory, filename = os.path.split(path)
        stem = filename.removesuffix(".py")
        is_package = stem == "__init__"
        _, packages = self.package_top(directory)
        if not packages:  # not in a package: a namespace name under a source root, or a script
            packages = self._namespace_parts(path)
        parts = list(packages) if is_package else [*packages, stem]
        if not parts or not all(part.isidentifier() for part in parts):
            return None, is_package
        return ".".join(parts), is_package

    def _namespace_parts(self, path: str) -> tuple[str, ...]:
        directory = os.path.dirname(path)
        best: tuple[str, ...] | None = None
        for root in self.source_roots(path):
            if _inside(directory, root):
                rel = os.path.relpath(directory, root)
                parts = () if rel == "." else tuple(rel.split(os.sep))
                if best is None or len(parts) < len(best):
                    best = parts
        return best or ()

    def find(self, name: str, importer: str | None) -> Location | None:
        """The project (or extra-paths) module ``name`` as ``importer`` would import it."""
        roots = self.search_roots(importer)
        key = (name, roots)
        if key in self._found:
            return self._found[key]
        parts = name.split(".")
        found = None
        for root in roots:
            found = find_in(root, parts, self.listing)
            if found is not None:
                break
        self._found[key] = found
        return found


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
