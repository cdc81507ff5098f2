"""LR014 stale-optimizer: the optimizer is re-created after its scheduler was built."""

from __future__ import annotations

import textwrap

import lintkit
import pytest

HEADER = """\
import torch
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR, StepLR

model = torch.nn.Linear(10, 1)
"""


def messages(body: str) -> list[str]:
    """The messages of LR014 on HEADER and the dedented body."""
    return lintkit.messages(HEADER + textwrap.dedent(body), "LR014")


def test_recreated_after_unfreezing_quotes_both_optimizers():
    found = messages("""
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        scheduler = CosineAnnealingLR(optimizer, T_max=20)
        for epoch in range(20):
            if epoch == 5:
                optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
            optimizer.step()
            scheduler.step()
    """)
    assert len(found) == 1
    message = found[0]
    assert message.startswith("`optimizer` is rebound to a new Adam after CosineAnnealingLR")
    assert "the Adam (lr=1e-3)" in message and "stays at lr=1e-4" in message
    assert "`scheduler.step()`" in message and "`optimizer.step()`" in message


def test_straight_line_rebinding_before_the_loop():
    found = messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(optimizer, step_size=30)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        for epoch in range(90):
            optimizer.step()
            scheduler.step()
    """)
    assert len(found) == 1 and "new SGD" in found[0]


def test_self_attribute_rebound_in_another_method():
    found = messages("""
        class Trainer:
            def __init__(self):
                self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
                self.scheduler = StepLR(self.optimizer, 10)

            def unfreeze(self):
                self.optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

            def fit(self):
                for epoch in range(30):
                    if epoch == 10:
                        self.unfreeze()
                    self.optimizer.step()
                    self.scheduler.step()
    """)
    assert len(found) == 1 and found[0].startswith("`self.optimizer` is rebound")


def test_training_in_a_helper_reading_globals():
    found = messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(optimizer, 10)

        def train():
            for epoch in range(30):
                optimizer.step()
                scheduler.step()

        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        train()
    """)
    assert len(found) == 1 and "new Adam" in found[0]


def test_scheduler_rebuilt_on_the_new_optimizer_is_silent():
    assert messages("""
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        scheduler = CosineAnnealingLR(optimizer, T_max=20)
        for epoch in range(20):
            if epoch == 5:
                optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
                scheduler = CosineAnnealingLR(optimizer, T_max=15)
            optimizer.step()
            scheduler.step()
    """) == []


def test_second_phase_without_the_old_scheduler_is_silent():
    assert messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(optimizer, 10)
        for epoch in range(30):
            optimizer.step()
            scheduler.step()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.001)
        for epoch in range(5):
            optimizer.step()
    """) == []


def test_each_run_building_its_own_optimizer_and_scheduler_is_silent():
    assert messages("""
        for run in range(3):
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            scheduler = StepLR(optimizer, 10)
            for epoch in range(30):
                optimizer.step()
                scheduler.step()
    """) == []


def test_rebinding_in_the_other_branch_is_silent():
    assert messages("""
        use_sgd = True
        if use_sgd:
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            scheduler = StepLR(optimizer, 10)
        else:
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        for epoch in range(30):
            optimizer.step()
            scheduler.step()
    """) == []


@pytest.mark.parametrize("rebind", [
    "optimizer = Lookahead(optimizer, k=5)",
    "optimizer = make_distributed(optimizer)",
])
def test_wrappers_of_the_same_optimizer_are_silent(rebind):
    assert messages(f"""
        class Lookahead(torch.optim.Optimizer):
            def __init__(self, base, k=5):
                self.param_groups = base.param_groups

        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(optimizer, 10)
        {rebind}
        for epoch in range(30):
            optimizer.step()
            scheduler.step()
    """) == []


def test_scheduler_moved_to_the_new_optimizer_is_silent():
    assert messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = StepLR(optimizer, 10)
        for epoch in range(30):
            if epoch == 10:
                optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
                scheduler.optimizer = optimizer
            optimizer.step()
            scheduler.step()
    """) == []


def test_rebinding_called_from_init_is_silent():
    assert messages("""
        class Trainer:
            def __init__(self):
                self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
                self.build()
                self.scheduler = StepLR(self.optimizer, 10)

            def build(self):
                self.optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

            def fit(self):
                for epoch in range(30):
                    self.optimizer.step()
                    self.scheduler.step()
    """) == []


def test_composite_scheduler_reported_once():
    found = messages("""
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)
        decay = CosineAnnealingLR(optimizer, T_max=45)
        scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[5])
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        for epoch in range(50):
            optimizer.step()
            scheduler.step()
    """)
    assert len(found) == 1 and "SequentialLR" in found[0]


def test_the_message_matches_torch():
    torch = pytest.importorskip("torch")
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    old = optimizer
    optimizer = torch.optim.SGD([parameter], lr=0.01)
    optimizer.step()
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):  # torch's only hint
        scheduler.step()
    for _ in range(2):
        optimizer.step()
        scheduler.step()
    assert optimizer.param_groups[0]["lr"] == 0.01  # the optimizer that trains never decays
    assert old.param_groups[0]["lr"] == pytest.approx(0.0125)


def test_a_flag_that_stops_the_stepping_before_the_optimizer_is_rebuilt():
    """aimagelab/meshed-memory-transformer: after `use_rl = True` the optimizer is rebuilt and
    only the RL phase runs, which never steps the scheduler (a false positive before)."""
    source = """
        from torch.optim import Adam
        from torch.optim.lr_scheduler import LambdaLR


        def train_xe(model, loader, optim):
            for batch in loader:
                optim.zero_grad()
                model(batch).backward()
                optim.step()
                scheduler.step()


        def train_scst(model, loader, optim):
            for batch in loader:
                optim.zero_grad()
                model(batch).backward()
                optim.step()


        optim = Adam(model.parameters(), lr=1, betas=(0.9, 0.98))
        scheduler = LambdaLR(optim, lambda it: min(1.0, (it + 1) / 4000))
        use_rl = False
        for epoch in range(100):
            if not use_rl:
                train_xe(model, loader, optim)
            else:
                train_scst(model, loader, optim)
            if patience == 5:
                if not use_rl:
                    use_rl = True
                    optim = Adam(model.parameters(), lr=5e-6)
    """
    assert lintkit.findings(source, "LR014") == []
    # Without the switch the rebuilt optimizer trains in train_xe while the scheduler drives
    # the old one.
    never_rl = source.replace("                    use_rl = True\n", "")
    assert len(lintkit.findings(never_rl, "LR014")) == 1
