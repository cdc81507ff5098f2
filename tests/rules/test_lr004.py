from lintkit import findings


def test_negative_literal_on_a_builtin_optimizer_raises_at_construction():
    (d,) = findings("""
        import torch
        opt = torch.optim.SGD(params, lr=-0.01)
    """, "LR004")
    assert "lr=-0.01 is negative" in d.message
    assert "ValueError" in d.message


def test_negative_constant_on_a_custom_optimizer_is_ascent():
    (d,) = findings("""
        import torch
        NEG_LR = -0.01
        class MyOptimizer(torch.optim.Optimizer):
            def __init__(self, params, lr):
                super().__init__(params, dict(lr=lr))
        optimizer = MyOptimizer(model.parameters(), lr=NEG_LR)
    """, "LR004")
    assert "gradient ascent" in d.message and "MyOptimizer does not check" in d.message


def test_seed_article_lambda_reports_the_step():
    (d,) = findings("""
        import torch.optim as optim
        from torch.optim.lr_scheduler import LambdaLR
        optimizer = optim.SGD(model.parameters(), lr=0.01)
        def lr_lambda(epoch):
            if epoch < 50:
                return 1.0
            else:
                return -1.0
        scheduler = LambdaLR(optimizer, lr_lambda)
    """, "LR004")
    assert "returns -1.0" in d.message and "from step 50" in d.message


def test_inline_lambda_and_multiplicative():
    (d,) = findings("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        s = torch.optim.lr_scheduler.MultiplicativeLR(opt, lambda e: -0.5 if e > 3 else 0.9)
    """, "LR004")
    assert "from step 4" in d.message


def test_param_group_write_through_loop_and_index():
    found = findings("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        for g in opt.param_groups:
            g["lr"] = -1e-3
        opt.param_groups[0]['lr'] = -0.5
    """, "LR004")
    assert [d.start.line for d in found] == [5, 6]
    assert "-1e-3" in found[0].message


def test_negative_gamma_names_the_first_decay():
    (d,) = findings("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        s = torch.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=-0.1)
    """, "LR004")
    assert "at step 30" in d.message


def test_near_misses_stay_silent():
    assert findings("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        s = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: max(0.0, 1 - e / 100))
        for g in opt.param_groups:
            g["lr"] -= 1e-4
            g["weight_decay"] = -1.0
        config = {"lr": -1.0}
        config["lr"] = -2.0
        x = torch.nn.functional.normalize(t, dim=-1)
        other.param_groups[0]["lr"] = -1.0
        opt2 = torch.optim.SGD(params, lr=args.lr - 1)
    """, "LR004") == []
