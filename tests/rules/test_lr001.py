from textwrap import dedent

from lintkit import findings, fixed


def test_assignment_quotes_new_and_unchanged_lr():
    (d,) = findings("""
        import torch.optim as optim
        LR = 0.1
        opt = optim.SGD(params, lr=LR)
        opt.lr = LR / 10
    """, "LR001")
    assert d.code == "LR001"
    assert "`opt.lr = 0.01`" in d.message
    assert "stays 0.1" in d.message
    assert (d.start.line, d.start.column) == (5, 1)


def test_default_lr_is_quoted_when_not_given():
    (d,) = findings("""
        from torch.optim import Adam
        opt = Adam(params)
        opt.lr = 0.5
    """, "LR001")
    assert "stays 1e-3" in d.message


def test_read_is_reported_without_fix():
    (d,) = findings("""
        import torch
        opt = torch.optim.AdamW(params, lr=3e-4)
        print(opt.lr)
    """, "LR001")
    assert "AttributeError" in d.message
    assert d.fix is None


def test_self_attribute_in_other_method():
    (d,) = findings("""
        import torch
        class Trainer:
            def __init__(self, model):
                self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            def decay(self):
                self.optimizer.lr *= 0.5
    """, "LR001")
    assert "self.optimizer.lr" in d.message


def test_optimizer_returned_by_local_function():
    (d,) = findings("""
        import torch
        def make(model):
            return torch.optim.SGD(model.parameters(), lr=0.1)
        optimizer = make(model)
        optimizer.lr = 0.01
    """, "LR001")
    assert d.code == "LR001"


def test_optimizer_passed_as_argument():
    (d,) = findings("""
        import torch
        def adjust(opt, epoch):
            opt.lr = 0.1 * 0.5 ** epoch
        optimizer = torch.optim.SGD(params, lr=0.1)
        adjust(optimizer, 3)
    """, "LR001")
    assert d.code == "LR001"


def test_annotated_parameter_is_an_optimizer():
    (d,) = findings("""
        from torch.optim import Optimizer
        def set_lr(opt: Optimizer, lr: float) -> None:
            opt.lr = lr
    """, "LR001")
    assert "`opt.lr`" in d.message


def test_local_optimizer_subclass_without_own_lr():
    (d,) = findings("""
        import torch
        class Sign(torch.optim.Optimizer):
            def step(self, closure=None):
                pass
        opt = Sign(params, {"lr": 0.1})
        opt.lr = 0.2
    """, "LR001")
    assert "Sign never reads" in d.message


def test_near_misses_stay_silent():
    assert findings("""
        import torch
        import argparse
        args = argparse.Namespace(lr=0.1)
        args.lr = 0.2
        cfg.optimizer.lr = 0.01
        class Wrapper:
            def __init__(self, opt):
                self.opt = opt
                self.lr = 0.1
        w = Wrapper(torch.optim.SGD(params, lr=0.1))
        w.lr = 0.3
        from fastai.optimizer import OptimWrapper
        ow = OptimWrapper(torch.optim.SGD(params, lr=0.1))
        ow.lr = 0.01
        import tensorflow as tf
        k = tf.keras.optimizers.Adam(1e-3)
        k.lr = 1e-4
    """, "LR001") == []


def test_custom_optimizer_with_own_lr_is_silent():
    assert findings("""
        import torch
        class Custom(torch.optim.Optimizer):
            def __init__(self, params, lr):
                super().__init__(params, {})
                self.lr = lr
            def step(self):
                for group in self.param_groups:
                    for p in group["params"]:
                        p.data.add_(p.grad, alpha=-self.lr)
        opt = Custom(params, lr=0.1)
        opt.lr = 0.05
    """, "LR001") == []


def test_rebinding_the_name_to_something_else_is_followed():
    assert findings("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        opt = make_wrapper(opt)
        opt.lr = 0.05
    """, "LR001") == []


def test_fix_augmented_assignment_keeps_operator_and_comment():
    assert fixed("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        for epoch in range(10):
            opt.lr *= 0.5  # halve
    """, "LR001") == dedent("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        for epoch in range(10):
            for group in opt.param_groups:
                group["lr"] *= 0.5  # halve
    """)


def test_fix_avoids_shadowing_an_existing_name():
    result = fixed("""
        import torch
        group = "run-7"
        opt = torch.optim.SGD(params, lr=0.1)
        opt.lr = 0.01
        print(group)
    """, "LR001")
    assert "for param_group in opt.param_groups:" in result
    assert 'param_group["lr"] = 0.01' in result


def test_fix_with_side_effects_is_unsafe():
    source = """
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        opt.lr = next(lrs)
    """
    assert fixed(source, "LR001") is None
    assert "for group in opt.param_groups:" in fixed(source, "LR001", unsafe=True)


def test_no_fix_for_chained_or_compound_statements():
    (d,) = findings("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        x = opt.lr = 0.5
    """, "LR001")
    assert d.fix is None
    (d,) = findings("""
        import torch
        opt = torch.optim.SGD(params, lr=0.1)
        opt.lr = 0.5; print(1)
    """, "LR001")
    assert d.fix is None


def test_fix_keeps_crlf_line_endings():
    source = "import torch\r\nopt = torch.optim.SGD(params, lr=0.1)\r\nopt.lr = 0.01\r\n"
    result = fixed(source, "LR001", path="t.py")
    assert result == ("import torch\r\nopt = torch.optim.SGD(params, lr=0.1)\r\n"
                      "for group in opt.param_groups:\r\n    group[\"lr\"] = 0.01\r\n")
