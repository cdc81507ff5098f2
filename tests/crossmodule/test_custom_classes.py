"""Miss shape 1: scheduler (and optimizer) classes defined in another module, a vendored
package, an installed one, or on top of the project's own base class."""

from __future__ import annotations

import os

from lintkit import lint_project, where

SCHEDULER_MODULE = """\
    import math
    from torch.optim.lr_scheduler import LambdaLR


    class WarmupCosineSchedule(LambdaLR):
        def __init__(self, optimizer, warmup_steps, t_total, last_epoch=-1):
            self.warmup_steps = warmup_steps
            self.t_total = t_total
            super().__init__(optimizer, self.lr_lambda, last_epoch=last_epoch)

        def lr_lambda(self, step):
            if step < self.warmup_steps:
                return float(step) / float(max(1.0, self.warmup_steps))
            progress = float(step - self.warmup_steps) / float(max(1, self.t_total - self.warmup_steps))
            return max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))
"""

TRAIN_SCHEDULER_FIRST = """\
    import torch
    from utils.scheduler import WarmupCosineSchedule


    def main(model, loader, epochs):
        optimizer = torch.optim.SGD(model.parameters(), lr=0.03, momentum=0.9)
        scheduler = WarmupCosineSchedule(optimizer, warmup_steps=500, t_total=10000)
        for epoch in range(epochs):
            for x, y in loader:
                loss = model(x).sum()
                loss.backward()
                scheduler.step()
                optimizer.step()
                optimizer.zero_grad()
"""


def test_imported_lambda_lr_subclass_is_a_scheduler(tmp_path):
    found = lint_project(tmp_path, {
        "utils/__init__.py": "",
        "utils/scheduler.py": SCHEDULER_MODULE,
        "train.py": TRAIN_SCHEDULER_FIRST,
    }, select=["LR003"])
    assert where(found, tmp_path) == [("train.py", "LR003", 12)]
    assert "WarmupCosineSchedule" in found[0].message


def test_re_exported_from_a_package_init(tmp_path):
    found = lint_project(tmp_path, {
        "lib/__init__.py": "from .sched import WarmupCosineSchedule\n",
        "lib/sched.py": SCHEDULER_MODULE,
        "train.py": TRAIN_SCHEDULER_FIRST.replace("from utils.scheduler import", "from lib import"),
    }, select=["LR003"])
    assert where(found, tmp_path) == [("train.py", "LR003", 12)]


def test_relative_import_inside_a_package(tmp_path):
    found = lint_project(tmp_path, {
        "proj/__init__.py": "",
        "proj/utils/__init__.py": "",
        "proj/utils/scheduler.py": SCHEDULER_MODULE,
        "proj/train.py": TRAIN_SCHEDULER_FIRST.replace("from utils.scheduler import",
                                                       "from .utils.scheduler import"),
    }, select=["LR003"])
    assert where(found, tmp_path) == [("proj/train.py", "LR003", 12)]


def test_subclass_of_the_projects_own_base_class(tmp_path):
    found = lint_project(tmp_path, {
        "sched/__init__.py": "",
        "sched/base.py": """\
            from torch.optim.lr_scheduler import _LRScheduler


            class LRScheduler(_LRScheduler):
                def __init__(self, optimizer, last_epoch=-1):
                    super().__init__(optimizer, last_epoch)
        """,
        "sched/linear.py": """\
            from .base import LRScheduler


            class LinearWarmUpScheduler(LRScheduler):
                def __init__(self, optimizer, warmup, total_steps, last_epoch=-1):
                    self.warmup = warmup
                    self.total_steps = total_steps
                    super().__init__(optimizer, last_epoch)

                def get_lr(self):
                    progress = self.last_epoch / self.total_steps
                    return [base_lr * progress for base_lr in self.base_lrs]
        """,
        "train.py": """\
            import torch
            from sched.linear import LinearWarmUpScheduler

            optimizer = torch.optim.AdamW(params, lr=1e-4)
            scheduler = LinearWarmUpScheduler(optimizer, warmup=0.1, total_steps=1000)
            for batch in loader:
                scheduler.step()
                loss = compute(batch)
                loss.backward()
                optimizer.step()
        """,
    }, select=["LR003"])
    assert where(found, tmp_path) == [("train.py", "LR003", 7)]


def test_unknown_curve_keeps_the_structural_rules(tmp_path):
    """A subclass whose curve lrlint cannot model still counts as a scheduler: never stepped
    while its optimizer trains is LR018."""
    found = lint_project(tmp_path, {
        "utils/__init__.py": "",
        "utils/scheduler.py": SCHEDULER_MODULE,
        "train.py": """\
            import torch
            from utils.scheduler import WarmupCosineSchedule

            optimizer = torch.optim.SGD(params, lr=0.03)
            scheduler = WarmupCosineSchedule(optimizer, warmup_steps=500, t_total=10000)
            for epoch in range(10):
                for x, y in loader:
                    optimizer.step()
        """,
    }, select=["LR018"])
    assert where(found, tmp_path) == [("train.py", "LR018", 5)]


def test_same_name_from_an_unrelated_module_is_not_a_scheduler(tmp_path):
    found = lint_project(tmp_path, {
        "utils/__init__.py": "",
        "utils/scheduler.py": """\
            class WarmupCosineSchedule:
                def __init__(self, optimizer, warmup_steps, t_total):
                    self.optimizer = optimizer

                def step(self):
                    pass
        """,
        "train.py": TRAIN_SCHEDULER_FIRST,
    }, select=["LR003"])
    assert found == []


def test_installed_package_source_on_a_search_path(tmp_path):
    """``warmup_scheduler`` installed from PyPI (its source on a search path, never imported)."""
    site = tmp_path / "site-packages"
    found_files = {
        "site-packages/warmup_scheduler/__init__.py": "from warmup_scheduler.scheduler import GradualWarmupScheduler\n",
        "site-packages/warmup_scheduler/scheduler.py": """\
            from torch.optim.lr_scheduler import _LRScheduler


            class GradualWarmupScheduler(_LRScheduler):
                def __init__(self, optimizer, multiplier, total_epoch, after_scheduler=None):
                    self.multiplier = multiplier
                    self.total_epoch = total_epoch
                    self.after_scheduler = after_scheduler
                    super().__init__(optimizer)
        """,
        "project/train.py": """\
            import torch
            from warmup_scheduler import GradualWarmupScheduler

            optimizer = torch.optim.SGD(params, lr=0.1)
            scheduler = GradualWarmupScheduler(optimizer, multiplier=8, total_epoch=5)
            for epoch in range(100):
                for x, y in loader:
                    scheduler.step()
                    optimizer.step()
        """,
    }
    found = lint_project(tmp_path, found_files, select=["LR003"], paths=["project"],
                         extra_paths=[str(site)])
    assert where(found, tmp_path) == [("project/train.py", "LR003", 8)]


def test_installed_source_read_only_where_the_plan_found_a_tracked_class(tmp_path, monkeypatch):
    """Installed packages (on the interpreter's path, not extra_paths): the model reads the
    module defining the scheduler, never a package that merely spells "optim" (optimize)."""
    import lrlint.analysis.project as project_model
    import lrlint.runner

    site = tmp_path / "site-packages"
    files = {
        "site-packages/warmup_scheduler/__init__.py":
            "from warmup_scheduler.scheduler import GradualWarmupScheduler\n",
        "site-packages/warmup_scheduler/scheduler.py": """\
            from torch.optim.lr_scheduler import _LRScheduler


            class GradualWarmupScheduler(_LRScheduler):
                def __init__(self, optimizer, total_epoch):
                    self.total_epoch = total_epoch
                    super().__init__(optimizer)
        """,
        "site-packages/imaging/__init__.py": "from imaging.core import Image\n",
        "site-packages/imaging/core.py": """\
            class Image:
                @classmethod
                def open(cls, path, optimize=False):
                    return cls()
        """,
        "project/train.py": """\
            import torch
            from imaging import Image
            from warmup_scheduler import GradualWarmupScheduler

            picture = Image.open("x.png")
            optimizer = torch.optim.SGD(params, lr=0.1)
            scheduler = GradualWarmupScheduler(optimizer, total_epoch=5)
            for x, y in loader:
                scheduler.step()
                optimizer.step()
        """,
    }
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(lrlint.runner, "installed_roots", lambda: [str(site)])
    read = []
    worth_reading = project_model.DirectoryLocator._worth_reading

    def recording(self, root, path):
        if worth_reading(self, root, path):
            read.append(os.path.relpath(path, tmp_path))
            return True
        return False

    monkeypatch.setattr(project_model.DirectoryLocator, "_worth_reading", recording)
    found = lint_project(tmp_path, files, select=["LR003"], paths=["project"])
    assert where(found, tmp_path) == [("project/train.py", "LR003", 9)]
    assert "site-packages/warmup_scheduler/scheduler.py" in read
    assert not any(path.startswith("site-packages/imaging") for path in read)
