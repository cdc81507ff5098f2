"""Paths and dotted names: packages, namespace directories, src layout, scripts' siblings."""

from __future__ import annotations

import os

import pytest

from lrlint.project.modules import Layout
from lrlint.project.summary import resolve_relative


def test_a_file_in_packages_is_named_from_the_top_of_the_init_chain(project):
    p = project({"det/__init__.py": "", "det/solver/__init__.py": "", "det/solver/build.py": ""})
    layout = Layout(str(p.root))
    assert layout.module_name(p.path("det/solver/build.py")) == ("det.solver.build", False)
    assert layout.module_name(p.path("det/solver/__init__.py")) == ("det.solver", True)


def test_plain_directories_under_the_root_are_namespace_packages(project):
    p = project({"utils/sched.py": "", "train.py": ""})
    layout = Layout(str(p.root))
    assert layout.module_name(p.path("utils/sched.py"))[0] == "utils.sched"
    assert layout.module_name(p.path("train.py"))[0] == "train"


def test_src_layout_names_and_finds_modules_below_src(project):
    p = project({"src/proj/__init__.py": "", "src/proj/sched.py": "", "scripts/train.py": ""})
    layout = Layout(str(p.root))
    assert layout.module_name(p.path("src/proj/sched.py"))[0] == "proj.sched"
    found = layout.find("proj.sched", p.path("scripts/train.py"))
    assert found is not None and found.path == p.path("src/proj/sched.py")


def test_configured_src_replaces_the_default_roots(project):
    from lrlint.config import Config

    p = project({"lib/pkg/__init__.py": "", "lib/pkg/opt.py": "", "tools/run.py": ""})
    p.config = Config(root=p.root, src=("lib",))
    layout = Layout(str(p.root), p.config.src)
    assert layout.find("pkg.opt", p.path("tools/run.py")).path == p.path("lib/pkg/opt.py")
    assert Layout(str(p.root)).find("pkg.opt", p.path("tools/run.py")) is None


def test_a_script_imports_its_siblings_first(project):
    p = project({"utils.py": "", "exp/train.py": "", "exp/utils.py": ""})
    layout = Layout(str(p.root))
    assert layout.find("utils", p.path("exp/train.py")).path == p.path("exp/utils.py")
    assert layout.find("utils", p.path("other.py")).path == p.path("utils.py")


def test_a_regular_package_wins_over_a_module_which_wins_over_a_namespace(project):
    p = project({"a/__init__.py": "", "a.py": "", "b.py": "", "b/x.py": ""})
    layout = Layout(str(p.root))
    assert layout.find("a", None).path == p.path("a/__init__.py")
    assert layout.find("b", None).path == p.path("b.py")


def test_without_a_root_marker_a_script_is_named_after_its_file(tmp_path):
    (tmp_path / "loose").mkdir()
    script = tmp_path / "loose" / "run.py"
    script.write_text("")
    layout = Layout(str(tmp_path / "elsewhere"))
    assert layout.module_name(str(script))[0] == "run"
    assert layout.project_root(str(script)) in (None, *[str(p) for p in script.parents])


def test_file_names_that_are_not_identifiers_have_no_module_name(project):
    p = project({"my-script.py": ""})
    assert Layout(str(p.root)).module_name(p.path("my-script.py"))[0] is None


def test_relative_imports_resolve_against_the_package():
    assert resolve_relative("a.b.c", False, 1, "d") == "a.b.d"
    assert resolve_relative("a.b.c", False, 2, None) == "a"
    assert resolve_relative("a.b", True, 1, "x") == "a.b.x"
    assert resolve_relative("a.b", True, 2, "y") == "a.y"
    assert resolve_relative("a", False, 1, None) is None  # beyond the top
    assert resolve_relative(None, False, 1, "x") is None  # a script: no package
    assert resolve_relative("m", False, 0, "os.path") == "os.path"


def test_extra_paths_are_searched_after_the_project(project, tmp_path):
    vendor = tmp_path / "vendor"
    (vendor / "warm").mkdir(parents=True)
    (vendor / "warm" / "__init__.py").write_text("")
    p = project({"train.py": ""})
    layout = Layout(str(p.root), extra_paths=[os.path.relpath(vendor, p.root)])
    assert layout.find("warm", p.path("train.py")).path == str(vendor / "warm" / "__init__.py")


def test_a_subproject_module_finds_names_rooted_at_the_subproject_directory(project):
    # `python restore/train.py` puts restore/ on sys.path: restore/models/plain.py imports
    # `models.base` from there, a directory neither its own nor the project's root.
    p = project({"restore/train.py": "", "restore/models/base.py": "",
                 "restore/models/plain.py": ""})
    layout = Layout(str(p.root))
    plain = p.path("restore/models/plain.py")
    assert layout.find("models.base", plain) is None
    assert layout.enclosing_roots(plain) == (p.path("restore"),)
    assert layout.find_enclosing("models.base", plain).path == p.path("restore/models/base.py")
    assert layout.find_enclosing("models.missing", plain) is None


def test_without_a_project_root_no_enclosing_directory_is_searched(tmp_path):
    (tmp_path / "a" / "models").mkdir(parents=True)
    (tmp_path / "a" / "models" / "plain.py").write_text("")
    (tmp_path / "a" / "models" / "base.py").write_text("")
    layout = Layout(str(tmp_path / "elsewhere"))
    plain = str(tmp_path / "a" / "models" / "plain.py")
    if layout.project_root(plain) is not None:
        pytest.skip("a root marker above the temporary directory")
    assert layout.enclosing_roots(plain) == ()
    assert layout.find_enclosing("models.base", plain) is None


def test_the_project_and_installed_packages_win_over_enclosing_directories(project):
    p = project({"restore/models/plain.py": "", "restore/helpers.py": "", "restore/cfg.py": "",
                 "cfg.py": ""},
                site={"helpers/__init__.py": ""})
    index = p.index()
    plain = p.path("restore/models/plain.py")
    assert index.locate("helpers", plain).path == str(p.site / "helpers" / "__init__.py")
    assert index.locate("cfg", plain).path == p.path("cfg.py")
    assert index.locate("models.plain", plain).path == plain
