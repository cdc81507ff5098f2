"""Run one blind case under a recorder and print what every optimizer step used.

Usage: python record.py CASE_DIR ENTRY WORKDIR [ARGS...]
(ENTRY "pytest:PATH" runs the case's own test file with pytest instead.)

The case's ENTRY script runs as ``__main__`` with ARGS as its argv, from WORKDIR (so
checkpoints and logs land there), with the case directory first on ``sys.path``. A global
optimizer step pre-hook records, for each ``optimizer.step()``, which optimizer it was and
the ``lr`` of each of its param groups: the LR the update really used. The last line of
stdout (and the file WORKDIR/.record-rankN.json, N the process rank) is a JSON object:
{"steps": [...], "error": "Type: message" | null, "log": "..."}.
"""
import contextlib
import importlib.util
import io
import json
import os
import runpy
import sys
import types
import warnings


def install_timm_shim():
    """Make ``import timm.scheduler`` work without running timm's ``__init__``.

    ``import timm`` imports torchvision, which cannot load beside the CPU torch here; the
    scheduler modules need only torch.
    """
    spec = importlib.util.find_spec("timm")
    if spec is None or "timm" in sys.modules:
        return
    package = types.ModuleType("timm")
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules["timm"] = package


def main():
    case_dir, entry, workdir, *argv = sys.argv[1:]
    case_dir = os.path.abspath(case_dir)
    os.makedirs(workdir, exist_ok=True)
    os.chdir(workdir)
    sys.path.insert(0, case_dir)
    install_timm_shim()
    warnings.simplefilter("ignore")

    from torch.optim.optimizer import register_optimizer_step_pre_hook

    steps, optimizer_ids = [], {}

    def record(optimizer, args, kwargs):
        index = optimizer_ids.setdefault(id(optimizer), len(optimizer_ids))
        steps.append({"opt": index, "lr": [float(g["lr"]) for g in optimizer.param_groups]})

    register_optimizer_step_pre_hook(record)
    log = io.StringIO()
    error = None
    sys.argv = [os.path.join(case_dir, entry.replace("pytest:", "")), *argv]
    try:
        with contextlib.redirect_stdout(log):
            if entry.startswith("pytest:"):  # a case's own test file, run in-process by pytest
                import pytest
                code = pytest.main([os.path.join(case_dir, entry[len("pytest:"):]), "-q", "-p", "no:cacheprovider",
                                    "--rootdir", case_dir, "--confcutdir", case_dir])
                if code != 0:
                    error = f"pytest exit {int(code)}"
            else:
                runpy.run_path(os.path.join(case_dir, entry), run_name="__main__")
    except SystemExit as exc:
        if exc.code not in (0, None):
            error = f"SystemExit: {exc.code}"
    except BaseException as exc:  # the error itself is a result for some cases
        error = f"{type(exc).__name__}: {exc}"
    result = json.dumps({"steps": steps, "error": error, "log": log.getvalue()[-20000:]})
    # one file per process: the stdout of a multi-process run interleaves
    with open(os.path.join(workdir, f".record-rank{os.environ.get('RANK', '0')}.json"), "w") as f:
        f.write(result)
    print(result)


if __name__ == "__main__":
    main()
