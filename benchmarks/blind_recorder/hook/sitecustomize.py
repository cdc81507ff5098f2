# Loaded by the interpreter at start-up when this hook directory is on PYTHONPATH (blind_record.py
# does this).
# Records param_groups[i]["lr"] of every optimizer.step() (the LR the update really used) and
# writes them as JSON to $LRREC_OUT at exit.
import atexit
import json
import os
import sys

_OUT = os.environ.get("LRREC_OUT")
# The verification venv has an editable install of another project on sys.path; a user of the
# case would not, so drop it (and this hook directory) to keep imports as the user sees them.
_DROP = {os.path.abspath(p) for p in os.environ.get("LRREC_DROP_PATHS", "").split(os.pathsep) if p}
_DROP.add(os.path.dirname(os.path.abspath(__file__)))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") not in _DROP]

if _OUT:
    import torch
    from torch.optim.optimizer import register_optimizer_step_pre_hook

    _steps = []

    def _record(optimizer, args, kwargs):
        _steps.append([float(g["lr"]) for g in optimizer.param_groups])

    register_optimizer_step_pre_hook(_record)

    @atexit.register
    def _dump():
        with open(_OUT, "w") as f:
            json.dump({"steps": _steps}, f)
