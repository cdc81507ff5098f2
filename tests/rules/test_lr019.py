"""LR019 lightning-scheduler-interval: Lightning steps a schedule in the other unit than the one
it is sized in (the default "epoch" interval for a per-step schedule, "interval" in the wrong
dict, "step" for an epoch schedule). The Lightning checks at the end run the snippets under a
real Trainer and skip without Lightning."""

from __future__ import annotations

import pytest
from lintkit import findings, fixed, lint_project, where

HEADER = """\
import lightning as L
import torch
from torch.optim.lr_scheduler import CosineAnnealingLR, OneCycleLR, StepLR


class Model(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)

    def training_step(self, batch, batch_idx):
        return self.layer(batch).pow(2).mean()

    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
"""
ONE_CYCLE = ("        scheduler = OneCycleLR(optimizer, max_lr=0.1, "
             "total_steps=self.trainer.estimated_stepping_batches)\n")
COSINE_EPOCHS = "        scheduler = CosineAnnealingLR(optimizer, T_max=self.trainer.max_epochs)\n"


def module(*lines: str) -> str:
    return HEADER + "".join(f"        {line}\n" for line in lines)


def at(source: str, line: int, text: str) -> tuple[int, int]:
    """The (line, 1-based column) of ``text`` on ``line`` of ``source``."""
    return line, source.splitlines()[line - 1].index(text) + 1


def one_cycle(returned: str) -> str:
    return HEADER + ONE_CYCLE + f"        return {returned}\n"


# -- (a) a per-step schedule at Lightning's default interval ------------------------------------


@pytest.mark.parametrize("returned", [
    '{"optimizer": optimizer, "lr_scheduler": scheduler}',
    '{"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler}}',
    '{"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "monitor": "val_loss"}}',
    "[optimizer], [scheduler]",
    "([optimizer], [scheduler])",
    "[optimizer], scheduler",
    '[optimizer], [{"scheduler": scheduler, "frequency": 1}]',
    '[{"optimizer": optimizer, "lr_scheduler": scheduler}]',
    'dict(optimizer=optimizer, lr_scheduler=dict(scheduler=scheduler))',
])
def test_every_return_shape_at_the_default_interval(returned):
    [finding] = findings(one_cycle(returned), "LR019")
    assert finding.start.line == 16  # the constructor
    assert finding.message.startswith(
        "OneCycleLR is sized in optimizer steps (`total_steps=self.trainer.estimated_stepping_"
        "batches`) but is returned to Lightning without `\"interval\": \"step\"`, so Lightning "
        "steps it once per epoch (Lightning's default interval)")
    assert "the LR never comes down from its warm-up (with 4 or more optimizer steps" \
        in finding.message


def test_names_and_helpers_that_build_the_configuration():
    source = HEADER + ONE_CYCLE + """\
        config = {"scheduler": scheduler}
        optimizers, schedulers = [optimizer], [config]
        return self._pack(optimizers, schedulers)

    def _pack(self, optimizers, schedulers):
        return optimizers, schedulers
"""
    assert len(findings(source, "LR019")) == 1


@pytest.mark.parametrize("sizing", [
    "OneCycleLR(optimizer, max_lr=0.1, epochs=self.trainer.max_epochs, "
    "steps_per_epoch=len(self.train_dataloader()))",
    "CosineAnnealingLR(optimizer, T_max=self.trainer.max_steps)",
    "StepLR(optimizer, step_size=self.trainer.num_training_batches * 30)",
    "get_linear_schedule_with_warmup(optimizer, 100, self.trainer.estimated_stepping_batches)",
    "get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=500, "
    "num_training_steps=self.trainer.max_epochs * len(self.trainer.datamodule.train_dataloader()))",
])
def test_schedules_sized_in_optimizer_steps(sizing):
    source = HEADER.replace("import torch\n", "import torch\nfrom transformers import "
                            "get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup\n") \
        + f"        return [optimizer], [{sizing}]\n"
    [finding] = findings(source, "LR019")
    assert "is sized in optimizer steps" in finding.message


def test_hugging_face_warmup_message_counts_its_warmup_in_epochs():
    source = HEADER.replace("import torch\n", "import torch\nfrom transformers import "
                            "get_linear_schedule_with_warmup\n") + """\
        scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=500,
                                                    num_training_steps=self.trainer.max_steps)
        return {"optimizer": optimizer, "lr_scheduler": scheduler}
"""
    [finding] = findings(source, "LR019")
    assert finding.message.endswith("its warm-up of 500 steps alone lasts 500 epochs")


def test_explicit_epoch_interval_is_flagged_and_fixed_unsafely():
    source = one_cycle('{"optimizer": optimizer, '
                       '"lr_scheduler": {"scheduler": scheduler, "interval": "epoch"}}')
    [finding] = findings(source, "LR019")
    assert (finding.start.line, finding.start.column) == at(source, 17, '"interval"')
    assert 'is returned to Lightning with `"interval": "epoch"`, so Lightning steps it once ' \
           'per epoch:' in finding.message
    assert finding.fix.applicability == "unsafe"
    assert fixed(source, "LR019") is None
    assert '"interval": "step"}}' in fixed(source, "LR019", unsafe=True)


def test_a_trainer_in_the_linted_modules_gives_the_number_of_epochs():
    script = one_cycle("[optimizer], [scheduler]") + """

if __name__ == "__main__":
    L.Trainer(max_epochs=20).fit(Model())
"""
    assert findings(script.replace("self.trainer.estimated_stepping_batches", "20 * 500"),
                    "LR019") == []  # a literal length says no unit
    [finding] = findings(script.replace("self.trainer.estimated_stepping_batches",
                                        "self.trainer.max_epochs * len(self.train_dataloader())"),
                         "LR019")
    assert "in its 20 epochs it takes 20 steps, 1/(optimizer steps per epoch) of its curve" \
        in finding.message


def test_scheduler_built_in_another_method_and_in_another_module(tmp_path):
    diagnostics = lint_project(tmp_path, {
        "schedules.py": """\
            from torch.optim.lr_scheduler import OneCycleLR


            def build_scheduler(optimizer, total_steps):
                return OneCycleLR(optimizer, max_lr=0.1, total_steps=total_steps)
        """,
        "model.py": """\
            import lightning as L
            import torch
            from schedules import build_scheduler


            class Model(L.LightningModule):
                def training_step(self, batch, batch_idx):
                    return batch.sum()

                def setup(self, stage):
                    self.steps = self.trainer.estimated_stepping_batches

                def configure_optimizers(self):
                    optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
                    scheduler = build_scheduler(optimizer, self.trainer.estimated_stepping_batches)
                    return [optimizer], [scheduler]
        """,
        "other.py": """\
            import lightning as L
            import torch
            from torch.optim.lr_scheduler import OneCycleLR


            class Other(L.LightningModule):
                def setup(self, stage):
                    optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
                    self.optimizer = optimizer
                    self.scheduler = OneCycleLR(optimizer, max_lr=0.1,
                                                total_steps=self.trainer.estimated_stepping_batches)

                def configure_optimizers(self):
                    return {"optimizer": self.optimizer, "lr_scheduler": self.scheduler}
        """}, select=["LR019"])
    # In model.py the scheduler is reported where it is returned; in other.py at its
    # constructor; schedules.py holds no LightningModule.
    assert where(diagnostics, tmp_path) == [("model.py", "LR019", 16), ("other.py", "LR019", 10)]


def test_configure_optimizers_of_a_base_class():
    source = """\
        import pytorch_lightning as pl
        import torch
        from torch.optim.lr_scheduler import OneCycleLR


        class Base(pl.LightningModule):
            def configure_optimizers(self):
                optimizer = torch.optim.Adam(self.parameters())
                scheduler = OneCycleLR(optimizer, 1e-3, total_steps=self.trainer.max_steps)
                return [optimizer], [scheduler]


        class Model(Base):
            def training_step(self, batch, batch_idx):
                return batch.sum()
    """
    assert len(findings(source, "LR019")) == 1


# -- (b) "interval" in the top-level dict -------------------------------------------------------


def test_interval_in_the_top_level_dict_is_dropped():
    source = one_cycle('{"optimizer": optimizer, "lr_scheduler": scheduler, "interval": "step"}')
    [finding] = findings(source, "LR019")
    assert (finding.start.line, finding.start.column) == at(source, 17, '"interval"')
    assert finding.message.startswith(
        '`"interval": "step"` is a key of the top-level dict of configure_optimizers\' return '
        'value, where Lightning ignores it ("Found unsupported keys in the optimizer '
        'configuration"): it belongs in the `lr_scheduler` dict, so OneCycleLR keeps the '
        "default interval and is stepped once per epoch")
    assert fixed(source, "LR019").endswith(
        '        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, '
        '"interval": "step"}}\n')


@pytest.mark.parametrize("returned, after", [
    ('{"optimizer": optimizer, "interval": "step", "lr_scheduler": {"scheduler": scheduler}}',
     '{"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}'),
    ("{'optimizer': optimizer,\n                'lr_scheduler': scheduler,\n"
     "                'interval': 'step',  # per batch\n        }",
     "{'optimizer': optimizer,\n                'lr_scheduler': {'scheduler': scheduler, "
     "'interval': 'step'},  # per batch\n        }"),
])
def test_moving_the_interval_keeps_the_layout(returned, after):
    assert fixed(one_cycle(returned), "LR019") == one_cycle(after)


def test_moving_the_interval_into_a_named_dict():
    source = HEADER + ONE_CYCLE + """\
        config = {"scheduler": scheduler, "frequency": 1}
        return {"optimizer": optimizer, "lr_scheduler": config, "interval": "step"}
"""
    result = fixed(source, "LR019")
    assert 'config = {"scheduler": scheduler, "interval": "step", "frequency": 1}' in result
    assert 'return {"optimizer": optimizer, "lr_scheduler": config}' in result
    assert findings(result, "LR019") == []


def test_top_level_interval_on_an_epoch_schedule_is_left_alone():
    source = HEADER + COSINE_EPOCHS + \
        '        return {"optimizer": optimizer, "lr_scheduler": scheduler, "interval": "step"}\n'
    assert findings(source, "LR019") == []


# -- (c) an epoch schedule stepped per optimizer step -------------------------------------------


@pytest.mark.parametrize("sizing", [
    "CosineAnnealingLR(optimizer, T_max=self.trainer.max_epochs)",
    "StepLR(optimizer, step_size=self.hparams.lr_decay_epochs)",
])
def test_epoch_schedule_at_interval_step(sizing):
    source = HEADER + f"""\
        scheduler = {sizing}
        return {{"optimizer": optimizer, "lr_scheduler": {{"scheduler": scheduler, "interval": "step"}}}}
"""
    [finding] = findings(source, "LR019")
    assert (finding.start.line, finding.start.column) == at(source, 17, '"interval"')
    assert "is sized in epochs" in finding.message
    assert 'with `"interval": "step"`, so Lightning steps it after every optimizer step' \
        in finding.message
    assert finding.fix.applicability == "unsafe"
    assert '"interval": "epoch"' in fixed(source, "LR019", unsafe=True)


def test_an_explicit_interval_is_reported_where_it_is_written():
    source = HEADER + """\
        scheduler = CosineAnnealingLR(
            optimizer, T_max=self.trainer.max_epochs, eta_min=1e-6
        )
        return {
            "optimizer": optimizer,
            "lr_scheduler": {"scheduler": scheduler, "interval": "step", "frequency": 1},
        }
"""
    [finding] = findings(source, "LR019")
    assert (finding.start.line, finding.start.column) == at(source, 21, '"interval"')
    keyword_form = HEADER + COSINE_EPOCHS + """\
        return dict(optimizer=optimizer,
                    lr_scheduler=dict(scheduler=scheduler, interval="step"))
"""
    [finding] = findings(keyword_form, "LR019")
    assert (finding.start.line, finding.start.column) == at(keyword_form, 18, "interval=")


# -- look-alikes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source", [
    one_cycle('{"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, '
              '"interval": "step"}}'),
    one_cycle('[optimizer], [{"scheduler": scheduler, "interval": "step"}]'),
    HEADER + ONE_CYCLE + '        config = {"scheduler": scheduler}\n'
    '        config["interval"] = "step"\n        return [optimizer], [config]\n',
    HEADER + COSINE_EPOCHS + "        return [optimizer], [scheduler]\n",
    # the interval is not a constant: solo-learn sizes and steps by the same variable
    HEADER + ONE_CYCLE + '        return [optimizer], [{"scheduler": scheduler, '
    '"interval": self.interval}]\n',
    HEADER + ONE_CYCLE + '        extra = {"interval": "step"}\n'
    '        return [optimizer], [{"scheduler": scheduler, **extra}]\n',
    # a literal length, a name that says nothing
    HEADER + "        return [optimizer], [OneCycleLR(optimizer, 0.1, total_steps=10000)]\n",
    HEADER + "        return [optimizer], [OneCycleLR(optimizer, 0.1, "
    "total_steps=self.hparams.total_steps)]\n",
])
def test_look_alikes(source):
    assert findings(source, "LR019") == []


def test_custom_scheduler_named_in_epochs_is_not_judged():
    # ClimaX: warmup_epochs/max_epochs hold step counts, with "interval": "step".
    source = """\
        import lightning as L
        import torch
        from torch.optim.lr_scheduler import _LRScheduler


        class LinearWarmupCosineAnnealingLR(_LRScheduler):
            def __init__(self, optimizer, warmup_epochs, max_epochs):
                self.warmup_epochs, self.max_epochs = warmup_epochs, max_epochs
                super().__init__(optimizer)


        class Forecast(L.LightningModule):
            def configure_optimizers(self):
                optimizer = torch.optim.AdamW(self.parameters(), lr=5e-4)
                lr_scheduler = LinearWarmupCosineAnnealingLR(
                    optimizer, self.hparams.warmup_epochs, self.hparams.max_epochs)
                scheduler = {"scheduler": lr_scheduler, "interval": "step", "frequency": 1}
                return {"optimizer": optimizer, "lr_scheduler": scheduler}
    """
    assert findings(source, "LR019") == []


def test_an_epoch_count_too_large_to_be_epochs():
    source = HEADER.replace("class Model", "MAX_EPOCHS = 200_000\n\n\nclass Model") + """\
        scheduler = CosineAnnealingLR(optimizer, T_max=MAX_EPOCHS)
        return [optimizer], [{"scheduler": scheduler, "interval": "step"}]
"""
    assert findings(source, "LR019") == []


def test_manual_optimization_and_own_hooks_are_not_judged():
    manual = one_cycle("[optimizer], [scheduler]").replace(
        "        self.layer = torch.nn.Linear(4, 1)\n",
        "        self.layer = torch.nn.Linear(4, 1)\n        self.automatic_optimization = False\n")
    assert findings(manual, "LR019") == []
    silent = one_cycle("[optimizer], [scheduler]") + \
        "\n    def lr_scheduler_step(self, scheduler, metric):\n        pass\n"
    assert findings(silent, "LR019") == []
    forwarding = one_cycle("[optimizer], [scheduler]") + \
        "\n    def lr_scheduler_step(self, scheduler, metric):\n        scheduler.step()\n"
    assert len(findings(forwarding, "LR019")) == 1


def test_timm_scheduler_driven_through_the_hook():
    source = """\
        import lightning as L
        import torch
        from timm.scheduler import CosineLRScheduler


        class Model(L.LightningModule):
            def training_step(self, batch, batch_idx):
                return batch.sum()

            def configure_optimizers(self):
                optimizer = torch.optim.AdamW(self.parameters(), lr=1e-3)
                scheduler = CosineLRScheduler(optimizer, t_initial=self.trainer.estimated_stepping_batches,
                                              t_in_epochs=False)
                return [optimizer], [{"scheduler": scheduler, "interval": "step"}]

            def lr_scheduler_step(self, scheduler, metric):
                scheduler.step_update(num_updates=self.global_step)
    """
    assert findings(source, "LR019") == []


def test_a_manual_step_is_left_to_lr020():
    source = one_cycle("[optimizer], [scheduler]").replace(
        "return self.layer(batch).pow(2).mean()",
        "self.lr_schedulers().step()\n        return self.layer(batch).pow(2).mean()")
    assert findings(source, "LR019") == []
    assert len(findings(source, "LR020")) == 1


def test_fixes_leave_nothing_to_fix():
    for returned in ('{"optimizer": optimizer, "lr_scheduler": scheduler}',
                     '[optimizer], [{"scheduler": scheduler, "frequency": 1}]',
                     "[optimizer], [scheduler]",
                     "dict(optimizer=optimizer, lr_scheduler=dict(scheduler=scheduler))"):
        result = fixed(one_cycle(returned), "LR019")
        assert result is not None and findings(result, "LR019") == []


# -- against Lightning itself --------------------------------------------------------------------


@pytest.mark.slow
def test_lightning_steps_as_the_rule_says():
    pytest.importorskip("lightning.pytorch")
    from lightning_kit import changes, fit_snippet

    epochs, batches = 3, 4
    default = fit_snippet(one_cycle('{"optimizer": optimizer, "lr_scheduler": scheduler}'),
                          "Model", epochs, batches)
    assert changes(default.lrs) == epochs - 1  # once per epoch: the LR never leaves the warm-up
    assert all(len(set(epoch)) == 1 for epoch in default.per_epoch(batches))
    assert max(default.lrs) < 0.1
    fixed_run = fit_snippet(fixed(one_cycle('{"optimizer": optimizer, "lr_scheduler": '
                                            'scheduler}'), "LR019"), "Model", epochs, batches)
    assert changes(fixed_run.lrs) == epochs * batches - 1 and max(fixed_run.lrs) > 0.09

    top_level = fit_snippet(one_cycle('{"optimizer": optimizer, "lr_scheduler": scheduler, '
                                      '"interval": "step"}'), "Model", epochs, batches)
    assert "Found unsupported keys in the optimizer configuration: {'interval'}" \
        in top_level.warnings
    assert top_level.lrs == default.lrs

    squeezed = fit_snippet(HEADER + COSINE_EPOCHS + '        return {"optimizer": optimizer, '
                           '"lr_scheduler": {"scheduler": scheduler, "interval": "step"}}\n',
                           "Model", epochs, batches)
    assert squeezed.lrs[epochs] == pytest.approx(0.0, abs=1e-12)  # T_max=3 steps, not epochs
    assert squeezed.lrs[2 * epochs] == pytest.approx(0.1)  # and back up: it oscillates
