"""ast summaries: imports, definitions, what each unit reads, returns, holds and passes."""

from __future__ import annotations

import textwrap

from lrlint.project.summary import MODULE_UNIT, ModuleSummary, summarize


def summary_of(source: str, name: str = "pkg.train", is_package: bool = False) -> ModuleSummary:
    found = summarize(textwrap.dedent(source).encode(), name, "/p/" + name, is_package)
    assert found is not None
    return found


def test_imports_are_qualified_and_relative_ones_resolved():
    s = summary_of("""
        import torch
        import torch.optim as O
        from torch.optim.lr_scheduler import LambdaLR as L
        from . import sched
        from .solver.build import build_lr_scheduler
        from ..top import thing
        from utils import *
    """, name="proj.pkg.train")
    assert s.imports["torch"] == "torch"
    assert s.imports["O"] == "torch.optim"
    assert s.imports["L"] == "torch.optim.lr_scheduler.LambdaLR"
    assert s.imports["sched"] == "proj.pkg.sched"
    assert s.imports["build_lr_scheduler"] == "proj.pkg.solver.build.build_lr_scheduler"
    assert s.imports["thing"] == "proj.top.thing"
    assert s.star_imports == ("utils",)


def test_class_bases_are_qualified_and_unknown_ones_marked():
    s = summary_of("""
        from torch.optim import lr_scheduler
        import torch
        class Base(lr_scheduler._LRScheduler):
            def __init__(self, optimizer, warmup, last_epoch=-1, *args):
                super().__init__(optimizer, last_epoch)
            def get_lr(self):
                return self.base_lrs
        class Warm(Base, Mixin):
            pass
        class G(torch.optim.Optimizer, Generic[T]):
            pass
    """)
    assert s.classes["Base"].bases == ("torch.optim.lr_scheduler._LRScheduler",)
    assert s.classes["Base"].init_params == ("optimizer", "warmup", "last_epoch")
    assert s.classes["Base"].methods == frozenset({"__init__", "get_lr"})
    assert s.classes["Warm"].bases == ("pkg.train.Base", "?Mixin")
    assert s.classes["Warm"].init_params is None
    assert s.classes["G"].bases == ("torch.optim.Optimizer", "?Generic")


def test_returns_follow_locals_branches_and_tuples():
    s = summary_of("""
        import torch
        from torch.optim.lr_scheduler import StepLR, CosineAnnealingLR
        from .lr import WarmupMultiStepLR
        def build(cfg, optimizer):
            if cfg.name == "step":
                return StepLR(optimizer, 30)
            elif cfg.name == "cos":
                s = CosineAnnealingLR(optimizer, 90)
                return s
            return WarmupMultiStepLR(optimizer, [30, 60]) if cfg.warm else None
        def both(model):
            opt = torch.optim.SGD(model.parameters(), 0.1)
            return model, opt
        def passthrough(x):
            return x
        def nothing(opt):
            opt.step()
    """)
    assert set(s.functions["build"].returns) == {
        "torch.optim.lr_scheduler.StepLR", "torch.optim.lr_scheduler.CosineAnnealingLR",
        "pkg.lr.WarmupMultiStepLR"}
    assert s.functions["build"].returns_opaque is False  # None is a constant
    assert s.functions["both"].returns == ("torch.optim.SGD",)
    assert s.functions["both"].returns_opaque  # `model` is a parameter
    assert s.functions["passthrough"].returns_opaque
    assert not s.functions["nothing"].returns_value


def test_units_record_reads_annotations_and_receiver_vocabulary():
    s = summary_of("""
        import torch
        from torch.optim import Optimizer
        def train(model, optimizer: Optimizer, sched: "torch.optim.lr_scheduler.LRScheduler"):
            for batch in loader:
                optimizer.step()
                sched.step()
            print(optimizer.param_groups[0]["lr"])
        def plain(x):
            return x.mean()
        run = train
        if __name__ == "__main__":
            train(model, torch.optim.SGD(model.parameters(), 0.1), None)
    """)
    train = s.units["train"]
    assert "pkg.train.Optimizer" not in train.refs
    assert {"torch.optim.Optimizer", "torch.optim.lr_scheduler.LRScheduler"} <= train.annotation_refs
    assert {"step", "param_groups"} <= train.vocabulary
    assert train.mentions
    assert not s.units["plain"].vocabulary and not s.units["plain"].mentions
    assert "torch.optim.SGD" in s.units[MODULE_UNIT].refs
    assert s.aliases["run"] == "pkg.train.train"


def test_calls_record_what_they_pass():
    s = summary_of("""
        import torch
        from engine import train_one_epoch, evaluate
        from solver import build_scheduler
        def main(cfg):
            o = torch.optim.SGD(net.parameters(), lr=0.1)
            s = build_scheduler(cfg, o)
            train_one_epoch(None, o, lr_scheduler=s)
            loader = make_loader()
            evaluate(loader, cfg.data)
        def forward_it(self, thing):
            train_one_epoch(None, thing)
    """)
    passes = s.units["main"].passes
    assert passes["engine.train_one_epoch"] == {"=torch.optim.SGD", "=solver.build_scheduler"}
    assert "engine.evaluate" not in passes  # nothing tracked-looking goes there
    assert passes["solver.build_scheduler"] == {"=torch.optim.SGD"}  # cfg: settings, not objects
    assert s.units["forward_it"].passes["engine.train_one_epoch"] == {"^"}


def test_a_class_unit_holds_what_its_methods_store_or_return():
    s = summary_of("""
        import torch
        from .sched import build
        class Trainer:
            def __init__(self, model, optimizer):
                self.model = model
                self.optimizer = optimizer
                self.scheduler = build(optimizer)
            def make(self):
                return torch.optim.Adam(self.model.parameters())
    """)
    assert s.units["Trainer"].holds == {"pkg.sched.build", "torch.optim.Adam"}


def test_local_names_shadowing_nothing_are_not_references():
    s = summary_of("""
        def f(a):
            b = a + 1
            return len(b)
    """)
    assert s.units["f"].refs == frozenset()


def test_star_imported_and_factory_names_are_kept_bare():
    s = summary_of("""
        from torch.optim import *
        def f(model):
            return SGD(model.parameters(), lr=0.1)
        def g(opt):
            return get_linear_schedule_with_warmup(opt, 10, 100)
    """)
    assert "?SGD" in s.units["f"].refs
    assert "?get_linear_schedule_with_warmup" in s.units["g"].refs


def test_unparsable_source_has_no_summary():
    assert summarize(b"def broken(:\n", "m", "/p/m.py") is None
    assert summarize(b"x = 1\x00\n", "m", "/p/m.py") is None
    assert summarize(b"(" * 200_000, "m", "/p/m.py") is None


def test_encodings_and_bom_are_honoured():
    text = "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\nimport torch\n"
    assert summarize(text.encode("latin-1"), "m", "/p/m.py").imports == {"torch": "torch"}
    assert summarize(b"\xef\xbb\xbfimport os\n", "m", "/p/m.py").imports == {"os": "os"}


def test_json_round_trip_keeps_everything():
    s = summary_of("""
        import torch
        from .x import y
        class A(torch.optim.Optimizer):
            def __init__(self, params, lr): self.held = y(params)
        def f(opt: torch.optim.Optimizer):
            opt.zero_grad()
            return torch.optim.SGD([], 0.1), opt
        V = A
    """)
    again = ModuleSummary.from_json(s.to_json())
    assert again.to_json() == s.to_json()
    assert again.classes == s.classes and again.functions == s.functions
    assert again.units == s.units
