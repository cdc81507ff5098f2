"""Multi-file projects written to tmp_path for the project-index tests."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from lrlint.config import Config
from lrlint.project import ProjectIndex, plan_run
from lrlint.project.modules import Layout
from lrlint.project.search_path import InstalledPackages


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


class Project:
    """A project on disk: a root with a pyproject.toml and the given files."""

    def __init__(self, root: Path, files: dict[str, str], site: dict[str, str] | None = None,
                 config: Config | None = None) -> None:
        self.root = write_tree(root / "proj", {"pyproject.toml": "", **files})
        self.site = write_tree(root / "site", site) if site else None
        self.config = config or Config(root=self.root)

    def path(self, relative: str) -> str:
        return str(self.root / relative)

    def installed(self) -> InstalledPackages:
        return InstalledPackages([str(self.site)] if self.site else [])

    def index(self) -> ProjectIndex:
        layout = Layout(str(self.root), self.config.src, self.config.extra_paths)
        return ProjectIndex(layout, self.installed())

    def files(self) -> list[str]:
        return sorted(str(p) for p in self.root.rglob("*.py"))

    def plan(self, linted: list[str] | None = None, **kwargs):
        files = self.files() if linted is None else [self.path(f) for f in linted]
        paths = [str(self.root)] if linted is None else files
        return plan_run(files, config=self.config, paths=paths, installed=self.installed(),
                        **kwargs)

    def relevant(self, linted: list[str] | None = None, **kwargs) -> set[str]:
        plan = self.plan(linted, **kwargs)
        return {os.path.relpath(p, self.root) for p in plan.reasons}


@pytest.fixture
def project(tmp_path):
    def make(files: dict[str, str], site: dict[str, str] | None = None, **kwargs) -> Project:
        return Project(tmp_path, files, site, **kwargs)
    return make
