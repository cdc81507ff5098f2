"""The modules of one lint run that can see each other: a project of module models.

A ``ModuleModel`` answers questions about one file; where a name leaves the file (an import, a
function called from another module, a base class defined elsewhere) it asks its ``Project``:

- ``model_for_module(name)``: the model of another module, parsed on first use — a module of the
  run, another file of the project, or an installed package's *source* (located, never imported);
- ``symbol(qualified)``: the model and top-level binding a dotted name refers to, through
  re-exports (``from .scheduler import WarmupCosine`` in a package ``__init__``);
- ``callers(function)``: every call site of a function in the modules of the run, so that a
  parameter receives what other modules pass and an event is seen in its callers' loops.

The modules of the run (``add_source``) are *members*: their objects are created, their calls
resolved and their events recorded when the project is finished (``finish``), in that order, so
that what a rule sees does not depend on which module it looks from. Modules loaded on demand
only lend their definitions (classes, functions, constants): they record no events and create
tracked objects only when a resolution reaches one of their calls.

Node-keyed facts (the scope and order of each name, the call site of each call, the tracked
object a constructor call builds) are shared by all models of a project: nodes are unique, so
any model can answer for a node of another module.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import libcst as cst

if TYPE_CHECKING:
    from lrlint.analysis.facts import CallSite, ClassInfo, FunctionInfo
    from lrlint.analysis.model import ModuleModel, TrackedObject

# Modules lrlint knows as data (torch_api) or that can never hold training code worth following.
_NEVER_FOLLOWED = ("torch", "builtins", "typing", "os", "sys", "math", "numpy", "collections",
                   "functools", "itertools", "dataclasses", "abc", "re", "json", "logging",
                   # known as data (frameworks.py): their source is large and adds nothing
                   "transformers", "lightning", "pytorch_lightning", "lightning_fabric",
                   "accelerate", "timm")
# Installed modules above this size are not parsed: generated code, vendored blobs.
MAX_FOLLOWED_BYTES = 1_000_000


class Locator(Protocol):
    """Where modules live: the project index (or a simple directory scan in tests)."""

    def path_of(self, module: str) -> str | None:
        """The source file of dotted module ``module`` (``pkg/mod.py`` or
        ``pkg/mod/__init__.py``), in the project or in an installed package; None if unknown."""

    def module_name(self, path: str) -> str | None:
        """The dotted module name of a file of the project."""


@dataclass(frozen=True)
class ModuleName:
    name: str
    is_package: bool

    @property
    def package(self) -> str:
        """The package relative imports start from."""
        return self.name if self.is_package else self.name.rpartition(".")[0]

    def absolute(self, target: str) -> str | None:
        """``..x.Y`` (as the collector records relative imports) against this module."""
        level = len(target) - len(target.lstrip("."))
        if level == 0:
            return target
        base = self.package.split(".") if self.package else []
        if level - 1 > len(base):
            return None
        base = base[: len(base) - (level - 1)]
        rest = target[level:]
        return ".".join([*base, rest] if rest else base) or None


class DirectoryLocator:
    """Modules under a few source roots, by the usual layout, then under the ``installed``
    package directories, then under ``last`` (the plan's enclosing roots). ``installed_sources``:
    when given (the run's plan knows them), the only installed modules worth reading, with the
    package ``__init__`` files above them."""

    def __init__(self, roots: Iterable[str], installed: Iterable[str] = (),
                 installed_sources: Iterable[str] | None = None, last: Iterable[str] = ()) -> None:
        self.installed = [os.path.abspath(root) for root in installed]
        self.roots = [os.path.abspath(root) for root in roots]
        self.roots += [root for root in self.installed if root not in self.roots]
        self.roots += [root for root in map(os.path.abspath, last) if root not in self.roots]
        # What a model may depend on: every file path_of named, and every path it looked at
        # that did not exist (a module created there later changes what an import finds).
        self.found: set[str] = set()
        self.absent: set[str] = set()
        self.sources: set[str] | None = None
        if installed_sources is not None:
            self.sources = set(installed_sources)
            for path in installed_sources:  # the packages on the way re-export their names
                directory = os.path.dirname(path)
                while directory not in self.installed and os.path.dirname(directory) != directory:
                    self.sources.add(os.path.join(directory, "__init__.py"))
                    directory = os.path.dirname(directory)

    def path_of(self, module: str) -> str | None:
        parts = module.split(".")
        for root in self.roots:
            base = os.path.join(root, *parts)
            for candidate in (base + ".py", os.path.join(base, "__init__.py")):
                if os.path.isfile(candidate):
                    self.found.add(candidate)
                    return candidate if self._worth_reading(root, candidate) else None
                self.absent.add(candidate)
        return None

    def _worth_reading(self, root: str, path: str) -> bool:
        """An installed module is parsed only when it can define a tracked class (its text
        spells a root gate) or re-export one (a package ``__init__``): following every
        import into sympy or numpy would cost more than the whole lint."""
        if root not in self.installed:
            return True
        if self.sources is not None:
            return path in self.sources
        if path.endswith("__init__.py"):
            return True
        from lrlint.prefilter import ROOT_GATES

        try:
            with open(path, "rb") as stream:
                data = stream.read()
        except OSError:
            return False
        return any(gate in data for gate in ROOT_GATES)

    def module_name(self, path: str) -> str | None:
        path = os.path.abspath(path)
        for root in self.roots:
            if path.startswith(root + os.sep):
                relative = os.path.relpath(path, root)[: -len(".py")]
                parts = relative.split(os.sep)
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                return ".".join(parts) if parts else None
        return None


def _read_module(path: str) -> cst.Module | None:
    from lrlint.cst_parse import parse_module
    from lrlint.source import DecodeError, decode

    try:
        if os.path.getsize(path) > MAX_FOLLOWED_BYTES:
            return None
        with open(path, "rb") as stream:
            text = decode(stream.read()).text
        return parse_module(text, path)
    except (OSError, DecodeError, cst.ParserSyntaxError, RecursionError, ValueError):
        return None


_CONTAINER_METHODS = frozenset({"append", "extend", "insert"})


class Project:
    def __init__(self, locator: Locator | None = None,
                 read: Callable[[str], cst.Module | None] = _read_module) -> None:
        self.locator = locator
        self._read = read
        self.members: list[ModuleModel] = []
        self._by_name: dict[str, ModuleModel | None] = {}
        self._by_path: dict[str, ModuleModel] = {}
        # Node-keyed facts shared by every model of the project (see the module docstring).
        self.name_scopes: dict = {}
        self.name_orders: dict = {}
        self.attribute_of: dict = {}
        self.calls_by_node: dict = {}
        self.object_at: dict = {}
        self._callers: dict[FunctionInfo, list[CallSite]] | None = None
        self.finished = False
        self.memo: dict[str, object] = {}  # project-wide derived facts (e.g. every save)
        self._symbols: dict[str, tuple[ModuleModel, str] | None] = {}

    # -- modules -----------------------------------------------------------------------------

    def add_source(self, module: cst.Module, path: str | None = None,
                   name: str | None = None, is_package: bool = False) -> ModuleModel:
        """Add a module of the run (a member)."""
        from lrlint.analysis.model import ModuleModel

        if name is None and path is not None and self.locator is not None:
            name = self.locator.module_name(path)
            is_package = is_package or os.path.basename(path) == "__init__.py"
        model = ModuleModel(module, project=self, name=ModuleName(name, is_package) if name else None,
                            path=path)
        self.members.append(model)
        self._register(model)
        return model

    def _register(self, model: ModuleModel) -> None:
        if model.path is not None:
            self._by_path[os.path.abspath(model.path)] = model
        if model.module_name is not None:
            self._by_name.setdefault(model.module_name.name, model)

    def model_for_module(self, name: str) -> ModuleModel | None:
        """The model of dotted module ``name``, parsed on first use; None when not found."""
        if name in self._by_name:
            return self._by_name[name]
        self._by_name[name] = None  # also guards against import cycles while loading
        if self.locator is None or name.split(".")[0] in _NEVER_FOLLOWED:
            return None
        path = self.locator.path_of(name)
        if path is None:
            return None
        existing = self._by_path.get(os.path.abspath(path))
        if existing is not None:
            self._by_name[name] = existing
            return existing
        module = self._read(path)
        if module is None:
            return None
        from lrlint.analysis.model import ModuleModel

        is_package = os.path.basename(path) == "__init__.py"
        model = ModuleModel(module, project=self, name=ModuleName(name, is_package), path=path)
        self._by_name[name] = model
        self._by_path[os.path.abspath(path)] = model
        return model

    def symbol(self, qualified: str, depth: int = 0) -> tuple[ModuleModel, str] | None:
        """(model, top-level name) that dotted ``qualified`` refers to, through re-exports;
        (model, "") when it names a module itself."""
        if depth == 0:  # asked for every call of every member: remembered
            symbols = self._symbols
            if qualified not in symbols:
                symbols[qualified] = self._symbol(qualified, 0)
            return symbols[qualified]
        return self._symbol(qualified, depth)

    def _symbol(self, qualified: str, depth: int) -> tuple[ModuleModel, str] | None:
        if depth > 8 or not qualified:
            return None
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            model = self.model_for_module(module)
            if model is None:
                continue
            name, rest = parts[cut], parts[cut + 1:]
            found = model.top_level(name)
            if found is None:
                submodule = self.model_for_module(f"{module}.{name}")
                if submodule is None:
                    return None
                return self.symbol(".".join([f"{module}.{name}", *rest]), depth + 1) if rest \
                    else (submodule, "")
            if found == "import":
                target = model.imports_absolute.get(name)
                if target is None:
                    return None
                return self.symbol(".".join([target, *rest]), depth + 1)
            if rest:
                return None  # an attribute of a class or variable: not a top-level binding
            return model, name
        model = self.model_for_module(qualified)
        return (model, "") if model is not None else None

    # -- the run -----------------------------------------------------------------------------

    def finish(self) -> None:
        """Create every member's objects, then resolve every member's calls, then record every
        member's events: each phase sees the complete result of the one before."""
        if self.finished:
            return
        for model in self.members:
            model.create_objects()
        callers: dict[FunctionInfo, list[CallSite]] = {}
        for model in self.members:
            for function, sites in model.local_call_map(everything=True).items():
                callers.setdefault(function, []).extend(sites)
        self._callers = callers
        self.finished = True
        for model in self.members:
            model.record_events()

    def callers(self, function: FunctionInfo) -> list[CallSite]:
        """Call sites of ``function`` in the members (and in its own module)."""
        found = list(self._callers.get(function, ())) if self._callers is not None else []
        owner = function.scope.module_model
        if owner is not None and owner not in self.members:
            found.extend(site for site in owner.local_call_map(everything=False).get(function, ())
                         if site not in found)
        return found

    def container_calls(self, container: str) -> list[CallSite]:
        """The members' ``<container>.append/extend/insert(...)`` calls with arguments, where
        ``<container>`` is a name or ends in that attribute (an index built once: a query per
        list variable over every call of a large project was quadratic)."""
        index = self.memo.get("container_calls")
        if index is None:
            index = {}
            for model in self.members:
                for site in model.calls:
                    if site.method in _CONTAINER_METHODS and site.node.args:
                        receiver = site.receiver
                        if isinstance(receiver, cst.Name):
                            index.setdefault(receiver.value, []).append(site)
                        elif isinstance(receiver, cst.Attribute):
                            index.setdefault(receiver.attr.value, []).append(site)
            self.memo["container_calls"] = index
        return index.get(container, [])

    def subclasses(self, class_info: ClassInfo) -> list[ClassInfo]:
        """Classes of the members that derive from ``class_info`` (directly or not)."""
        index = self.memo.get("subclasses")
        if index is None:
            index = {}
            for model in self.members:
                for cls in model.classes:
                    for base in model.class_lineage(cls)[1:]:
                        index.setdefault(base, []).append(cls)
            self.memo["subclasses"] = index
        return index.get(class_info, [])

    def objects(self) -> Iterable[TrackedObject]:
        for model in self.members:
            yield from model.objects
