"""Miss shape 2: the scheduler is built in one module, stepped in another, wired in a third."""

from __future__ import annotations

from lintkit import lint_project, where

BUILD = """\
    import torch
    from torch.optim import lr_scheduler


    def build_optimizer(cfg, model):
        return torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=0.9)


    def build_scheduler(cfg, optimizer):
        if cfg.sched == "step":
            return lr_scheduler.StepLR(optimizer, step_size=cfg.step_size, gamma=0.1)
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=cfg.epochs)
"""

ENGINE_SCHEDULER_FIRST = """\
    def train_one_epoch(model, loader, optimizer, lr_scheduler):
        model.train()
        for images, targets in loader:
            loss = model(images, targets)
            optimizer.zero_grad()
            loss.backward()
            lr_scheduler.step()
            optimizer.step()
"""

MAIN = """\
    from solver.build import build_optimizer, build_scheduler
    from engine import train_one_epoch


    def main(cfg, model, loader):
        optimizer = build_optimizer(cfg, model)
        scheduler = build_scheduler(cfg, optimizer)
        for epoch in range(cfg.epochs):
            train_one_epoch(model, loader, optimizer, scheduler)
"""


def project(engine: str, main: str = MAIN) -> dict[str, str]:
    return {"solver/__init__.py": "", "solver/build.py": BUILD, "engine.py": engine,
            "main.py": main}


def test_scheduler_first_in_another_module_is_reported_there(tmp_path):
    found = lint_project(tmp_path, project(ENGINE_SCHEDULER_FIRST), select=["LR003"])
    assert where(found, tmp_path) == [("engine.py", "LR003", 7)]


def test_the_report_does_not_depend_on_which_file_is_linted_first(tmp_path):
    everything = lint_project(tmp_path, project(ENGINE_SCHEDULER_FIRST), select=["LR003"])
    reversed_order = lint_project(tmp_path, {}, select=["LR003"],
                                  paths=["main.py", "engine.py", "solver/build.py",
                                         "solver/__init__.py"])
    assert where(everything, tmp_path) == where(reversed_order, tmp_path)


def test_per_batch_step_of_an_epoch_counted_cosine_across_modules(tmp_path):
    """CosineAnnealingLR(T_max=cfg.epochs) on one branch, stepped per batch in engine.py:
    LR008 holds for that branch; StepLR(step_size=cfg.step_size) says nothing of its unit."""
    engine = ENGINE_SCHEDULER_FIRST.replace(
        "            lr_scheduler.step()\n            optimizer.step()\n",
        "            optimizer.step()\n            lr_scheduler.step()\n")
    found = lint_project(tmp_path, project(engine), select=["LR008"])
    assert where(found, tmp_path) == [("engine.py", "LR008", 8)]
    assert "CosineAnnealingLR" in found[0].message


def test_correct_order_across_modules_is_silent(tmp_path):
    engine = ENGINE_SCHEDULER_FIRST.replace(
        "            lr_scheduler.step()\n            optimizer.step()\n",
        "            optimizer.step()\n")
    main = MAIN + "            scheduler.step()\n"
    found = lint_project(tmp_path, project(engine, main), select=["LR003", "LR008", "LR018"])
    assert found == []


def test_one_finding_per_call_even_with_several_possible_schedulers(tmp_path):
    found = lint_project(tmp_path, project(ENGINE_SCHEDULER_FIRST), select=["LR003"])
    assert len(found) == 1
    assert "StepLR or CosineAnnealingLR" in found[0].message


def test_objects_passed_as_keyword_arguments_into_kwargs(tmp_path):
    """sthalles/SimCLR: the trainer class takes everything through **kwargs."""
    found = lint_project(tmp_path, {
        "simclr.py": """\
            class SimCLR:
                def __init__(self, *args, **kwargs):
                    self.args = kwargs["args"]
                    self.optimizer = kwargs["optimizer"]
                    self.scheduler = kwargs["scheduler"]

                def train(self, train_loader):
                    for epoch in range(self.args.epochs):
                        for images, _ in train_loader:
                            loss = self.step(images)
                            self.optimizer.zero_grad()
                            loss.backward()
                            self.optimizer.step()
                        if epoch >= 10:
                            self.scheduler.step()
        """,
        "run.py": """\
            import torch
            from simclr import SimCLR

            def main(args, model, train_loader):
                optimizer = torch.optim.Adam(model.parameters(), args.lr)
                scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
                    optimizer, T_max=len(train_loader), eta_min=0)
                simclr = SimCLR(model=model, optimizer=optimizer, scheduler=scheduler, args=args)
                simclr.train(train_loader)
        """,
    }, select=["LR008"])
    assert where(found, tmp_path) == [("simclr.py", "LR008", 15)]


def test_a_list_of_schedulers_filled_by_a_subclass(tmp_path):
    """cszn/KAIR: the base class steps and reads `self.schedulers`, a subclass in another
    module appends to it."""
    found = lint_project(tmp_path, {
        "models/model_base.py": """\
            class ModelBase:
                def __init__(self, opt):
                    self.schedulers = []

                def define_optimizer(self):
                    pass

                def define_scheduler(self):
                    pass

                def update_learning_rate(self, n):
                    for scheduler in self.schedulers:
                        scheduler.step(n)

                def current_learning_rate(self):
                    return self.schedulers[0].get_lr()[0]
        """,
        "models/model_plain.py": """\
            from torch.optim import Adam, lr_scheduler
            from models.model_base import ModelBase


            class ModelPlain(ModelBase):
                def define_optimizer(self):
                    self.G_optimizer = Adam(self.netG.parameters(), lr=1e-4)

                def define_scheduler(self):
                    self.schedulers.append(lr_scheduler.MultiStepLR(self.G_optimizer,
                                                                    [200000, 400000], 0.5))
        """,
    }, select=["LR012"])
    assert where(found, tmp_path) == [("models/model_base.py", "LR012", 16)]


# A subproject of a larger repository, run as `python restore/train.py`: its modules import
# each other by names rooted at restore/ (cszn/KAIR's layout inside a monorepo).
MODEL_BASE = """\
    class ModelBase:
        def __init__(self, opt):
            self.opt = opt
            self.schedulers = []

        def update_learning_rate(self):
            for scheduler in self.schedulers:
                scheduler.step()

        def current_learning_rate(self):
            return self.schedulers[0].get_lr()[0]
"""

MODEL_PLAIN = """\
    from torch.optim import Adam, lr_scheduler

    from models.model_base import ModelBase


    class ModelPlain(ModelBase):
        def define_optimizer(self, net):
            self.optimizer = Adam(net.parameters(), lr=self.opt["lr"])

        def define_scheduler(self):
            self.schedulers.append(lr_scheduler.MultiStepLR(self.optimizer, [200, 400], 0.5))
"""


def test_a_subproject_importing_from_its_own_directory_is_one_project(tmp_path):
    files = {"pyproject.toml": "", "restore/models/model_base.py": MODEL_BASE,
             "restore/models/model_plain.py": MODEL_PLAIN,
             "restore/train.py": "from models.model_plain import ModelPlain\n"}
    found = lint_project(tmp_path, files, select=["LR012"])
    assert where(found, tmp_path) == [("restore/models/model_base.py", "LR012", 11)]
    subproject = lint_project(tmp_path, {}, select=["LR012"], paths=["restore/models"])
    assert where(subproject, tmp_path) == [("restore/models/model_base.py", "LR012", 11)]


# A base trainer's loop calls hooks a subclass in another module overrides (template method,
# as in detectron2's TrainerBase): the hook the subclass defines is what the loop runs.
BASE_TRAINER = """\
    class BaseTrainer:
        def __init__(self, model, loader, max_iters):
            self.model, self.loader, self.max_iters = model, loader, max_iters
            self.optimizer = self.build_optimizer()

        def before_iter(self):
            pass

        def after_iter(self):
            pass

        def run_step(self, batch):
            self.model(batch).mean().backward()
            self.optimizer.step()
            self.optimizer.zero_grad()

        def train(self):
            self.before_train()
            batches = iter(self.loader)
            for it in range(self.max_iters):
                batch = next(batches)
                self.before_iter()
                self.run_step(batch)
                self.after_iter()
"""

SUB_TRAINER = """\
    import torch
    from torch.optim.lr_scheduler import LambdaLR

    from engine.base_trainer import BaseTrainer


    class SegTrainer(BaseTrainer):
        def build_optimizer(self):
            return torch.optim.SGD(self.model.parameters(), lr=0.01, momentum=0.9)

        def before_train(self):
            self.scheduler = LambdaLR(self.optimizer, lambda it: (1 - it / self.max_iters) ** 0.9)

        def {hook}(self):
            self.scheduler.step()
"""


def test_a_hook_a_subclass_overrides_runs_where_the_base_loop_calls_it(tmp_path):
    files = {"pyproject.toml": "", "engine/base_trainer.py": BASE_TRAINER,
             "engine/seg_trainer.py": SUB_TRAINER.format(hook="before_iter")}
    found = lint_project(tmp_path, files, select=["LR003"])
    assert where(found, tmp_path) == [("engine/seg_trainer.py", "LR003", 15)]
    after = dict(files, **{"engine/seg_trainer.py": SUB_TRAINER.format(hook="after_iter")})
    assert lint_project(tmp_path, after, select=["LR003"]) == []
