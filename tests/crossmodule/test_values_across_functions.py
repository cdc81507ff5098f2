"""Miss shape 3: values and objects across functions, methods and config objects."""

from __future__ import annotations

from lintkit import findings, lint_project, where


def test_optimizer_rebuilt_in_another_method_leaves_the_scheduler_on_the_old_one():
    found = findings("""
        import torch
        from torch.optim.lr_scheduler import StepLR


        class Trainer:
            def __init__(self, model):
                self.model = model
                self.optimizer = torch.optim.SGD(model.head.parameters(), lr=0.1)
                self.scheduler = StepLR(self.optimizer, step_size=10)

            def unfreeze(self):
                self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.01)

            def fit(self, loader, epochs):
                for epoch in range(epochs):
                    if epoch == 5:
                        self.unfreeze()
                    for batch in loader:
                        self.optimizer.step()
                    self.scheduler.step()
    """, "LR014")
    assert [d.start.line for d in found] == [13]


def test_relative_lr_written_through_an_intermediate_variable_compounds():
    found = findings("""
        import torch
        optimizer = torch.optim.SGD(params, lr=0.1)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)

        for epoch in range(90):
            for batch in loader:
                optimizer.step()
            new_lr = optimizer.param_groups[0]["lr"] * 0.5
            for g in optimizer.param_groups:
                g["lr"] = new_lr
            scheduler.step()
    """, "LR015")
    assert [d.start.line for d in found] == [11]
    assert "compounds" in found[0].message


def test_warmup_written_through_an_intermediate_variable_is_a_warmup():
    assert findings("""
        import torch
        optimizer = torch.optim.AdamW(params, lr=3e-4)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=100)


        def warmup(step):
            return 3e-4 * min(1.0, step / 500)


        for step in range(100):
            if step < 500:
                lr = warmup(step)
                for g in optimizer.param_groups:
                    g["lr"] = lr
            optimizer.step()
            scheduler.step()
    """, "LR015") == []


def test_negative_lr_in_a_param_group_dict():
    found = findings("""
        import torch
        optimizer = torch.optim.SGD([
            {"params": model.backbone.parameters(), "lr": -1e-4},
            {"params": model.head.parameters()},
        ], lr=1e-3)
    """, "LR004")
    assert [d.start.line for d in found] == [4]


def test_lambda_made_by_a_closure_returns_an_absolute_lr():
    found = findings("""
        import torch
        from torch.optim.lr_scheduler import LambdaLR

        BASE_LR = 0.1


        def make_lambda(warmup, total):
            def schedule(step):
                if step < warmup:
                    return BASE_LR * step / warmup
                return BASE_LR * (1 - (step - warmup) / (total - warmup))
            return schedule


        optimizer = torch.optim.SGD(model.parameters(), lr=BASE_LR)
        scheduler = LambdaLR(optimizer, lr_lambda=make_lambda(100, 1000))
    """, "LR005")
    assert [d.start.line for d in found] == [11]


def test_parameter_default_folds_when_nobody_passes_it():
    found = findings("""
        import torch
        from torch.optim.lr_scheduler import StepLR


        def train(model, loader, num_epochs=90, gamma=10):
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            scheduler = StepLR(optimizer, step_size=30, gamma=gamma)
            for epoch in range(num_epochs):
                for x, y in loader:
                    optimizer.step()
                scheduler.step()
    """, "LR006")
    assert [d.start.line for d in found] == [8]
    assert "over 90 epochs" in found[0].message


def test_argparse_default_is_the_value_of_the_option():
    found = findings("""
        import argparse
        import torch
        from torch.optim.lr_scheduler import MultiStepLR

        parser = argparse.ArgumentParser()
        parser.add_argument("--epochs", type=int, default=100)
        parser.add_argument("--milestones", type=int, nargs="+", default=[30, 60, 90])
        parser.add_argument("--gamma", type=float, default=10.0)
        args = parser.parse_args()

        optimizer = torch.optim.SGD(params, lr=0.1)
        scheduler = MultiStepLR(optimizer, milestones=args.milestones, gamma=args.gamma)
        for epoch in range(args.epochs):
            for x, y in loader:
                optimizer.step()
            scheduler.step()
    """, "LR006")
    assert [d.start.line for d in found] == [13]
    assert "[30, 60, 90]" in found[0].message or "over 100 epochs" in found[0].message


def test_dataclass_config_default(tmp_path):
    found = lint_project(tmp_path, {
        "config.py": """\
            from dataclasses import dataclass, field


            @dataclass
            class TrainConfig:
                lr: float = 0.1
                epochs: int = 90
                gamma: float = 1.5
        """,
        "train.py": """\
            import torch
            from torch.optim.lr_scheduler import ExponentialLR
            from config import TrainConfig

            cfg = TrainConfig()
            optimizer = torch.optim.SGD(params, lr=cfg.lr)
            scheduler = ExponentialLR(optimizer, gamma=cfg.gamma)
            for epoch in range(cfg.epochs):
                for x, y in loader:
                    optimizer.step()
                scheduler.step()
        """,
    }, select=["LR006"])
    assert where(found, tmp_path) == [("train.py", "LR006", 7)]
    assert "1.5" in found[0].message


def test_module_constant_of_another_module(tmp_path):
    found = lint_project(tmp_path, {
        "settings.py": "LEARNING_RATE = -3e-4\nEPOCHS = 10\n",
        "train.py": """\
            import torch
            import settings

            optimizer = torch.optim.Adam(params, lr=settings.LEARNING_RATE)
        """,
    }, select=["LR004"])
    assert where(found, tmp_path) == [("train.py", "LR004", 4)]


def test_an_lr_valued_closure_from_another_module_is_reported_at_the_scheduler(tmp_path):
    found = lint_project(tmp_path, {
        "utils/__init__.py": "",
        "utils/schedules.py": """\
            import math


            def warmup_cosine(base_lr, warmup_steps, total_steps):
                def schedule(step):
                    if step < warmup_steps:
                        return base_lr * (step + 1) / warmup_steps
                    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
                    return 0.5 * base_lr * (1.0 + math.cos(math.pi * min(progress, 1.0)))
                return schedule
        """,
        "finetune.py": """\
            import torch
            from torch.optim.lr_scheduler import LambdaLR
            from utils.schedules import warmup_cosine


            def main(args, model, loader):
                optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
                total = args.epochs * len(loader)
                scheduler = LambdaLR(optimizer, warmup_cosine(args.lr, args.warmup, total))
        """,
    }, select=["LR005"])
    assert where(found, tmp_path) == [("finetune.py", "LR005", 9)]


STEPPER = """
    import torch


    class Stepper:
        def __init__(self, model, optimizer):
            self.model = model
            self.optimizer = optimizer

        def run_step(self, x):
            self.model(x).backward()
            self.optimizer.step()
"""


def test_an_object_stored_by_a_constructor_is_stepped_where_its_method_runs():
    # `self.optimizer` holds what the constructor was passed; its step runs in run_step,
    # called in the loop: not inside `Stepper(model, opt)`.
    loop = """

    def main(model, loader):
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        sched = torch.optim.lr_scheduler.StepLR(opt, 100)
        stepper = Stepper(model, opt)
        for x in loader:
            {first}
            {second}
"""
    bad = findings(STEPPER + loop.format(first="sched.step()", second="stepper.run_step(x)"),
                   "LR003")
    assert [f.start.line for f in bad] == [20]
    good = loop.format(first="stepper.run_step(x)", second="sched.step()")
    assert findings(STEPPER + good, "LR003") == []


def test_an_object_handed_to_a_base_class_through_super_init():
    subclass = """

    class Trainer(Stepper):
        def __init__(self, model):
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            super().__init__(model, optimizer)
            self.scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 100)

        def train(self, loader):
            for x in loader:
                self.scheduler.step()
                self.run_step(x)
"""
    [finding] = findings(STEPPER + subclass, "LR003")
    assert finding.start.line == 23
    assert "`self.scheduler.step()` runs before `self.optimizer.step()`" in finding.message
