from lintkit import findings, fixed


def test_seed_article_linear_lr_quotes_the_rise():
    (d,) = findings("""
        import torch
        lr = 0.001
        epochs = 100
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.5, total_iters=epochs)
    """, "LR002")
    assert "raises the LR from 5e-4 to 1e-3 over 100 steps" in d.message


def test_unknown_base_lr_speaks_in_factors():
    (d,) = findings("""
        import torch
        from torch.optim import lr_scheduler as S
        optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
        sched = S.LinearLR(optimizer, 0.25, 0.75, 40)
    """, "LR002")
    assert "from 0.25x to 0.75x the base LR over 40 steps" in d.message


def test_constant_lr_below_one_jumps_back_up():
    (d,) = findings("""
        import torch.optim as optim
        from torch.optim.lr_scheduler import ConstantLR
        opt = optim.Adam(params, lr=2e-3)
        scheduler = ConstantLR(opt, factor=0.5, total_iters=4)
    """, "LR002")
    assert "holds the LR at 1e-3 for 4 steps, then raises it to 2e-3" in d.message
    assert d.fix is None


def test_near_misses_stay_silent():
    assert findings("""
        import torch
        from torch.optim.lr_scheduler import LinearLR, ConstantLR, SequentialLR, ChainedScheduler, ExponentialLR
        opt = torch.optim.SGD(params, lr=0.1)
        decay = LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=10)
        default = LinearLR(opt)
        warm = LinearLR(opt, start_factor=0.1, total_iters=5)
        main = ExponentialLR(opt, gamma=0.9)
        seq = SequentialLR(opt, [warm, main], milestones=[5])
        c1 = ConstantLR(opt, factor=0.5, total_iters=2)
        chain = ChainedScheduler([c1, ExponentialLR(opt, 0.9)])
        up = ConstantLR(opt, factor=1.0)
    """, "LR002") == []


def test_warmup_named_and_warmup_length_are_silent():
    assert findings("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        s1 = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=WARMUP_STEPS)
    """, "LR002") == []
    assert findings("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        self_warmup = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=9)
    """, "LR002") == []


def test_invalid_factors_are_left_to_lr007():
    assert findings("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        s = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.0, total_iters=9)
    """, "LR002") == []


def test_unsafe_fix_swaps_explicit_factors():
    source = """
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        s = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.2, end_factor=0.8, total_iters=9)
    """
    assert fixed(source, "LR002", path="t.py") is None
    unsafely = fixed(source, "LR002", unsafe=True, path="t.py")
    assert "LinearLR(opt, start_factor=0.8, end_factor=0.2, total_iters=9)" in unsafely


def test_table_of_scheduler_factories_is_silent():
    # torch's own test-configuration tables (testing/_internal/common_optimizers.py).
    assert findings("""
        from torch.optim.lr_scheduler import ConstantLR, ExponentialLR, LinearLR
        scheduler_inputs = (
            [lambda opt: ExponentialLR(opt, gamma=0.9)],
            [lambda opt: LinearLR(opt, start_factor=0.4, total_iters=4)],
            [lambda opt: ConstantLR(opt, factor=0.4, total_iters=4), lambda opt: ExponentialLR(opt, gamma=0.9)],
        )
    """, "LR002") == []


def test_factory_stepped_elsewhere_in_the_file_is_found():
    (d,) = findings("""
        import torch
        from torch.optim.lr_scheduler import LinearLR
        def make_scheduler(opt):
            return LinearLR(opt, start_factor=0.5, total_iters=10)
        optimizer = torch.optim.SGD(params, lr=0.1)
        scheduler = make_scheduler(optimizer)
        for epoch in range(10):
            optimizer.step()
            scheduler.step()
    """, "LR002")
    assert "from 0.05 to 0.1" in d.message
