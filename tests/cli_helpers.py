"""What the command-line tests share: a buggy and a clean script, and a way to run `lrlint`."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from lrlint.cli import main

# LR003 (a safe fix) and LR001 (unsafe here: a scheduler drives `opt`).
BAD = dedent("""\
    import torch
    opt = torch.optim.SGD(params, lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    for epoch in range(10):
        sched.step()
        opt.step()
    opt.lr = 0.01
""")
CLEAN = dedent("""\
    import torch
    opt = torch.optim.SGD(params, lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    for epoch in range(10):
        opt.step()
        sched.step()
""")


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def run(args, capsys) -> tuple[int, str, str]:
    """``lrlint ARGS``: the exit status, stdout and stderr."""
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err
