"""``--output-format json``: per file, one object per optimizer/scheduler pair.

One file named on the command line gives one object; several files, or a directory, give an
array of them. Shape (every key always present; ``null`` when unknown)::

    {"path": "train.py", "pairs": [{
        "scheduler": {"code": "scheduler = StepLR(...)", "line": 12, "class": "StepLR"},
        "optimizer": {"code": ..., "line": 11, "class": "SGD"} | null,
        "status": "ok" | "no_schedule" | "torch_error" | "no_curve",
        "reason": str | null,            # why there is no curve
        "missing": {"arguments": [str], "inputs": [str], "options": [str]} | null,
                                         # the unknown values behind the reason, how to pass them
        "error": str | null,             # torch raises partway; the curve stops there
        "schedule": "StepLR(step_size=30, gamma=0.1)" | null,
        "base_lr": LR | null, "groups": int | null,
        "steps": {"count": 90, "source": "option|loop|schedule|horizon|default",
                  "reason": str} | null,
        "unit": "epoch" | "batch" | null,   # how often scheduler.step() runs
        "x_axis": "epoch" | "optimizer step" | "scheduler step",   # what one curve step is
        "notes": [str],
        "first": POINT, "last": POINT, "min": POINT, "max": POINT,   # exact, null w/o curve
        "last_change_step": int | null,
        "key_steps": [{"step": int, "kind": str, "label": str, "lr": LR}],
        "key_steps_truncated": bool,     # more than 1,000: the first ones are listed
        "target": {"lr", "expression", "planned_decays", "decays", "final_lr",
                   "relative_error", "advice"} | null,
        "curve": {"downsampled": bool, "method": str | null, "step": [int], "lr": [LR]} | null,
        "actual": {                      # a finding (LR003/8/9, LR027) reshapes the curve
            "findings": [{"code", "line", "message", "facts"}], "effect": str,
            "error": str | null, "first", "last", "min", "max": POINT,
            "last_change_step": int | null, "key_steps": [{"step", "lr"}],
            "curve": {...as above, on the same x axis}
        } | null
    }]}

With ``actual``, ``steps`` and both curves count steps of ``x_axis`` (optimizer steps when
accumulation or an epoch/batch mix-up changes what one scheduler step is). ``LR`` is a float for
one param group and a list (one per group) for several, as in
``Schedule.values``; ``POINT`` is ``{"step": int, "lr": LR}``. Curves longer than 10,000
steps are downsampled as ``curve.METHOD`` says; min/max/first/last are always exact.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any, TextIO

from lrlint.explain.curve import BUCKETS, METHOD, Curve
from lrlint.explain.find import Construction
from lrlint.explain.summary import Explanation, base_lr_value
from lrlint.explain.text import schedule_text

if TYPE_CHECKING:
    from lrlint.explain import FileExplanation


def write_json(files: list[FileExplanation], out: TextIO, single: bool = True) -> None:
    """One object for one file named on the command line, else an array of them."""
    documents = [{"path": f.path, "pairs": [pair_object(e) for e in f.explanations]}
                 for f in files]
    out.write(_dumps(documents[0] if single and len(documents) == 1 else documents) + "\n")


def _dumps(document: dict[str, Any] | list[dict[str, Any]]) -> str:
    """Indented JSON, but each curve array on one line (thousands of numbers otherwise)."""
    arrays: dict[str, str] = {}
    nonce = uuid.uuid4().hex  # no source text can contain the placeholder
    documents = document if isinstance(document, list) else [document]
    for number, file in enumerate(documents):
        for index, pair in enumerate(file["pairs"]):
            curves = [("curve", pair["curve"])]
            if pair["actual"] is not None:
                curves.append(("actual", pair["actual"]["curve"]))
            for name, curve in curves:
                if curve is None:
                    continue
                for key in ("step", "lr"):
                    token = f"@{name}-{nonce}-{number}-{index}-{key}@"
                    arrays[f'"{token}"'] = json.dumps(curve[key], separators=(", ", ":"))
                    curve[key] = token
    text = json.dumps(document, indent=2, ensure_ascii=False)
    for token, array in arrays.items():
        text = text.replace(token, array, 1)
    return text


def pair_object(e: Explanation) -> dict[str, Any]:
    pair = e.pair
    schedule = pair.declared.schedule
    groups = e.groups if e.has_curve else (schedule.groups if schedule else None)
    lr = _lr_shape(groups or 1)
    result: dict[str, Any] = {
        "scheduler": _construction(pair.scheduler),
        "optimizer": _construction(pair.optimizer) if pair.optimizer else None,
        "status": _status(e),
        "reason": e.reason,
        "missing": ({"arguments": list(e.missing.arguments), "inputs": list(e.missing.inputs),
                     "options": list(e.missing.options)} if e.missing is not None else None),
        "error": e.failure,
        "schedule": schedule_text(schedule) if schedule is not None else None,
        "base_lr": base_lr_value(pair),
        "groups": groups,
        "steps": ({"count": e.steps.count, "source": e.steps.source, "reason": e.steps.reason}
                  if e.steps else None),
        "unit": e.stepping.unit,
        "x_axis": e.x_axis,
        "notes": e.all_notes,
        "first": None, "last": None, "min": None, "max": None,
        "last_change_step": None,
        "key_steps": [],
        "key_steps_truncated": e.key_steps_truncated,
        "target": None,
        "curve": None,
        "actual": None,
    }
    curve = e.curve
    if curve is None:
        return result
    last = curve.count - 1
    result["first"] = {"step": 0, "lr": lr(curve.lrs_at(0))}
    result["last"] = {"step": last, "lr": lr(curve.lrs_at(last))}
    result["min"] = {"step": curve.minimum.step, "lr": lr(curve.minimum.lrs)}
    result["max"] = {"step": curve.maximum.step, "lr": lr(curve.maximum.lrs)}
    result["last_change_step"] = curve.last_change
    result["key_steps"] = [{"step": k.step, "kind": k.kind, "label": k.label,
                            "lr": lr(curve.lrs_at(k.step))} for k in e.key_steps]
    if e.target is not None:
        t = e.target
        result["target"] = {"lr": t.target, "expression": t.expression,
                            "planned_decays": t.planned, "decays": t.happened,
                            "final_lr": t.final, "relative_error": t.relative_error,
                            "advice": t.advice}
    result["curve"] = curve_object(curve)
    if e.comparison is not None and e.actual is not None:
        result["actual"] = _actual_object(e, lr)
    return result


def _actual_object(e: Explanation, lr) -> dict[str, Any]:
    """The curve the code produces, on the same steps as ``curve``, and the findings why."""
    actual, comparison = e.actual, e.comparison
    assert actual is not None and comparison is not None
    last = actual.count - 1
    return {
        "findings": [{"code": f.code, "line": f.line, "message": f.message,
                      "facts": dict(f.facts)} for f in comparison.findings],
        "effect": comparison.effect,
        "error": e.actual_failure,
        "first": {"step": 0, "lr": lr(actual.lrs_at(0))},
        "last": {"step": last, "lr": lr(actual.lrs_at(last))},
        "min": {"step": actual.minimum.step, "lr": lr(actual.minimum.lrs)},
        "max": {"step": actual.maximum.step, "lr": lr(actual.maximum.lrs)},
        "last_change_step": actual.last_change,
        "key_steps": [{"step": k.step, "lr": lr(actual.lrs_at(k.step))} for k in e.key_steps
                      if k.step < actual.count],
        "curve": curve_object(actual),
    }


def curve_object(curve: Curve) -> dict[str, Any]:
    return {
        "downsampled": curve.downsampled,
        "method": METHOD.format(buckets=BUCKETS, twice=2 * BUCKETS) if curve.downsampled else None,
        "step": curve.steps,
        "lr": (curve.columns[0] if curve.groups == 1
               else [list(row) for row in zip(*curve.columns)]),
    }


def _lr_shape(groups: int):
    return (lambda lrs: lrs[0]) if groups == 1 else (lambda lrs: list(lrs))


def _construction(construction: Construction) -> dict[str, Any]:
    return {"code": construction.code, "line": construction.line,
            "class": construction.class_name}


def _status(e: Explanation) -> str:
    if e.has_curve:
        return "ok"
    if e.pair.declared.error is not None:
        return "torch_error"
    if e.pair.declared.schedule is None:
        return "no_schedule"
    return "no_curve"
