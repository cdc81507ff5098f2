"""Run one case's entry command as the user would, recording the LR of every optimizer.step().

    python _verify/record.py CASE_DIR -- python train.py --epochs 2 ...

Shared by the blind sets' _verify/record.py (benchmarks/blind_cases_2, _3). The case directory is copied to a fresh
temporary directory (so outputs never land in the benchmark), the command runs there with
_verify/hook on PYTHONPATH, and the result is a dict
{"steps": [[lr_group0, lr_group1, ...], ...], "stdout": str, "stderr": str, "rc": int}.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
HOOK = os.path.join(HERE, "hook")
# The verification venv has an editable install of this repository (lrlint); a user of these
# cases would not have it, so the hook drops it from sys.path.
CHECKOUT = os.path.dirname(os.path.dirname(HERE))  # benchmarks/blind_recorder -> repository root
DROP = os.environ.get("LRREC_DROP_PATHS", CHECKOUT)


def record(case_dir, cmd, timeout=120):
    with tempfile.TemporaryDirectory(prefix="lrcase_") as tmp:
        work = os.path.join(tmp, os.path.basename(os.path.normpath(case_dir)))
        shutil.copytree(case_dir, work, ignore=shutil.ignore_patterns("__pycache__"))
        out = os.path.join(tmp, "lrs.json")
        env = dict(os.environ)
        env["PYTHONPATH"] = HOOK
        env["LRREC_OUT"] = out
        env["LRREC_DROP_PATHS"] = DROP
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        cmd = [sys.executable if c == "python" else c for c in cmd]
        proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=timeout)
        steps = []
        if os.path.exists(out):
            with open(out) as f:
                steps = json.load(f)["steps"]
        return {"steps": steps, "stdout": proc.stdout, "stderr": proc.stderr, "rc": proc.returncode}


def main():
    """python record.py CASE_DIR -- COMMAND...: run it and print the LRs of its steps."""
    sep = sys.argv.index("--")
    res = record(sys.argv[1], sys.argv[sep + 1:])
    print(res["stdout"])
    print(res["stderr"], file=sys.stderr)
    print(json.dumps({"n_steps": len(res["steps"]), "lrs": [s[0] for s in res["steps"]], "rc": res["rc"]}))


if __name__ == "__main__":
    main()
