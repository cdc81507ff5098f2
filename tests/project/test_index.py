"""Resolution across modules and installed packages; class kinds through hierarchies."""

from __future__ import annotations

import sys

from lrlint.analysis.torch_api import Kind

SCHEDULER_PACKAGE = {
    "sched/__init__.py": """
        from .warmup import WarmupCosine
        from .base import *
        Alias = WarmupCosine
    """,
    "sched/base.py": """
        from torch.optim.lr_scheduler import _LRScheduler
        __all__ = ["ProjectBase"]
        class ProjectBase(_LRScheduler):
            def __init__(self, optimizer, last_epoch=-1):
                super().__init__(optimizer, last_epoch)
    """,
    "sched/warmup.py": """
        import math
        from sched.base import ProjectBase
        class WarmupCosine(ProjectBase):
            def __init__(self, optimizer, warmup, total):
                super().__init__(optimizer)
            def get_lr(self):
                return [b * 0.5 for b in self.base_lrs]
    """,
}


def test_re_exports_aliases_and_star_imports_resolve_to_the_definition(project):
    p = project(dict(SCHEDULER_PACKAGE))
    index = p.index()
    symbol = index.resolve("sched.WarmupCosine", p.path("train.py"))
    assert (symbol.module, symbol.name, symbol.kind) == ("sched.warmup", "WarmupCosine", "class")
    assert symbol.path == p.path("sched/warmup.py")
    assert index.resolve("sched.Alias").qualified == "sched.warmup.WarmupCosine"
    assert index.resolve("sched.ProjectBase").qualified == "sched.base.ProjectBase"
    assert index.resolve("sched.warmup").kind == "module"
    assert index.resolve("sched.warmup.WarmupCosine.get_lr").name == "WarmupCosine.get_lr"
    assert index.resolve("sched.Missing") is None


def test_class_kind_follows_a_project_base_of_lr_scheduler(project):
    p = project(dict(SCHEDULER_PACKAGE))
    index = p.index()
    assert index.class_kind("sched.WarmupCosine") == (Kind.SCHEDULER, "_LRScheduler")
    assert index.class_kind("sched.base.ProjectBase") == (Kind.SCHEDULER, "_LRScheduler")
    assert index.class_kind("torch.optim.lr_scheduler.StepLR") == (Kind.SCHEDULER, "StepLR")
    assert index.class_kind("sched.warmup.math") is None
    summary = index.class_summary("sched.WarmupCosine")
    assert summary.init_params == ("optimizer", "warmup", "total")
    assert summary.bases == ("sched.base.ProjectBase",)


def test_a_lambdalr_subclass_in_another_module_is_a_lambdalr(project):
    p = project({
        "utils/scheduler.py": """
            from torch.optim.lr_scheduler import LambdaLR
            class WarmupLinearSchedule(LambdaLR):
                def __init__(self, optimizer, warmup_steps, t_total, last_epoch=-1):
                    super().__init__(optimizer, self.lr_lambda, last_epoch=last_epoch)
        """,
        "train.py": "from utils.scheduler import WarmupLinearSchedule\n",
    })
    index = p.index()
    assert index.class_kind("utils.scheduler.WarmupLinearSchedule",
                            p.path("train.py")) == (Kind.SCHEDULER, "LambdaLR")


def test_factory_returns_the_union_of_its_branches(project):
    p = project({
        "solver/__init__.py": "from .build import build_lr_scheduler\n",
        "solver/lr_scheduler.py": """
            from torch.optim.lr_scheduler import _LRScheduler
            class WarmupMultiStepLR(_LRScheduler):
                pass
        """,
        "solver/build.py": """
            import torch
            from .lr_scheduler import WarmupMultiStepLR
            def build_lr_scheduler(cfg, optimizer):
                name = cfg.SOLVER.LR_SCHEDULER_NAME
                if name == "WarmupMultiStepLR":
                    return WarmupMultiStepLR(optimizer, cfg.SOLVER.STEPS)
                elif name == "cosine":
                    sched = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, cfg.T)
                    return sched
                return _step(optimizer)
            def _step(optimizer):
                return torch.optim.lr_scheduler.StepLR(optimizer, 30)
        """,
    })
    kinds = p.index().returned_kinds("solver.build_lr_scheduler")
    assert kinds == {(Kind.SCHEDULER, "_LRScheduler"), (Kind.SCHEDULER, "CosineAnnealingLR"),
                     (Kind.SCHEDULER, "StepLR")}


def test_a_fake_installed_package_is_read_never_imported(project):
    p = project({"train.py": "from warmup_scheduler import GradualWarmupScheduler\n"}, site={
        "warmup_scheduler/__init__.py": "from warmup_scheduler.scheduler import GradualWarmupScheduler\n",
        "warmup_scheduler/scheduler.py": """
            raise RuntimeError("importing this package is forbidden")
            from torch.optim.lr_scheduler import _LRScheduler
            class GradualWarmupScheduler(_LRScheduler):
                def __init__(self, optimizer, multiplier, total_epoch, after_scheduler=None):
                    pass
        """,
    })
    index = p.index()
    assert index.class_kind("warmup_scheduler.GradualWarmupScheduler",
                            p.path("train.py")) == (Kind.SCHEDULER, "_LRScheduler")
    symbol = index.resolve("warmup_scheduler.GradualWarmupScheduler")
    assert symbol.module == "warmup_scheduler.scheduler"
    assert index.is_installed(symbol.path)
    assert "warmup_scheduler" not in sys.modules


def test_torch_and_the_standard_library_are_never_indexed(project):
    p = project({"torch/__init__.py": "class SGD: pass\n", "m.py": ""})
    index = p.index()
    assert index.resolve("torch.SGD") is None  # torch is data (torch_api), even a local copy
    assert index.canonical("torch.optim.SGD") == "torch.optim.SGD"
    assert index.resolve("os.path.join") is None
    assert index.summaries() == {}


def test_lazy_package_getattr_gives_up(project):
    p = project({}, site={"transformers/__init__.py": """
        _import_structure = {"optimization": ["AdamW"]}
        def __getattr__(name):
            raise AttributeError(name)
    """})
    index = p.index()
    assert index.resolve("transformers.AdamW") is None
    assert index.class_kind("transformers.AdamW") is None


def test_cycles_in_imports_and_bases_end(project):
    p = project({
        "a.py": "from b import B\nfrom b import loop as loop\nclass A(B): pass\n",
        "b.py": "from a import A\nfrom a import loop as loop\nclass B(A): pass\n",
        "c.py": "from c import C\n",
    })
    index = p.index()
    assert index.class_kind("a.A") is None
    assert index.resolve("a.loop") is None
    assert index.resolve("c.C") is None
    assert index.returned_kinds("a.loop") == frozenset()


def test_script_sibling_modules_resolve_from_the_script(project):
    p = project({
        "exp1/train.py": "from utils import build\n",
        "exp1/utils.py": "import torch\ndef build(m): return torch.optim.SGD(m, 0.1)\n",
        "exp2/utils.py": "def build(m): return None\n",
    })
    index = p.index()
    symbol = index.resolve("utils.build", p.path("exp1/train.py"))
    assert symbol.path == p.path("exp1/utils.py")
    assert index.returned_kinds("utils.build", p.path("exp1/train.py")) == {
        (Kind.OPTIMIZER, "SGD")}
    assert index.resolve("utils.build", p.path("exp2/x.py")).path == p.path("exp2/utils.py")


def test_re_exported_torch_names_keep_their_torch_spelling(project):
    p = project({"optim/__init__.py": "from torch.optim import SGD as Fast\n"})
    index = p.index()
    assert index.canonical("optim.Fast") == "torch.optim.SGD"
    assert index.class_kind("optim.Fast") == (Kind.OPTIMIZER, "SGD")


def test_an_unparsable_module_resolves_to_nothing(project):
    p = project({"bad.py": "def (:\n", "ok.py": "from bad import x\n"})
    index = p.index()
    assert index.resolve("bad.x") is None
    assert index.module("bad") is None


def test_star_imports_that_fan_out_and_meet_are_walked_once_each(project, monkeypatch):
    """torch's own packages: every module star-imports the next two, so the paths to the
    last one double at each level. Each (name, importer) is answered once per lookup."""
    files = {f"pkg/m{i}.py": f"from pkg.m{i + 1} import *\nfrom pkg.m{i + 2} import *\n"
             for i in range(10)}
    files["pkg/__init__.py"] = ""
    files["pkg/m10.py"] = "from torch.optim.lr_scheduler import _LRScheduler\n"
    files["pkg/m11.py"] = "class Sched:\n    pass\n"
    p = project(files)
    index = p.index()
    walks = []
    walk = index._walk
    monkeypatch.setattr(index, "_walk", lambda *args: walks.append(args[0]) or walk(*args))
    symbol = index.resolve("pkg.m0.Sched", p.path("train.py"))
    assert symbol is not None and symbol.path == p.path("pkg/m11.py")
    assert len(walks) < 100  # 2**10 paths if every one were walked


def test_frameworks_known_as_data_are_never_read(project):
    """transformers, lightning, accelerate, timm: their names are data (frameworks.py); their
    source (transformers' lazy __init__ reaches hundreds of modules) is never summarised."""
    p = project({"train.py": "import transformers\n"}, site={
        "transformers/__init__.py": "from .optimization import get_linear_schedule_with_warmup\n",
        "transformers/optimization.py": "def get_linear_schedule_with_warmup(o, w, t):\n    pass\n",
        "mylib/__init__.py": "from .sched import Warmup\n",
        "mylib/sched.py": "class Warmup:\n    pass\n",
    })
    index = p.index()
    symbol, rest, external = index.lookup("transformers.get_linear_schedule_with_warmup",
                                          p.path("train.py"))
    assert (symbol, external) == (None, "transformers.get_linear_schedule_with_warmup")
    assert index.resolve("mylib.Warmup", p.path("train.py")).path.endswith("mylib/sched.py")
