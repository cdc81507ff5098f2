"""LR010 plateau-mode-mismatch: a ReduceLROnPlateau mode against the metric it is stepped with."""

from __future__ import annotations

import textwrap
import warnings

import lintkit
import pytest

from lrlint.analysis.metrics import direction_of_name

HEADER = """\
import torch
from torch.optim.lr_scheduler import ReduceLROnPlateau, StepLR

model = torch.nn.Linear(10, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
"""


def lint(body: str, **kwargs):
    """LR010 on HEADER and the dedented body: the whole RunResult."""
    return lintkit.lint(HEADER + textwrap.dedent(body), "LR010", **kwargs)


def messages(body: str) -> list[str]:
    return lintkit.messages(HEADER + textwrap.dedent(body), "LR010")


@pytest.mark.parametrize("name, expected", [
    ("val_acc", "higher"), ("top1_accuracy", "higher"), ("valAcc", "higher"), ("f1", "higher"),
    ("bbox_mAP", "higher"), ("map50", "higher"), ("val/dice", "higher"), ("bleu_score", "higher"),
    ("val_loss", "lower"), ("losses", "lower"), ("perplexity", "lower"), ("top1_err", "lower"),
    ("accumulate", None), ("mapping", None), ("scored_flag", None), ("acc_loss", None),
    ("metric", None), ("accs", "higher"),
])
def test_metric_words(name, expected):
    assert direction_of_name(name) == expected


def test_min_mode_with_accuracy_quotes_factor_and_patience():
    found = messages("""
        scheduler = ReduceLROnPlateau(optimizer, factor=0.5, patience=3)
        for epoch in range(10):
            optimizer.step()
            val_acc = 0.9
            scheduler.step(val_acc)
    """)
    assert len(found) == 1
    message = found[0]
    assert "mode 'min' (the default)" in message
    assert "`val_acc`" in message and "by factor 0.5" in message
    assert "more than 3 steps" in message and "stops decreasing" in message
    assert 'mode="max"' in message


def test_max_mode_with_a_loss():
    found = messages("""
        scheduler = ReduceLROnPlateau(optimizer, "max")
        for epoch in range(10):
            optimizer.step()
            scheduler.step(val_loss.item())
    """)
    assert len(found) == 1
    assert "mode 'max' but" in found[0] and "stops increasing" in found[0]
    assert "by factor 0.1" in found[0] and "more than 10 steps" in found[0]


@pytest.mark.parametrize("metric", [
    'metrics["f1"]', "top1_accuracy", "acc_meter.avg", "float(val_acc)", "val_acc.item()",
    "np.mean(val_accs)", "self_eval.accuracy", "compute_accuracy(model)", "100 * val_acc",
    "-(1 - val_acc)",
])
def test_accuracy_shapes_in_min_mode(metric):
    assert len(messages(f"""
        scheduler = ReduceLROnPlateau(optimizer)
        for epoch in range(3):
            optimizer.step()
            scheduler.step({metric})
    """)) == 1


@pytest.mark.parametrize("metric", [
    "-val_acc", "1 - val_acc", "val_loss", "accumulated", "mapping", "metric", "top1.avg",
    "acc_loss", "(1 - val_acc)",
])
def test_silent_in_min_mode(metric):
    assert messages(f"""
        scheduler = ReduceLROnPlateau(optimizer, mode="min")
        for epoch in range(3):
            optimizer.step()
            scheduler.step({metric})
    """) == []


def test_max_mode_with_accuracy_is_right():
    assert messages("""
        scheduler = ReduceLROnPlateau(optimizer, mode="max")
        for epoch in range(3):
            optimizer.step()
            scheduler.step(val_acc)
    """) == []


def test_mode_not_constant_is_silent():
    assert messages("""
        import argparse
        args = argparse.ArgumentParser().parse_args()
        scheduler = ReduceLROnPlateau(optimizer, mode=args.mode)
        for epoch in range(3):
            optimizer.step()
            scheduler.step(val_acc)
    """) == []


def test_neutral_name_is_followed_to_its_value():
    assert len(messages("""
        scheduler = ReduceLROnPlateau(optimizer)
        for epoch in range(3):
            optimizer.step()
            metric = val_accuracy
            scheduler.step(metric)
    """)) == 1
    assert messages("""
        scheduler = ReduceLROnPlateau(optimizer)
        for epoch in range(3):
            optimizer.step()
            metric = -val_accuracy if maximise else val_loss
            scheduler.step(metric)
    """) == []


def test_a_name_contradicted_by_its_value_is_silent():
    assert messages("""
        scheduler = ReduceLROnPlateau(optimizer)
        for epoch in range(3):
            optimizer.step()
            val_score = val_loss * 1.0
            scheduler.step(val_score)
    """) == []


def test_metric_passed_through_a_helper_and_self_attribute():
    found = messages("""
        class Trainer:
            def __init__(self, optimizer):
                self.optimizer = optimizer
                self.scheduler = ReduceLROnPlateau(optimizer, patience=2)

            def end_epoch(self, metric):
                self.scheduler.step(metric)

            def fit(self):
                for epoch in range(5):
                    self.optimizer.step()
                    self.end_epoch(val_f1)
    """)
    assert len(found) == 1 and "`metric`" in found[0] and "more than 2 steps" in found[0]


def test_step_without_metric_raises_typeerror():
    found = messages("""
        scheduler = ReduceLROnPlateau(optimizer)
        for epoch in range(3):
            optimizer.step()
            scheduler.step()
    """)
    assert len(found) == 1 and "TypeError" in found[0] and "'metrics'" in found[0]


def test_step_without_metric_on_a_maybe_other_scheduler_is_silent():
    assert messages("""
        if use_plateau:
            scheduler = ReduceLROnPlateau(optimizer)
        else:
            scheduler = StepLR(optimizer, 10)
        for epoch in range(3):
            optimizer.step()
            scheduler.step()
    """) == []


def test_step_without_metric_under_isinstance_or_with_star_args_is_silent():
    assert messages("""
        scheduler = ReduceLROnPlateau(optimizer)
        for epoch in range(3):
            optimizer.step()
            if not isinstance(scheduler, ReduceLROnPlateau):
                scheduler.step()
            scheduler.step(*step_args)
    """) == []


def test_subclass_overriding_step_is_silent_but_plain_subclass_is_checked():
    base = """
        class {name}(ReduceLROnPlateau):
            {body}

        scheduler = {name}(optimizer)
        for epoch in range(3):
            optimizer.step()
            scheduler.step(val_acc)
    """
    overriding = base.format(name="Smoothed", body="def step(self, metrics=None):\n                pass")
    plain = base.format(name="Named", body="pass")
    assert messages(overriding) == []
    assert len(messages(plain)) == 1


def test_lightning_monitor_dict():
    found = messages("""
        import lightning

        class Module(lightning.LightningModule):
            def configure_optimizers(self):
                optimizer = torch.optim.Adam(self.parameters(), lr=1e-3)
                scheduler = ReduceLROnPlateau(optimizer, patience=4)
                return {"optimizer": optimizer,
                        "lr_scheduler": {"scheduler": scheduler, "monitor": "val_acc"}}
    """)
    assert len(found) == 1 and '`"val_acc"`' in found[0]
    assert messages("""
        import lightning

        class Module(lightning.LightningModule):
            def configure_optimizers(self):
                optimizer = torch.optim.Adam(self.parameters(), lr=1e-3)
                scheduler = ReduceLROnPlateau(optimizer, mode="max")
                return {"optimizer": optimizer,
                        "lr_scheduler": {"scheduler": scheduler, "monitor": "val_acc"}}
    """) == []


def test_name_alone_is_not_a_plateau_scheduler():
    assert messages("""
        class ReduceOnPlateauLike:
            def step(self, metric=None):
                pass

        scheduler = ReduceOnPlateauLike()
        scheduler.step(val_acc)
        scheduler.step()
    """) == []


@pytest.mark.parametrize("constructor, fixed", [
    ("ReduceLROnPlateau(optimizer)", 'ReduceLROnPlateau(optimizer, mode="max")'),
    ("ReduceLROnPlateau(optimizer, 'min', 0.5)", "ReduceLROnPlateau(optimizer, 'max', 0.5)"),
    ('ReduceLROnPlateau(optimizer=optimizer, patience=2)',
     'ReduceLROnPlateau(optimizer=optimizer, mode="max", patience=2)'),
])
def test_fix_shapes(constructor, fixed):
    body = f"""
        scheduler = {constructor}
        for epoch in range(3):
            optimizer.step()
            scheduler.step(val_acc)
    """
    result = lint(body, fix=True, unsafe_fixes=True)
    assert result.fixed_source is not None and f"scheduler = {fixed}" in result.fixed_source
    assert lint(body, fix=True).fixed_source is None  # unsafe only
    assert lintkit.findings(result.fixed_source, "LR010") == []


def test_no_fix_when_metrics_disagree_or_mode_is_a_name():
    disagree = lint("""
        scheduler = ReduceLROnPlateau(optimizer)
        for epoch in range(3):
            optimizer.step()
            scheduler.step(val_acc)
            scheduler.step(val_loss)
    """)
    assert len(disagree.diagnostics) == 1 and disagree.diagnostics[0].fix is None
    named = lint("""
        MODE = "min"
        scheduler = ReduceLROnPlateau(optimizer, mode=MODE)
        for epoch in range(3):
            optimizer.step()
            scheduler.step(val_acc)
    """)
    assert len(named.diagnostics) == 1 and named.diagnostics[0].fix is None


def test_the_message_matches_torch():
    """What the message claims: in mode 'min' a rising accuracy gets the LR cut after patience."""
    torch = pytest.importorskip("torch")
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=0.1)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=3)
    lrs = []
    for epoch in range(6):
        scheduler.step(0.5 + 0.05 * epoch)  # accuracy improving every epoch
        lrs.append(optimizer.param_groups[0]["lr"])
    assert lrs == [0.1, 0.1, 0.1, 0.1, 0.05, 0.05]


# -- Lightning's "monitor" -----------------------------------------------------------------------

LIGHTNING = """
    import lightning as L

    class Module(L.LightningModule):
        def training_step(self, batch, batch_idx):
            return batch.sum()

        def validation_step(self, batch, batch_idx):
            {log}

        def configure_optimizers(self):
            optimizer = torch.optim.Adam(self.parameters(), lr=1e-3)
            scheduler = ReduceLROnPlateau(optimizer, patience=4)
            return {returned}
"""


def lightning(returned: str, log: str = "pass") -> str:
    return LIGHTNING.format(returned=returned, log=log)


def test_top_level_monitor_of_a_bare_scheduler():
    [message] = messages(lightning('{"optimizer": optimizer, "lr_scheduler": scheduler, '
                                   '"monitor": "val_acc"}'))
    assert message.startswith("ReduceLROnPlateau is in mode 'min' (the default) but is stepped "
                              'with `"val_acc"`, an accuracy-like metric')


def test_a_neutral_monitor_key_is_read_from_what_is_logged_under_it():
    returned = '{"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, ' \
               '"monitor": "val/metric"}}'
    [message] = messages(lightning(returned, 'acc = (batch > 0).float().mean()\n'
                                             '            self.log("val/metric", acc)'))
    assert 'stepped with `"val/metric"` (logged as `acc`), an accuracy-like metric' in message
    assert messages(lightning(returned, 'self.log("val/metric", batch.sum())')) == []
    assert messages(lightning(returned, 'self.log_dict({"val/metric": self.val_loss})')) == []
    # the key and what is logged under it disagree: no direction
    disagreeing = returned.replace("val/metric", "val_score")
    assert messages(lightning(disagreeing, 'self.log("val_score", val_loss)')) == []


@pytest.mark.parametrize("returned, where", [
    ("[optimizer], [scheduler]", "the `[optimizers], [schedulers]` form has no place for one"),
    ('{"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "epoch"}, '
     '"monitor": "val_loss"}', 'a top-level "monitor" only applies to a bare scheduler'),
    ('[{"optimizer": optimizer, "lr_scheduler": scheduler, "monitor": "val_loss"}]',
     'a top-level "monitor" in a list of dicts is ignored'),
    ('{"optimizer": optimizer, "lr_scheduler": scheduler}', "neither in its lr_scheduler dict"),
])
def test_lightning_raises_without_a_monitor(returned, where):
    [message] = messages(lightning(returned))
    assert message.startswith("ReduceLROnPlateau is returned from configure_optimizers without "
                              'a "monitor"')
    assert where in message
    assert message.endswith("Lightning raises MisconfigurationException (\"must include a "
                            "monitor when a `ReduceLROnPlateau` scheduler is used\") when fit "
                            "starts; name the logged metric it should watch")


@pytest.mark.parametrize("text", [
    lightning('{"optimizer": optimizer, "lr_scheduler": scheduler, "monitor": "val_loss"}'),
    lightning('[optimizer], [{"scheduler": scheduler, "monitor": "val_loss"}]'),
    lightning('[optimizer], [{"scheduler": scheduler, **config}]'),
    lightning("[optimizer], [scheduler]").replace(
        "    def training_step", "    automatic_optimization = False\n\n        def training_step"),
])
def test_lightning_look_alikes(text):
    assert messages(text) == []


@pytest.mark.slow
def test_lightning_refuses_a_plateau_without_a_monitor():
    pytest.importorskip("lightning.pytorch")
    from lightning_kit import fit_snippet

    template = """
        import torch
        import lightning.pytorch as L
        from torch.optim.lr_scheduler import ReduceLROnPlateau

        class Module(L.LightningModule):
            def __init__(self):
                super().__init__()
                self.layer = torch.nn.Linear(4, 1)

            def training_step(self, batch, batch_idx):
                loss = self.layer(batch).pow(2).mean()
                self.log("train_loss", loss)
                return loss

            def configure_optimizers(self):
                optimizer = torch.optim.SGD(self.parameters(), lr=0.1)
                scheduler = ReduceLROnPlateau(optimizer)
                return {returned}
    """
    for returned in ("[optimizer], [scheduler]",
                     '[{"optimizer": optimizer, "lr_scheduler": scheduler, '
                     '"monitor": "train_loss"}]'):
        assert messages(template.format(returned=returned)) != []
        run = fit_snippet(template.format(returned=returned), "Module", epochs=1, batches=1)
        assert "must include a monitor" in str(run.error)
    fine = '{"optimizer": optimizer, "lr_scheduler": scheduler, "monitor": "train_loss"}'
    assert messages(template.format(returned=fine)) == []
    assert fit_snippet(template.format(returned=fine), "Module", epochs=1, batches=1).error is None


# -- timm's PlateauLRScheduler (mode "max" by default) -------------------------------------------

TIMM = """
    from timm.scheduler import PlateauLRScheduler

    scheduler = {constructor}
    for epoch in range(30):
        optimizer.step()
        scheduler.step({arguments})
"""


@pytest.mark.parametrize("arguments", ["epoch + 1, val_loss", "epoch, metric=val_loss.item()"])
def test_timm_plateau_stepped_with_a_loss(arguments):
    [message] = messages(TIMM.format(constructor="PlateauLRScheduler(optimizer, decay_rate=0.5)",
                                     arguments=arguments))
    assert message.startswith("timm's PlateauLRScheduler is in mode 'max' (timm's default; "
                              "torch's is 'min') but is stepped with `val_loss")
    assert "the LR is cut by factor 0.5 whenever" in message and 'use mode="min"' in message


@pytest.mark.parametrize("constructor, arguments", [
    ("PlateauLRScheduler(optimizer, mode='min')", "epoch, val_loss"),
    ("PlateauLRScheduler(optimizer)", "epoch, top1_accuracy"),
])
def test_timm_plateau_look_alikes(constructor, arguments):
    assert messages(TIMM.format(constructor=constructor, arguments=arguments)) == []


@pytest.mark.parametrize("constructor, fixed", [
    ("PlateauLRScheduler(optimizer)", 'PlateauLRScheduler(optimizer, mode="min")'),
    ("PlateauLRScheduler(optimizer, 0.5, 2)", 'PlateauLRScheduler(optimizer, 0.5, 2, mode="min")'),
    ("PlateauLRScheduler(optimizer, mode='max')", "PlateauLRScheduler(optimizer, mode='min')"),
])
def test_timm_fix_shapes(constructor, fixed):
    result = lint(TIMM.format(constructor=constructor, arguments="epoch, val_loss"), fix=True,
                  unsafe_fixes=True)
    assert result.fixed_source is not None and f"scheduler = {fixed}" in result.fixed_source


def test_timm_plateau_through_lightning_needs_reduce_on_plateau():
    template = """
        import lightning as L
        from timm.scheduler import PlateauLRScheduler

        class Module(L.LightningModule):
            def configure_optimizers(self):
                optimizer = torch.optim.Adam(self.parameters(), lr=1e-3)
                scheduler = PlateauLRScheduler(optimizer)
                return [optimizer], [{{"scheduler": scheduler, "monitor": "val_loss"{extra}}}]

            def lr_scheduler_step(self, scheduler, metric):
                scheduler.step(self.current_epoch, metric)
    """
    [message] = messages(template.format(extra=', "reduce_on_plateau": True'))
    assert message.startswith("timm's PlateauLRScheduler is in mode 'max' (timm's default; "
                              'torch\'s is \'min\') but is stepped with `"val_loss"`')
    assert messages(template.format(extra="")) == []  # Lightning passes it no metric


def test_timm_plateau_mode_is_what_timm_says():
    from schedules.timm_reference import timm_scheduler

    torch = pytest.importorskip("torch")
    timm = timm_scheduler()
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        scheduler = timm.PlateauLRScheduler(optimizer, decay_rate=0.5, patience_t=1)
    for epoch, val_loss in enumerate([1.0, 0.9, 0.8, 0.7, 0.6], start=1):  # improving
        scheduler.step(epoch, val_loss)
    assert optimizer.param_groups[0]["lr"] < 0.1  # cut while the loss falls
