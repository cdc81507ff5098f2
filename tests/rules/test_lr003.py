from textwrap import dedent

from lintkit import findings, fixed


def test_quotes_the_skipped_first_value():
    (d,) = findings("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
        for epoch in range(10):
            sched.step()
            opt.step()
    """, "LR003")
    assert "uses LR 0.05 instead of 0.1" in d.message
    assert (d.start.line, d.start.column) == (6, 5)


def test_seed_article_lambda_in_batch_loop():
    (d,) = findings("""
        import torch.optim as optim
        from torch.optim.lr_scheduler import LambdaLR
        optimizer = optim.Adam(model.parameters(), lr=0.01)
        total_iterations = 1000
        def lambda_rule(iteration):
            return 1 - (iteration / total_iterations)
        scheduler = LambdaLR(optimizer, lr_lambda=lambda_rule)
        for iteration in range(total_iterations):
            scheduler.step()
            optimizer.step()
            optimizer.zero_grad()
    """, "LR003")
    assert "instead of 0.01" in d.message


def test_scheduler_before_training_function_call():
    (d,) = findings("""
        import torch
        def train_one_epoch(model, loader, optimizer):
            for x, y in loader:
                optimizer.step()
        def main(model, loader):
            opt = torch.optim.SGD(model.parameters(), lr=0.1)
            sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[30, 60])
            for epoch in range(90):
                sched.step()
                train_one_epoch(model, loader, opt)
    """, "LR003")
    assert d.fix is None  # the optimizer step is in another function


def test_trainer_methods_through_self():
    (d,) = findings("""
        import torch
        class Trainer:
            def __init__(self, model):
                self.opt = torch.optim.Adam(model.parameters(), lr=1e-3)
                self.sched = torch.optim.lr_scheduler.ExponentialLR(self.opt, gamma=0.99)
            def train_step(self, batch):
                self.sched.step()
                self.opt.step()
    """, "LR003")
    assert "`self.sched.step()` runs before `self.opt.step()`" in d.message


def test_grad_scaler_step_counts_as_optimizer_step():
    (d,) = findings("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        scaler = torch.cuda.amp.GradScaler()
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100)
        for step in range(100):
            sched.step()
            scaler.step(opt)
            scaler.update()
    """, "LR003")
    assert "scaler.step(opt)" in d.message


def test_correct_orders_are_silent():
    assert findings("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        scaler = torch.amp.GradScaler("cuda")
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=100)
        plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt)
        for epoch in range(10):
            plateau.step(val_loss)
            for batch in loader:
                scaler.step(opt)
                scaler.update()
                sched.step()
        for epoch in range(10):
            for batch in loader:
                opt.step()
            sched.step()
    """, "LR003") == []


def test_scheduler_of_another_optimizer_is_silent():
    assert findings("""
        import torch
        gen_opt = torch.optim.Adam(g.parameters(), lr=2e-4)
        disc_opt = torch.optim.Adam(d.parameters(), lr=2e-4)
        gen_sched = torch.optim.lr_scheduler.StepLR(gen_opt, 10)
        for epoch in range(10):
            disc_opt.step()
            gen_sched.step()
            gen_opt.step()
    """, "LR003") != []  # gen_sched runs before gen_opt: found ...
    assert findings("""
        import torch
        gen_opt = torch.optim.Adam(g.parameters(), lr=2e-4)
        disc_opt = torch.optim.Adam(d.parameters(), lr=2e-4)
        disc_sched = torch.optim.lr_scheduler.StepLR(disc_opt, 10)
        for epoch in range(10):
            disc_opt.step()
            disc_sched.step()
            gen_opt.step()
    """, "LR003") == []  # ... but a scheduler before an unrelated optimizer is fine


def test_untracked_objects_are_silent():
    assert findings("""
        for epoch in range(10):
            scheduler.step()
            optimizer.step()
    """, "LR003") == []


def test_fix_moves_the_statement_with_its_comment():
    assert fixed("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1)
        for epoch in range(10):
            sched.step()  # decay
            loss.backward()
            opt.step()
            opt.zero_grad()
    """, "LR003") == dedent("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1)
        for epoch in range(10):
            loss.backward()
            opt.step()
            sched.step()  # decay
            opt.zero_grad()
    """)


def test_no_fix_when_the_optimizer_step_is_conditional():
    (d,) = findings("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1)
        for i, batch in enumerate(loader):
            sched.step()
            if (i + 1) % 4 == 0:
                opt.step()
    """, "LR003")
    assert d.fix is None


def test_step_with_an_epoch_argument_is_left_to_lr011():
    assert findings("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[60, 120])
        for epoch in range(200):
            sched.step(epoch)
            opt.step()
    """, "LR003") == []


def test_one_off_step_before_the_loop_is_reported_once_and_not_per_iteration():
    [finding] = findings("""
        import torch
        optimizer = torch.optim.SGD(params, lr=0.1)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30)
        scheduler.step()
        for epoch in range(90):
            for batch in loader:
                optimizer.step()
            scheduler.step()
    """, "LR003")
    assert finding.start.line == 5
    assert "in each iteration" not in finding.message
    assert "before the training loop" in finding.message


def test_a_local_factory_called_twice_builds_two_schedulers():
    """kekmodel/MPL-pytorch: teacher and student schedulers come from one factory; each steps
    right after its own optimizer (a false positive of an earlier lrlint)."""
    assert findings("""
        import torch
        from torch.optim.lr_scheduler import LambdaLR


        def get_schedule(optimizer, warmup):
            return LambdaLR(optimizer, lambda step: min(1.0, step / warmup))


        def train_loop(loader, t_optimizer, s_optimizer, t_scheduler, s_scheduler, t_scaler, s_scaler):
            for batch in loader:
                s_scaler.step(s_optimizer)
                s_scheduler.step()
                t_scaler.step(t_optimizer)
                t_scheduler.step()


        def main(teacher, student, loader):
            t_optimizer = torch.optim.SGD(teacher.parameters(), lr=0.05)
            s_optimizer = torch.optim.SGD(student.parameters(), lr=0.05)
            t_scheduler = get_schedule(t_optimizer, 500)
            s_scheduler = get_schedule(s_optimizer, 500)
            t_scaler = torch.amp.GradScaler("cuda")
            s_scaler = torch.amp.GradScaler("cuda")
            train_loop(loader, t_optimizer, s_optimizer, t_scheduler, s_scheduler, t_scaler, s_scaler)
    """, "LR003") == []
