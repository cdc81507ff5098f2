"""The files of one lint run that are modelled together, and how to model them.

A ``Workspace`` holds the members of one project (the files of a run that can see each other:
a component of the import graph), each parsed once. ``project()`` builds a fresh
``analysis.project.Project`` over them — optionally with one member's text replaced, as the
fixer needs when it re-analyses a file it changed — and returns every member's model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst

    from lrlint.analysis.model import ModuleModel
    from lrlint.analysis.project import Locator, Project


@dataclass
class Built:
    project: Project
    models: dict[str, ModuleModel] = field(default_factory=dict)


class Workspace:
    def __init__(self, locator: Locator | None = None) -> None:
        self.locator = locator
        self.modules: dict[str, cst.Module] = {}

    def add(self, path: str, module: cst.Module) -> None:
        self.modules[path] = module

    def project(self, replace: tuple[str, cst.Module] | None = None) -> Built:
        """Model every member together (``replace``: one member's module swapped for another)."""
        from lrlint.analysis.project import Project

        modules = dict(self.modules)
        if replace is not None:
            modules[replace[0]] = replace[1]
        built = Built(Project(self.locator))
        for path, module in modules.items():
            built.models[path] = built.project.add_source(module, path=path)
        built.project.finish()
        return built
