"""LR018 scheduler-never-stepped: created, never stepped, never handed on."""

from __future__ import annotations

import pytest
from lintkit import findings, lint_project

HEADER = """\
import torch
from torch.optim import lr_scheduler

model = torch.nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
"""

TRAIN = """
for epoch in range(90):
    model(torch.randn(8, 4)).mean().backward()
    optimizer.step()
    optimizer.zero_grad()
"""


def test_forgotten_warmup_stays_at_its_initial_lr():
    source = HEADER + "scheduler = lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=5)\n" \
        + TRAIN + "    print(scheduler.get_last_lr())\ntorch.save({'s': scheduler.state_dict()}, 'c.pt')\n"
    [finding] = findings(source, "LR018")
    assert finding.message.startswith("LinearLR is created but never stepped")
    assert "(while `optimizer.step()` runs)" in finding.message
    assert "the LR stays at its initial 0.01 for the whole run" in finding.message
    assert finding.start.line == 6  # on the constructor


def test_plateau_never_reduces():
    [finding] = findings(HEADER + "plateau = lr_scheduler.ReduceLROnPlateau(optimizer)\n" + TRAIN,
                         "LR018")
    assert finding.message.endswith("so the LR is never reduced")


def test_bare_constructor_and_local_helpers_that_only_read():
    assert len(findings(HEADER + "lr_scheduler.StepLR(optimizer, step_size=30)\n" + TRAIN,
                        "LR018")) == 1
    source = HEADER + """\
def log_lr(sched, epoch):
    print(epoch, sched.get_last_lr()[0])


def main():
    scheduler = lr_scheduler.StepLR(optimizer, step_size=30)
    for epoch in range(90):
        optimizer.step()
        log_lr(scheduler, epoch)
        if scheduler is not None:
            print(f"{scheduler}")
"""
    assert len(findings(source, "LR018")) == 1


@pytest.mark.parametrize("tail", [
    "scheduler.step()",  # stepped
    "alias = scheduler\n    alias.step()",  # through an alias
    "getattr(scheduler, 'step')()",  # passed to a call lrlint cannot see into
    "callbacks.append(scheduler)",
    "trainer = Trainer(model, optimizer, scheduler)",
    "model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)",
    "state = {'scheduler': scheduler}",
    "schedulers = [scheduler]",
    "engine.scheduler = scheduler",
    "engine.scheduler.step()",  # a step the model cannot resolve, on the same name
])
def test_any_escape_or_step_keeps_it_silent(tail):
    source = HEADER + "scheduler = lr_scheduler.StepLR(optimizer, step_size=30)\n" + TRAIN + "    " + tail + "\n"
    assert findings(source, "LR018") == []


def test_returned_schedulers_are_handed_on():
    source = HEADER + """\
def configure_optimizers(model):
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    opt.step()
    return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def build(model):
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    opt.step()
    return opt, lr_scheduler.StepLR(opt, 30)
"""
    assert findings(source, "LR018") == []


def test_forwarded_through_a_local_function_to_an_unknown_one():
    source = HEADER + """\
def run(sched):
    fit(model, optimizer, sched)


scheduler = lr_scheduler.StepLR(optimizer, step_size=30)
run(scheduler)
""" + TRAIN
    assert findings(source, "LR018") == []


def test_children_of_a_composite_are_stepped_by_it():
    composed = HEADER + """\
warmup = lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=5)
decay = lr_scheduler.CosineAnnealingLR(optimizer, T_max=85)
scheduler = lr_scheduler.SequentialLR(optimizer, [warmup, decay], milestones=[5])
""" + TRAIN
    [finding] = findings(composed, "LR018")  # only the parent, which nothing steps
    assert finding.message.startswith("SequentialLR is created but never stepped")
    assert findings(composed + "    scheduler.step()\n", "LR018") == []


def test_no_finding_when_the_optimizer_is_not_stepped_here_either():
    source = HEADER + "scheduler = lr_scheduler.StepLR(optimizer, step_size=30)\n"
    assert findings(source, "LR018") == []


def test_hugging_face_trainer_subclass_attribute_is_stepped_by_the_base_class():
    source = """\
import torch
from transformers import Trainer, get_linear_schedule_with_warmup


class MyTrainer(Trainer):
    def create_optimizer_and_scheduler(self, num_training_steps):
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=5e-5)
        self.lr_scheduler = get_linear_schedule_with_warmup(self.optimizer, 0, num_training_steps)
        self.optimizer.step()
"""
    assert findings(source, "LR018") == []


TRAINER = """\
import torch
from torch.optim.lr_scheduler import StepLR


class Trainer:
    def __init__(self, model, loader):
        self.model = model
        self.loader = loader
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        self.scheduler = StepLR(self.optimizer, step_size=30)
{methods}"""


def test_a_class_that_owns_the_epoch_loop_and_forgets_its_scheduler():
    methods = """
    def fit(self, epochs):
        for epoch in range(epochs):
            for batch in self.loader:
                self.model(batch).mean().backward()
                self.optimizer.step()
"""
    [finding] = findings(TRAINER.format(methods=methods), "LR018")
    assert finding.message.startswith("StepLR is created but never stepped")


def test_a_class_without_the_epoch_loop_may_be_driven_from_outside():
    methods = """
    def train_step(self, batch):
        self.model(batch).mean().backward()
        self.optimizer.step()
"""
    assert findings(TRAINER.format(methods=methods), "LR018") == []


def test_scheduler_passed_to_a_class_that_steps_it():
    source = HEADER + """\
class Runner:
    def __init__(self, optimizer, scheduler):
        self.optimizer = optimizer
        self.scheduler = scheduler

    def run(self):
        for epoch in range(10):
            self.optimizer.step()
            self.scheduler.step()


runner = Runner(optimizer, lr_scheduler.StepLR(optimizer, 3))
"""
    assert findings(source, "LR018") == []


def test_transformers_get_scheduler_never_stepped():
    source = HEADER + """\
from transformers import get_scheduler
lr_scheduler = get_scheduler("cosine", optimizer, num_warmup_steps=0, num_training_steps=100)
""" + TRAIN
    [finding] = findings(source, "LR018")
    assert finding.message.startswith("get_scheduler is created but never stepped")


def test_a_warmup_from_zero_never_stepped_never_trains():
    source = HEADER + """\
from transformers import get_linear_schedule_with_warmup
scheduler = get_linear_schedule_with_warmup(optimizer, 100, 1000)
""" + TRAIN
    [finding] = findings(source, "LR018")
    assert finding.message.endswith("its warm-up starts at LR 0 and stays there, so the model "
                                    "does not train")


# -- Lightning: manual optimization --------------------------------------------------------------

MANUAL = """\
import lightning as L
import torch
from torch.optim.lr_scheduler import CosineAnnealingLR, StepLR


class GAN(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.automatic_optimization = False
        self.layer = torch.nn.Linear(4, 1)

    def training_step(self, batch, batch_idx):
        optimizer = self.optimizers()
        optimizer.zero_grad()
        self.manual_backward(self.layer(batch).pow(2).mean())
        optimizer.step()
        {step}

    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
        {configure}
"""


def manual(step: str = "pass", configure: str = "return [optimizer], [StepLR(optimizer, 1)]"):
    return MANUAL.format(step=step, configure=configure)


@pytest.mark.parametrize("configure", [
    "return [optimizer], [StepLR(optimizer, 1, gamma=0.5)]",
    'return {"optimizer": optimizer, "lr_scheduler": StepLR(optimizer, 1, gamma=0.5)}',
    'return {"optimizer": optimizer, "lr_scheduler": {"scheduler": StepLR(optimizer, 1, '
    'gamma=0.5), "interval": "step"}}',
    "scheduler = StepLR(optimizer, 1, gamma=0.5)\n        return [optimizer], [scheduler]",
])
def test_manual_optimization_never_steps_a_returned_scheduler(configure):
    [finding] = findings(manual(configure=configure), "LR018")
    assert finding.message == (
        "StepLR is returned from configure_optimizers, but this LightningModule uses manual "
        "optimization (`automatic_optimization = False`), where Lightning never steps "
        "schedulers, and nothing calls `self.lr_schedulers().step()` or steps it otherwise: "
        "the LR stays at its initial 0.1 for the whole run")


@pytest.mark.parametrize("step", [
    "self.lr_schedulers().step()",
    "if self.trainer.is_last_batch:\n            self.lr_schedulers().step()",
    "scheduler = self.lr_schedulers()\n        scheduler.step()",
    "self.trainer.lr_scheduler_configs[0].scheduler.step()",
    "self.lr_scheduler_step(self.lr_schedulers(), None)",
])
def test_stepped_by_hand_under_manual_optimization(step):
    assert findings(manual(step), "LR018") == []


def test_each_of_several_schedulers_must_be_stepped():
    configure = ("return [optimizer, optimizer], [StepLR(optimizer, 1), "
                 "CosineAnnealingLR(optimizer, 10)]")
    step = "generator_schedule, critic_schedule = self.lr_schedulers()\n" \
           "        generator_schedule.step()"
    source = manual(step, configure)
    [finding] = findings(source, "LR018")
    line = source.splitlines()[finding.start.line - 1]
    assert line[finding.start.column - 1:].startswith("CosineAnnealingLR(optimizer, 10)")
    assert finding.message.startswith("CosineAnnealingLR is returned")
    assert findings(manual(step + "\n        critic_schedule.step()", configure), "LR018") == []
    every = manual("for s in self.lr_schedulers():\n            s.step()", configure)
    assert findings(every, "LR018") == []


def test_reported_where_it_is_returned_to_lightning():
    configure = ("scheduler = StepLR(optimizer, 1)\n"
                 "        return [optimizer], [scheduler]")
    source = manual(configure=configure)
    [finding] = findings(source, "LR018")
    line = source.splitlines()[finding.start.line - 1]
    assert line.strip() == "return [optimizer], [scheduler]"
    assert line[finding.start.column - 1:] == "scheduler]"


@pytest.mark.parametrize("step", [
    "pl_module.lr_schedulers().step()",
    "trainer.lr_scheduler_configs[0].scheduler.step()",
    "pl_module.sched.step()",
])
def test_a_callback_may_step_it(tmp_path, step):
    # The callback spells no torch word: the run's plan does not model it, and no import ties
    # it to the module (Lightning hands it pl_module); its bytes say it may step the scheduler.
    files = {
        "model.py": manual(configure="return [optimizer], [StepLR(optimizer, 1)]"),
        "callbacks.py": f"""\
            import lightning as L


            class StepSchedulers(L.Callback):
                def on_train_epoch_end(self, trainer, pl_module):
                    {step}
        """}
    assert lint_project(tmp_path, files, select=["LR018"]) == []
    files["callbacks.py"] = files["callbacks.py"].replace(step, "pl_module.log('x', 1)")
    assert len(lint_project(tmp_path, files, select=["LR018"])) == 1


def test_an_unresolved_step_on_a_scheduler_like_name_may_step_it():
    text = manual(configure="self.scheduler = StepLR(optimizer, 1)\n"
                            "        return [optimizer], [self.scheduler]")
    callback = """

class StepSchedulers(L.Callback):
    def on_train_epoch_end(self, trainer, pl_module):
        pl_module.{attribute}.step()
"""
    assert findings(text + callback.format(attribute="scheduler"), "LR018") == []
    assert len(findings(text + callback.format(attribute="ema"), "LR018")) == 1


@pytest.mark.parametrize("text", [
    manual().replace("        self.automatic_optimization = False\n", ""),  # Lightning steps it
    manual().replace("self.automatic_optimization = False", "self.automatic_optimization = "
                     "config.manual"),  # not known
    manual().replace("    def training_step", "    def _training_step"),  # an abstract base
])
def test_lightning_look_alikes(text):
    assert findings(text, "LR018") == []


def test_another_module_stepping_its_own_schedulers_does_not_count():
    other = manual("self.lr_schedulers().step()").replace("class GAN", "class Other")
    assert len(findings(manual() + "\n\n" + other, "LR018")) == 1


@pytest.mark.slow
def test_lightning_never_steps_it_under_manual_optimization():
    pytest.importorskip("lightning.pytorch")
    from lightning_kit import fit_snippet

    source = manual(configure="return [optimizer], [StepLR(optimizer, 1, gamma=0.5)]")
    run = fit_snippet(source.replace("import lightning as L", "import lightning.pytorch as L"),
                      "GAN", epochs=3, batches=2)
    assert run.error is None and run.lrs == [0.1] * 6
    stepped = fit_snippet(manual("self.lr_schedulers().step()", "return [optimizer], "
                                 "[StepLR(optimizer, 1, gamma=0.5)]"), "GAN", epochs=2, batches=2)
    assert stepped.lrs == pytest.approx([0.1, 0.05, 0.025, 0.0125])


FACTORY = """\
def build_scheduler(opt):
    return lr_scheduler.StepLR(opt, step_size=30)


def build_named(opt):
    sched = lr_scheduler.StepLR(opt, step_size=30)
    return sched


def main():
    scheduler = {build}(optimizer)
    for epoch in range(90):
        model(torch.randn(8, 4)).mean().backward()
        optimizer.step()
        optimizer.zero_grad()
        {tail}
"""


@pytest.mark.parametrize(("build", "line"), [("build_scheduler", 7), ("build_named", 11)])
def test_a_factory_result_that_its_caller_never_steps(build, line):
    source = HEADER + FACTORY.format(build=build, tail="print(scheduler.get_last_lr())")
    [finding] = findings(source, "LR018")
    assert finding.start.line == line  # where it is built
    assert "it is returned to `scheduler`, where nothing calls its `step()`" in finding.message


@pytest.mark.parametrize("tail", [
    "scheduler.step()",
    "fit(model, scheduler)",  # a function lrlint cannot see into
    "schedulers = [scheduler]",
])
def test_a_factory_result_that_its_caller_steps_or_hands_on(tail):
    source = HEADER + FACTORY.format(build="build_scheduler", tail=tail)
    assert findings(source, "LR018") == []


def test_one_caller_handing_the_factory_result_on_is_enough():
    source = HEADER + FACTORY.format(build="build_scheduler", tail="pass") + """

def other():
    return build_scheduler(optimizer)
"""
    assert findings(source, "LR018") == []


ENGINE = """\
def do_train(model, loader, optimizer, scheduler=None):
    for images, targets in loader:
        model(images, targets).backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
"""

SOLVER = """\
import torch


def build_optimizer(model):
    return torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)


def build_lr_scheduler(optimizer):
    return torch.optim.lr_scheduler.MultiStepLR(optimizer, [60000, 80000], gamma=0.1)
"""

TRAIN_NET = """\
from engine import do_train
from solver import build_lr_scheduler, build_optimizer


def main(model, loader):
    optimizer = build_optimizer(model)
    scheduler = build_lr_scheduler(optimizer)
    do_train(model, loader, optimizer{passed})
"""


def test_a_scheduler_built_in_one_module_and_forgotten_in_another(tmp_path):
    files = {"pyproject.toml": "", "engine.py": ENGINE, "solver.py": SOLVER,
             "train_net.py": TRAIN_NET.format(passed="")}
    [finding] = [d for d in lint_project(tmp_path, files, select=["LR018"]) if d.code]
    assert (finding.path.endswith("solver.py"), finding.start.line) == (True, 9)
    assert "it is returned to `scheduler` (train_net.py), where nothing calls" in finding.message
    passed = dict(files, **{"train_net.py": TRAIN_NET.format(passed=", scheduler")})
    assert [d for d in lint_project(tmp_path, passed, select=["LR018"]) if d.code] == []


def test_a_factory_result_kept_on_self_by_its_caller_may_be_stepped_from_outside(tmp_path):
    trainer = """\
import torch

from solver import build_lr_scheduler, build_optimizer


class Trainer:
    def setup(self, model):
        self.optimizer = build_optimizer(model)
        scheduler = build_lr_scheduler(self.optimizer)
        self.scheduler = scheduler

    def train_step(self, loss):
        loss.backward()
        self.optimizer.step()
"""
    files = {"pyproject.toml": "", "solver.py": SOLVER, "trainer.py": trainer}
    assert [d for d in lint_project(tmp_path, files, select=["LR018"]) if d.code] == []


def test_the_branches_of_a_factory_make_one_finding():
    source = HEADER + """\
def build_scheduler(opt, name):
    if name == "step":
        return lr_scheduler.MultiStepLR(opt, milestones=[30, 60])
    return lr_scheduler.CosineAnnealingLR(opt, T_max=90)


scheduler = build_scheduler(optimizer, "step")
""" + TRAIN
    [finding] = findings(source, "LR018")
    assert finding.start.line == 8
    assert finding.message.startswith(
        "MultiStepLR or CosineAnnealingLR (whichever the factory builds) is created but never "
        "stepped: it is returned to `scheduler`, where nothing calls its `step()`")
