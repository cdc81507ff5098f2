"""Relevance: every file that can hold a finding is kept, files that cannot are dropped."""

from __future__ import annotations

import os
import sys

from lrlint.prefilter import SCHEDULER, ScanCache

# Miss shape 2 of issue 8: built in one module, stepped in another, wired in main.py.
DETECTION = {
    "main.py": """
        import torch
        from solver import build_lr_scheduler
        from engine import train_one_epoch
        from models.resnet import resnet50
        from data.dataset import make_loader

        def main(cfg):
            model = resnet50()
            loader = make_loader(cfg)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            lr_scheduler = build_lr_scheduler(cfg, optimizer)
            for epoch in range(cfg.epochs):
                train_one_epoch(model, loader, optimizer, lr_scheduler)
    """,
    "solver/__init__.py": "from .build import build_lr_scheduler\n",
    "solver/lr_scheduler.py": """
        from torch.optim.lr_scheduler import _LRScheduler
        class WarmupMultiStepLR(_LRScheduler):
            def __init__(self, optimizer, milestones, warmup_iters=500, last_epoch=-1):
                self.milestones = milestones
                super().__init__(optimizer, last_epoch)
            def get_lr(self):
                return [base_lr for base_lr in self.base_lrs]
    """,
    "solver/build.py": """
        import torch
        from .lr_scheduler import WarmupMultiStepLR
        def build_lr_scheduler(cfg, optimizer):
            if cfg.name == "multistep":
                return WarmupMultiStepLR(optimizer, cfg.steps)
            return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, cfg.epochs)
    """,
    "engine.py": """
        def train_one_epoch(model, loader, optimizer, sched):
            for batch in loader:
                loss = model(batch)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                sched.step()

        def evaluate(model, loader):
            return sum(model(batch) for batch in loader)
    """,
    "models/resnet.py": """
        import torch
        import torch.nn as nn
        def resnet50(pretrained=False):
            model = nn.Linear(4, 4)
            if pretrained:
                model.load_state_dict(torch.load("weights.pth"))
            return model
    """,
    "data/dataset.py": """
        def make_loader(cfg):
            return [[1.0] * 4 for _ in range(cfg.batches)]
    """,
    "utils/logging.py": '''
        """Logs the learning rate of the optimizer (torch.optim.SGD, say) each epoch."""
        def log(message, lr_scheduler=None):
            # optimizer.step() happens elsewhere
            print(message)
    ''',
}


def test_factory_loop_and_wiring_across_modules(project):
    p = project(DETECTION)
    plan = p.plan()
    relevant = {os.path.relpath(path, p.root) for path in plan.reasons}
    assert relevant == {"main.py", "solver/build.py", "solver/lr_scheduler.py", "engine.py"}
    assert "acts on what" in plan.reasons[p.path("engine.py")]
    component = {os.path.relpath(path, p.root) for path in plan.component_of(p.path("engine.py"))}
    assert component == relevant
    assert plan.needs_model == frozenset(map(p.path, relevant)) and not plan.context


def test_the_loop_module_sees_the_factory_classes_through_implied_words(project):
    p = project(DETECTION)
    plan = p.plan()
    implied = plan.implied(p.path("engine.py"))
    assert {b"CosineAnnealingLR", b"_LRScheduler", b"lr_scheduler", b"SGD"} <= implied
    engine = (p.root / "engine.py").read_bytes()
    assert not SCHEDULER.matches(engine)  # alone, the rules' vocabulary would skip it
    assert SCHEDULER.matches(ScanCache(engine, implied))
    assert plan.implied(p.path("models/resnet.py")) == frozenset()


def test_linting_one_module_brings_the_files_it_depends_on_as_context(project):
    p = project(DETECTION)
    plan = p.plan(["engine.py"])
    assert plan.needs_model == {p.path("engine.py")}
    assert {os.path.relpath(c, p.root) for c in plan.context} == {
        "main.py", "solver/build.py", "solver/lr_scheduler.py"}
    assert plan.stats.universe == len(DETECTION)


def test_a_custom_scheduler_used_where_no_torch_word_appears(project):
    p = project({
        "utils/scheduler.py": """
            import math
            from torch.optim.lr_scheduler import LambdaLR
            class WarmupCosineSchedule(LambdaLR):
                def __init__(self, opt, warmup, total):
                    super().__init__(opt, lambda s: min(1.0, s / warmup))
        """,
        "train.py": """
            from utils.scheduler import WarmupCosineSchedule
            def fit(model, opt, data):
                s = WarmupCosineSchedule(opt, 10, 100)
                for x in data:
                    s.step()
                    opt.step()
        """,
        "other.py": "def WarmupCosineSchedule(): pass\n",
    })
    train = (p.root / "train.py").read_bytes()
    assert b"optim" not in train and b"_schedule" not in train
    plan = p.plan()
    assert plan.reasons[p.path("train.py")] == "reads utils.scheduler.WarmupCosineSchedule"
    assert {b"LambdaLR", b"optim"} <= plan.implied(p.path("train.py"))
    assert p.path("other.py") not in plan.reasons


def test_a_scheduler_from_a_fake_installed_package(project):
    p = project({"train.py": """
        import torch
        from warmup_scheduler import GradualWarmupScheduler
        def fit(model, data):
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            scheduler = GradualWarmupScheduler(optimizer, multiplier=8, total_epoch=5)
            for x in data:
                scheduler.step()
                optimizer.step()
    """, "warm.py": """
        from warmup_scheduler import GradualWarmupScheduler
        def make(o):
            return GradualWarmupScheduler(o, 1, 2)
    """}, site={
        "warmup_scheduler/__init__.py": "from .scheduler import GradualWarmupScheduler\n",
        "warmup_scheduler/scheduler.py": """
            from torch.optim.lr_scheduler import _LRScheduler
            class GradualWarmupScheduler(_LRScheduler):
                pass
        """,
    })
    plan = p.plan()
    assert set(plan.reasons) == {p.path("train.py"), p.path("warm.py")}
    assert "warmup_scheduler" in plan.reasons[p.path("warm.py")]
    assert plan.stats.installed_indexed == 2
    assert "warmup_scheduler" not in sys.modules


def test_a_subclass_of_a_trainer_that_builds_the_optimizer(project):
    p = project({
        "trainer/base.py": """
            import torch
            class BaseTrainer:
                def __init__(self, model):
                    self.model = model
                    self.optimizer = torch.optim.Adam(model.parameters())
                def train(self):
                    for step in range(10):
                        self.run_step()
        """,
        "projects/mine.py": """
            from trainer.base import BaseTrainer
            class MyTrainer(BaseTrainer):
                def run_step(self):
                    self.optimizer.zero_grad()
                    self.optimizer.step()
        """,
        "tools/run.py": """
            from projects.mine import MyTrainer
            def main(cfg):
                MyTrainer(cfg.model).train()
        """,
    })
    assert p.relevant() == {"trainer/base.py", "projects/mine.py"}


def test_a_loop_handed_objects_through_a_forwarding_function(project):
    p = project({
        "main.py": """
            import torch
            from runner import fit
            def main(model):
                o = torch.optim.AdamW(model.parameters())
                fit(model, o)
        """,
        "runner.py": """
            from loops import inner_loop
            def fit(model, o):
                inner_loop(model, o)
        """,
        "loops.py": """
            def inner_loop(model, o):
                for _ in range(3):
                    o.step()
        """,
        "unused.py": """
            def inner_loop(model, o):
                o.step()
        """,
    })
    assert p.relevant() == {"main.py", "runner.py", "loops.py"}


def test_files_without_a_tracked_object_are_dropped_though_they_pass_the_bytes(project):
    p = project({
        "noise.py": """
            class Pipeline:
                '''Runs the noise scheduler (not an lr_scheduler: see torch.optim for those).'''
                def __init__(self, scheduler):
                    self.scheduler = scheduler  # optimizer-free
                def __call__(self, x):
                    for t in self.scheduler.timesteps:
                        x = self.scheduler.step(x, t)
                    return x
        """,
        "config.py": 'OPTIM = {"name": "torch.optim.SGD", "lr_scheduler": "cosine"}\n',
    })
    plan = p.plan()
    assert plan.reasons == {} and plan.needs_model == frozenset()
    # noise.py spells torch.optim (in its docstring): parsed, then dropped; config.py only
    # quotes a dotted name, which the byte gate does not count as code.
    assert plan.stats.passing_bytes == 1 and plan.stats.indexed == 1


def test_import_cycles_between_relevant_files(project):
    p = project({
        "a.py": "import torch\nfrom b import step_all\ndef make(m):\n    return torch.optim.SGD(m, 0.1)\n",
        "b.py": "from a import make\ndef step_all(m):\n    make(m).step()\n",
    })
    plan = p.plan()
    assert set(plan.reasons) == {p.path("a.py"), p.path("b.py")}
    assert len(plan.components) == 1


def test_a_linted_file_that_does_not_parse_still_goes_to_the_engine(project):
    p = project({"broken.py": "import torch\nopt = torch.optim.SGD(\n", "fine.py": "x = 1\n"})
    plan = p.plan()
    assert plan.needs_model == {p.path("broken.py")}
    assert plan.syntax_errors == {p.path("broken.py")}


def test_unreadable_and_missing_files_do_not_stop_the_plan(project):
    p = project({"train.py": "import torch\nopt = torch.optim.SGD([], 0.1)\n"})
    missing = p.path("gone.py")
    plan = p.plan(["train.py"]) if False else None
    from lrlint.project import plan_run
    plan = plan_run([p.path("train.py"), missing], config=p.config, installed=p.installed(),
                    paths=[str(p.root)])
    assert plan.needs_model == {p.path("train.py")}


def test_read_bytes_supplies_the_linted_text(project):
    p = project({"train.py": "x = 1\n"})
    from lrlint.project import plan_run
    text = b"import torch\nopt = torch.optim.SGD([], 0.1)\nopt.step()\n"
    plan = plan_run([p.path("train.py")], lambda path: text, config=p.config,
                    installed=p.installed(), paths=[str(p.root)])
    assert plan.wants(p.path("train.py"))


def test_worker_processes_plan_what_one_process_plans(project, monkeypatch):
    from lrlint.project import shards

    files = dict(DETECTION)
    files.update({f"models/m{i}.py": f"import torch.nn as nn\nclass M{i}(nn.Module): pass\n"
                  for i in range(30)})
    files["tools/fit.py"] = "from solver import build_lr_scheduler\ndef go(c, o):\n    return build_lr_scheduler(c, o)\n"
    p = project(files)
    alone = p.plan()
    monkeypatch.setattr(shards, "PARALLEL_MIN_FILES", 4)
    together = p.plan(workers=3)
    assert together.reasons == alone.reasons and p.path("tools/fit.py") in alone.reasons
    assert together.components == alone.components
    assert together.stats.passing_bytes == alone.stats.passing_bytes


def test_a_project_module_re_exporting_torch_names_brings_its_importers(project):
    p = project({
        "common/optim.py": "from torch.optim import SGD as SGD\nimport torch\nAdamW = torch.optim.AdamW\n",
        "configs/train.py": """
            from common.optim import SGD
            def build(params):
                return SGD(params, lr=0.1)
        """,
        "configs/other.py": "from common.optim import AdamW\nOPT = AdamW\n",
    })
    train = (p.root / "configs/train.py").read_bytes()
    assert b"torch" not in train
    assert p.relevant() == {"common/optim.py", "configs/train.py", "configs/other.py"}


def test_a_dying_worker_falls_back_to_planning_here(project, monkeypatch):
    from lrlint.project import shards

    p = project(DETECTION)
    alone = p.plan()
    parent, real_gate = os.getpid(), shards.Shard.gate

    def gate(self, paths):
        if os.getpid() != parent:
            os._exit(3)  # a forked worker dies on its first job
        return real_gate(self, paths)

    monkeypatch.setattr(shards, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(shards.Shard, "gate", gate)
    assert p.plan(workers=2).reasons == alone.reasons


def test_src_layout_and_scripts_importing_their_siblings(project):
    p = project({
        "src/proj/__init__.py": "from .sched import Warm\n",
        "src/proj/sched.py": """
            from torch.optim.lr_scheduler import LambdaLR
            class Warm(LambdaLR):
                pass
        """,
        "scripts/train.py": """
            from proj import Warm
            def go(o):
                s = Warm(o, lambda e: 1.0)
                s.step()
        """,
        "exp/utils.py": """
            import torch
            def make(model):
                return torch.optim.SGD(model.parameters(), lr=0.1)
        """,
        "exp/train.py": """
            from utils import make
            def go(model):
                make(model).step()
        """,
        "exp2/train.py": """
            from utils import make
            def go(model):
                make(model).step()
        """,
        "exp2/utils.py": "def make(model):\n    return model\n",
    })
    assert p.relevant() == {"src/proj/sched.py", "scripts/train.py", "exp/utils.py",
                            "exp/train.py"}


# A diffusers-style training script: main(args) steps its own optimizer, hands args and a
# save hook's parameters to a pipeline module that acts on its own noise scheduler.
PIPELINE_PROJECT = {
    "train.py": """
        import torch
        from pipelines import DiffusionPipeline, save_lora
        from helpers import run_epoch

        def main(args):
            optimizer = torch.optim.AdamW(params, lr=args.lr)

            def save_model_hook(models, weights, output_dir):
                save_lora(output_dir, models)

            pipeline = DiffusionPipeline(args)
            for batch in loader:
                optimizer.step()

        def train(model, optimizer):
            run_epoch(model, optimizer)
    """,
    "pipelines.py": """
        def save_lora(output_dir, models):
            for model in models:
                model.save(output_dir)

        class DiffusionPipeline:
            def __init__(self, config):
                self.config = config

            def __call__(self, steps):
                for t in range(steps):
                    self.scheduler.step(t)
    """,
    "helpers.py": """
        def run_epoch(model, opt):
            for batch in model.batches:
                opt.step()
    """,
}


def test_settings_and_nested_hook_parameters_join_nothing(project):
    p = project(PIPELINE_PROJECT)
    relevant = p.relevant()
    assert "pipelines.py" not in relevant  # given args and a hook's parameters only
    assert {"train.py", "helpers.py"} <= relevant  # train's own optimizer parameter, forwarded
