"""The text report: per pair a header, the numbers, the key steps and a chart, within 80 columns."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any, TextIO

from lrlint.explain.chart import OVERLAY, Series, render_chart
from lrlint.explain.milestones import MAX_KEY_STEPS
from lrlint.explain.numbers import lrs_text, steps_text
from lrlint.explain.summary import Explanation, base_lr_value
from lrlint.explain.target import describe

if TYPE_CHECKING:
    from lrlint.explain import FileExplanation

LINE = 80
FIELD = 12  # width of the field names ("optimizer", "steps", ...)
MAX_ROWS = 12  # key-step rows shown before the middle ones are elided
LEGEND = "⣿"
UNITS = {"epoch": "stepped once per epoch",
         "batch": "stepped after every optimizer step (per batch)"}


def write_text(files: list[FileExplanation], out: TextIO) -> None:
    blocks = []
    for file in files:
        if not file.explanations:
            blocks.append(f"{file.path}: no LR scheduler found")
        blocks += ["\n".join(_pair_lines(file.path, e)) for e in file.explanations]
    if blocks:
        out.write("\n\n".join(blocks) + "\n")


def _pair_lines(path: str, e: Explanation) -> list[str]:
    pair = e.pair
    lines = _header(pair.scheduler.code, f"({path}:{pair.scheduler.line})")
    if pair.optimizer is not None:
        lines += _field("optimizer", pair.optimizer.code, f"(line {pair.optimizer.line})")
    if pair.declared.schedule is not None:
        lines += _field("schedule", schedule_text(pair.declared.schedule))
    base = base_lr_value(pair)
    if base is not None:
        groups = f"  ({len(base)} param groups)" if isinstance(base, list) else ""
        lines += _field("base LR", lrs_text(base) + groups)
    if e.reason is not None:
        lines += _field("not shown", e.reason)
    if e.steps is not None:
        lines += _field("steps", f"{steps_text(e.steps.count)}: {e.steps.reason}")
    accumulating = e.comparison is not None and any(
        f.code == "LR009" for f in e.comparison.findings)
    if accumulating:
        lines += _field("unit", "stepped on every micro-batch")
    elif e.stepping.unit is not None:
        lines += _field("unit", UNITS[e.stepping.unit])
    if e.comparison is not None:
        lines += _field("actual", f"{finding_text(e.comparison)}: {e.comparison.effect}")
    for note in e.all_notes:
        lines += _field("note", note)
    if e.failure is not None:
        lines += _field("error", e.failure)
    if e.actual_failure is not None:
        lines += _field("error", f"in the actual curve, {e.actual_failure}")
    if not e.has_curve:
        return lines
    lines.append("")
    lines += _key_step_table(e)
    if e.key_steps_truncated:
        lines += _field("note", f"only the first {steps_text(MAX_KEY_STEPS)} key steps are "
                                "listed")
    lines.append("")
    lines += _extremes(e)
    if e.target is not None:
        lines += _field("target", describe(e.target))
    lines.append("")
    if e.groups > 1:
        lines.append(f"  chart of param group 0 of {e.groups}")
    curve = e.curve
    assert curve is not None
    series = Series(curve.steps, curve.columns[0], curve.count)
    actual = e.actual
    overlay = Series(actual.steps, actual.columns[0], actual.count) if actual else None
    chart = render_chart(series, e.x_axis, overlay=overlay)
    lines += ["  " + line for line in chart]
    if overlay is not None and chart:
        lines += _wrap(f"{OVERLAY} actual: {finding_text(e.comparison)}", "",
                       f"  {LEGEND} declared   ", " " * 16)
    return lines


def finding_text(comparison: Any) -> str:
    """``LR009 (line 53)``: the findings that reshape the curve."""
    return ", ".join(f"{f.code} (line {f.line})" for f in comparison.findings)


def _header(code: str, where: str) -> list[str]:
    """The scheduler's construction as written, then where it is; wrapped, never cut."""
    return _wrap(code, where, "", "    ")


def _field(name: str, text: str, suffix: str = "") -> list[str]:
    return _wrap(text, suffix, f"  {name:<{FIELD}}", " " * (FIELD + 2)) or [f"  {name}"]


def _wrap(text: str, suffix: str, first: str, rest: str) -> list[str]:
    """Wrap ``text`` to the line width; ``suffix`` (``(line 12)``) is never split."""
    lines = textwrap.wrap(text, LINE, initial_indent=first, subsequent_indent=rest,
                          break_on_hyphens=False, break_long_words=False)
    if suffix:
        if lines and len(lines[-1]) + 2 + len(suffix) <= LINE:
            lines[-1] += f"  {suffix}"
        else:
            lines.append(rest + suffix)
    return lines


def _key_step_table(e: Explanation) -> list[str]:
    last = e.count - 1
    rows: dict[int, list[str]] = {0: ["first step"]}
    for key in e.key_steps:
        rows.setdefault(key.step, []).append(key.label)
    rows.setdefault(last, []).append("last step")
    ordered = sorted(rows.items())
    head, tail, hidden = ordered, [], 0
    if len(ordered) > MAX_ROWS:  # keep the first and the last rows, count the rest
        head, tail = ordered[:MAX_ROWS // 2], ordered[-(MAX_ROWS // 2 - 1):]
        hidden = len(ordered) - len(head) - len(tail)
    table = [_row(e, step, labels) for step, labels in head]
    if hidden:
        table.append(("…", "", "", f"{hidden:,} more rows like these"))
    table += [_row(e, step, labels) for step, labels in tail]
    step_width = max(len("step"), *(len(row[0]) for row in table))
    lr_width = max(len("LR"), *(len(row[1]) for row in table))
    actual_width = max(len("actual"), *(len(row[2]) for row in table)) if e.actual else 0
    header = f"  {'step':>{step_width}}  {'LR':<{lr_width}}"
    if e.actual:
        header += "  actual"
    lines = [header.rstrip()]
    for step, lrs, actual, label in table:
        start = f"  {step:>{step_width}}  {lrs:<{lr_width}}  "
        if e.actual:
            start += f"{actual:<{actual_width}}  "
        lines += _wrap(label, "", start, " " * len(start))
    return lines


def _row(e: Explanation, step: int, labels: list[str]) -> tuple[str, str, str, str]:
    actual = e.actual
    shown = ""
    if actual is not None and step < actual.count:
        shown = lrs_text(actual.lrs_at(step))
    return steps_text(step), lrs_text(e.lrs_at(step)), shown, "; ".join(labels)


def _extremes(e: Explanation) -> list[str]:
    curve = e.curve
    assert curve is not None
    low, high = curve.minimum, curve.maximum
    lines = _field("minimum", f"{lrs_text(low.lrs)} at step {steps_text(low.step)}")
    lines += _field("maximum", f"{lrs_text(high.lrs)} at step {steps_text(high.step)}")
    final = lrs_text(e.lrs_at(e.count - 1))
    if curve.last_change is None:
        ends = f"constant at {final} for all {steps_text(e.count)} steps"
    else:
        ends = (f"ends at {final} after {steps_text(e.count)} steps (last change at step "
                f"{steps_text(curve.last_change)})")
    lines += _field("end", ends)
    if e.actual is not None:
        lines += _field("actual", _actual_summary(e.actual))
    return lines


def _actual_summary(actual: Any) -> str:
    final = lrs_text(actual.lrs_at(actual.count - 1))
    change = (f"last change at step {steps_text(actual.last_change)}"
              if actual.last_change is not None else "constant")
    return (f"minimum {lrs_text(actual.minimum.lrs)} at step {steps_text(actual.minimum.step)}, "
            f"maximum {lrs_text(actual.maximum.lrs)} at step {steps_text(actual.maximum.step)}; "
            f"ends at {final} after {steps_text(actual.count)} steps ({change})")


def schedule_text(schedule: Any) -> str:
    """``StepLR(step_size=100, gamma=0.999309463)``: the folded arguments, children inline."""
    arguments = ", ".join(f"{name}={_value_text(value)}" for name, value in schedule.kwargs.items())
    return f"{schedule.name}({arguments})"


def _value_text(value: Any) -> str:
    if isinstance(value, float):
        short = repr(value)
        return short if len(short) <= 12 else f"{value:.10g}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_value_text(item) for item in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if hasattr(value, "kwargs") and hasattr(value, "name"):  # a child Schedule
        return schedule_text(value)
    return repr(value) if not callable(value) else getattr(value, "__name__", None) or repr(value)

